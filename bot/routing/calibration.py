"""Turns the router's raw evidence for its top service into a confidence between 0 and 1.

The evidence is the SVM margin (how clearly this service beats the rest) and the nearest-text cosine (how
closely the message matches any one thing the directory or lexicon says about the service). A message about
something the directory does not hold has both low. They are blended as `z = margin + nearest_weight *
nearest`, and `confidence = 1 / (1 + exp(-slope * (z - midpoint)))` (Platt scaling).

`slope` and `midpoint` are two numbers fitted on development measurements (whether the top service was right,
and the unmet query set); `threshold` is then chosen on the same measurements to balance unmet precision and
recall. The defaults below are those fitted values; `bench/calibrate.py` re-derives them. Fitting two or
three numbers is setting thresholds: no vocabulary is learnt from residents' reports.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Calibration:
    slope: float = 0.936
    midpoint: float = -0.095
    keyword_weight: float = 2.0
    threshold: float = 0.4154

    def support(self, margin: np.ndarray, keyword: np.ndarray) -> np.ndarray:
        """The evidence for each service: its best margin plus the weighted strongest keyword."""
        return margin + self.keyword_weight * keyword

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
