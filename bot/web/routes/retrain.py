"""The officer's retraining page: one button starts a retraining in the background (bot.retrain), the page
shows its progress and, when it ends, the bench figures of the old and the new model side by side.

No JavaScript: while a job runs the page refreshes itself every few seconds (a meta refresh, which the CSP
allows). The function that starts the background process is `app.state.retrain_spawn` (None: the real
process), so tests run the job in a thread with a fake trainer.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from bot.retrain.launch import AlreadyRunning, current_status, start
from bot.retrain.status import FAILED, KEPT, STAGES, SWITCHED
from bot.web.auth import SignedInUser, require_role, verify_csrf
from bot.web.deps import app_settings
from bot.web.templating import render

officer = require_role("officer")
router = APIRouter(prefix="/officer/retrain", tags=["officer"], dependencies=[Depends(officer)])

REFRESH_SECONDS = 5
FIGURES = (
    ("top1", "Right first time"),
    ("top3", "Right in the first three"),
    ("unmet_recall", "Unanswerable questions recognised"),
)
"""The bench figures shown for each set, old beside new (a set has the ones its rows allow)."""


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def score_rows(scores: dict) -> list[dict]:
    """One row per bench set and figure: the old model's value, the new one's, and whether it went down."""
    rows = []
    for name, pair in scores.items():
        old, new = pair.get("old") or {}, pair.get("new") or {}
        for key, label in FIGURES:
            if new.get(key) is None and old.get(key) is None:
                continue
            before, after = old.get(key), new.get(key)
            rows.append(
                {
                    "set": name,
                    "n": new.get("n", old.get("n", 0)),
                    "label": label,
                    "old": _percent(before),
                    "new": _percent(after),
                    "worse": before is not None and after is not None and after < before,
                }
            )
    return rows


@router.get("")
def retrain_page(request: Request) -> Response:
    status = current_status(app_settings(request).var_dir)
    context = {
        "status": status,
        "stages": STAGES,
        "rows": score_rows(status.scores) if status else [],
        "refresh": REFRESH_SECONDS if status and status.running else None,
        "states": {"switched": SWITCHED, "kept": KEPT, "failed": FAILED},
        "busy": request.query_params.get("busy"),
    }
    return render(request, "officer/retrain.html", context)


@router.post("", dependencies=[Depends(verify_csrf)])
def retrain_start(request: Request, user: SignedInUser = Depends(officer)) -> Response:
    try:
        start(app_settings(request), user.username, spawn=getattr(request.app.state, "retrain_spawn", None))
    except AlreadyRunning:
        return RedirectResponse("/officer/retrain?busy=1", status_code=303)
    return RedirectResponse("/officer/retrain", status_code=303)
