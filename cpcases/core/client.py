"""The one answer to "which address is this request from?" (issue 12 §6), used by the sign-in
lockout (django-axes) and the audit trail alike.

X-Forwarded-For is written by the client as much as by proxies, so it is believed only as far
as it was written by a proxy we trust: starting from the peer that connected to us, each hop
is accepted only while the address that handed it on is in TRUSTED_PROXIES. The first address
not handed on by a trusted proxy is the client. With no trusted proxies configured (develop-
ment), the peer address is the client and X-Forwarded-For is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
    if address is None:
        return False
    return any(address in net for net in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str | None:
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    client = peer
    if _trusted(peer):
        hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        for hop in reversed(hops):
            address = _parse(hop)
            if address is None:  # garbage in the header: stop at the last proxy we trust
                break
            client = address
            if not _trusted(address):
                break
    return str(client)
