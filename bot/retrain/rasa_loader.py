"""Tell running Rasa servers to load a new model: `PUT /model` of Rasa's HTTP API (Rasa 3.6).

`here-to-help run` starts Rasa with `--enable-api` and `--auth-token` (RASA_TOKEN or the one kept under
VAR_DIR), so the token goes in the query string as Rasa expects. Rasa builds the new agent with the server's
own endpoints (the same SQL tracker store and action server) and keeps its lock store, so conversations carry
on: their history is in the tracker store, not in the model. Requests that arrive while the model loads
(a few seconds) wait; none is refused.
"""

from __future__ import annotations

from pathlib import Path

import httpx

LOAD_TIMEOUT_SECONDS = 180.0
"""Loading the demo model takes about 3 s on a quiet machine; a busy one or a big directory takes longer."""


class ModelSwitchError(RuntimeError):
    """A Rasa server did not take the new model; the message names it and says why."""


def reload_urls(rasa_url: str, setting: str) -> list[str]:
    """RASA_RELOAD_URLS when set, else RASA_URL: every server that must switch."""
    urls = [url.strip().rstrip("/") for url in setting.split(",") if url.strip()]
    return urls or [rasa_url.rstrip("/")]


def load_model(
    model: Path, urls: list[str], token: str | None, timeout: float = LOAD_TIMEOUT_SECONDS
) -> None:
    """`PUT /model {"model_file": model}` on each server in turn; the first refusal stops with its reason."""
    params = {"token": token} if token else None
    for url in urls:
        try:
            response = httpx.put(
                f"{url}/model", params=params, json={"model_file": str(model)}, timeout=timeout
            )
        except httpx.HTTPError as error:
            raise ModelSwitchError(f"could not reach the Rasa server at {url}: {error}") from error
        if response.status_code in (401, 403):
            code = response.status_code
            raise ModelSwitchError(f"the Rasa server at {url} refused the token (HTTP {code})")
        if response.status_code != 204:
            detail = response.text[:300]
            raise ModelSwitchError(f"the Rasa server at {url} answered HTTP {response.status_code}: {detail}")
