"""Who is asking: a resident (the default) or a contact-centre officer (the staff channel).

Staff see staff-only phone numbers and staff notes, so a claim to be staff must not be taken from the public
widget on trust. The claim travels as `{"channel": "staff"}` in the REST `metadata`; the assistant's REST
channel (`bot.conversation.rest_channel`) only lets it through when the request carries the shared secret
`STAFF_CHANNEL_TOKEN` in the `X-Here-To-Help-Staff-Token` header, which the web app's staff proxy adds after
the officer has signed in. When no token is configured (a development machine), only requests from the same
host (the web app's proxy on loopback) may claim the staff channel. Anything else is downgraded to resident.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

RESIDENT = "resident"
STAFF = "staff"
CHANNELS = (RESIDENT, STAFF)
CHANNEL_LABELS = {RESIDENT: "Resident", STAFF: "Staff"}
"""How officers' pages and reports name each channel."""

STAFF_TOKEN_HEADER = "X-Here-To-Help-Staff-Token"
LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "::1", "localhost"})


def channel_from_metadata(metadata: Mapping[str, Any] | None) -> str:
    """ "staff" when the (already vetted) message metadata says so, otherwise "resident"."""
    if not metadata:
        return RESIDENT
    claimed = str(metadata.get("channel") or "").strip().lower()
    return STAFF if claimed == STAFF else RESIDENT


def staff_claim_allowed(
    *, presented_token: str | None, configured_token: str, remote_address: str | None
) -> bool:
    """May this request speak on the staff channel?

    With a configured token, only a request presenting the same token (compared in constant time). Without
    one, only a request from the same machine, i.e. the web app's own proxy.
    """
    if configured_token:
        if not presented_token:
            return False
        return hmac.compare_digest(presented_token.encode(), configured_token.encode())
    return (remote_address or "") in LOOPBACK_ADDRESSES


def vetted_metadata(
    metadata: Mapping[str, Any] | None,
    *,
    presented_token: str | None,
    configured_token: str,
    remote_address: str | None,
) -> dict[str, Any]:
    """The request's metadata with `channel` set to what the request is allowed to be."""
    vetted = dict(metadata or {})
    wants_staff = channel_from_metadata(vetted) == STAFF
    allowed = wants_staff and staff_claim_allowed(
        presented_token=presented_token, configured_token=configured_token, remote_address=remote_address
    )
    vetted["channel"] = STAFF if allowed else RESIDENT
    if wants_staff and not allowed:
        vetted["channel_downgraded"] = True
    return vetted
