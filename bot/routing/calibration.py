"""Turns the router's evidence for a service into a confidence between 0 and 1.

The evidence ("support", computed by `Router.evidence`) is the service's best SVM margin over the message
and its first sentences, less any lead of the out-of-scope class, plus `domain_weight` times the in-domain
score. Confidence is `1 / (1 + exp(-slope * (support - midpoint)))` (Platt scaling), an estimate of the
chance that the service is the right one.

`slope` and `midpoint` are fitted on development measurements (was the top service right?), and
`threshold` is then chosen on the same measurements plus the unmet query set to balance unmet precision
and recall; `domain_weight` was chosen the same way (docs/benchmarks.md). `python -m bench.calibrate`
re-derives them. Fitting these few numbers is setting thresholds: no vocabulary is learnt from reports.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Calibration:
    slope: float = 1.709
    midpoint: float = 0.293
    domain_weight: float = 0.5
    threshold: float = 0.368

    def support(self, margin: np.ndarray, domain: float | np.ndarray = 0.0) -> np.ndarray:
        """The evidence for each service: its best margin plus the weighted in-domain score."""
        return margin + self.domain_weight * domain

    def confidence(self, support: float) -> float:
        z = self.slope * (support - self.midpoint)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, float]) -> Calibration:
        return cls(**{key: float(value) for key, value in data.items() if key in cls.__dataclass_fields__})
