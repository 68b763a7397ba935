"""`python -m bench.calibrate`: re-derives the router's confidence curve and unmet threshold.

On the demo directory, for every development report and every unmet query, it takes the top candidate's
support (see `Router.evidence`). It then fits the two Platt parameters (`slope`, `midpoint`) so that
confidence estimates the chance that the top service is right, and chooses the confidence threshold that
maximises the smaller of unmet precision and recall. It prints the values to put in
`bot/routing/calibration.py`. Only these numbers come from the development set; no words do.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from sklearn.linear_model import LogisticRegression

from bench.directories import demo_directory_entries
from bench.run import DEV_SET, UNMET_SET
from bot.routing.calibration import Calibration
from bot.routing.evaluate import read_queries
from bot.routing.router import Router


def supports(router: Router, rows: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    support, correct, unmet = [], [], []
    for row in rows:
        if not row.text.strip():
            continue
        margins, evidence = router.evidence(row.text)
        top = int(np.argmax(margins))
        support.append(evidence[top])
        correct.append(bool(row.expected & set(router.services[top][2])))
        unmet.append(row.is_unmet)
    return np.array(support), np.array(correct), np.array(unmet)


def best_threshold(support: np.ndarray, unmet: np.ndarray) -> tuple[float, float, float]:
    """The support below which a query is called unmet, maximising min(precision, recall)."""
    best = (-math.inf, 0.0, 0.0, 0.0)
    for cut in np.unique(np.quantile(support, np.linspace(0.0, 0.3, 1500))):
        said = support < cut
        hits = int((said & unmet).sum())
        precision = hits / max(int(said.sum()), 1)
        recall = hits / max(int(unmet.sum()), 1)
        if min(precision, recall) > best[0]:
            best = (min(precision, recall), float(cut), precision, recall)
    return best[1], best[2], best[3]


def main() -> int:
    if not DEV_SET.is_file():
        print(f"skipped: {DEV_SET} is not here")
        return 0
    rows = read_queries(DEV_SET) + read_queries(UNMET_SET)
    router = Router().fit(demo_directory_entries())
    support, correct, unmet = supports(router, rows)
    model = LogisticRegression(C=1e4).fit(support.reshape(-1, 1), correct & ~unmet)
    slope = float(model.coef_[0][0])
    midpoint = float(-model.intercept_[0] / slope)
    cut, precision, recall = best_threshold(support, unmet)
    calibration = replace(Calibration(), slope=round(slope, 3), midpoint=round(midpoint, 3))
    threshold = round(calibration.confidence(cut), 4)
    print(f"support cut {cut:.3f}: unmet precision {precision:.3f}, recall {recall:.3f}")
    print(f"Calibration(slope={slope:.3f}, midpoint={midpoint:.3f}, threshold={threshold})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
