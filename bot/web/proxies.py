"""Who the client really is: the connecting address, unless it is a reverse proxy we were told to trust.

Rate limits are per client address. X-Forwarded-For is written by whoever sends the request, so believing
it from anyone lets one client look like thousands (25 chat messages and 30 wrong passwords with 25 and 30
made-up addresses all went through, because uvicorn trusts it from 127.0.0.1 by default). The app therefore
ignores it unless the connection comes from an address in TRUSTED_PROXIES (default: none), and then takes
the client from the right-hand end of the header, skipping our own proxies: the left-hand entries are
whatever the client claimed. `here-to-help run` starts uvicorn with `--no-proxy-headers` so this is the only
place the header is read.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
WEBSOCKET_SCHEMES = {"http": "ws", "https": "wss"}


@lru_cache(maxsize=8)
def parse_trusted(text: str) -> tuple[Network, ...]:
    """`"127.0.0.1, 10.0.0.0/8, ::1"` -> networks; ValueError naming the entry that is not an address."""
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(
                f"TRUSTED_PROXIES: {item!r} is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def is_trusted(address: str, trusted: Iterable[Network]) -> bool:
    parsed = _address(address)
    return parsed is not None and any(parsed in network for network in trusted)


def real_client(peer: str, forwarded_for: list[str], trusted: tuple[Network, ...]) -> str:
    """The client address for a request from `peer` carrying these X-Forwarded-For header values."""
    if not forwarded_for or not is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if is_trusted(hop, trusted):
            continue  # another of our own proxies
        # The first address our proxies did not write themselves: what the outermost proxy saw connect.
        return hop if _address(hop) is not None else peer
    return hops[0] if hops else peer


class TrustedProxyMiddleware:
    """Sets the request's client (and scheme, from X-Forwarded-Proto) from a trusted proxy's headers."""

    def __init__(self, app: ASGIApp, trusted: str) -> None:
        self.app = app
        self.trusted = parse_trusted(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and self.trusted and client:
            peer = client[0]
            if is_trusted(peer, self.trusted):
                headers = [(name.lower(), value.decode("latin-1")) for name, value in scope["headers"]]
                forwarded = [value for name, value in headers if name == b"x-forwarded-for"]
                scope = dict(scope)
                scope["client"] = (real_client(peer, forwarded, self.trusted), 0)
                protos = [value for name, value in headers if name == b"x-forwarded-proto"]
                proto = protos[-1].split(",")[-1].strip().lower() if protos else ""
                if proto in ("http", "https"):
                    scope["scheme"] = proto if scope["type"] == "http" else WEBSOCKET_SCHEMES[proto]
        await self.app(scope, receive, send)
