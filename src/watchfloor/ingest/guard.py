"""Where watchfloor may fetch from: public addresses only, unless a deployment says otherwise.

A feed's item link, a page's redirect or a URL given to `ingest` could aim at the watch floor's
own network (server-side request forgery): a metadata service, an admin page on localhost. Every
request the fetching client makes, each redirect included, is checked here first.
`WATCHFLOOR_ALLOW_PRIVATE_FETCH=1` allows non-public addresses, for feeds on an intranet.
The name is resolved again when connecting; a name that changes its answer in between (DNS
rebinding) is not caught here, which is why the setting stays off where it can.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from watchfloor.errors import NonPublicAddress
from watchfloor.settings import setting

PRIVATE_FETCH_ENV = "WATCHFLOOR_ALLOW_PRIVATE_FETCH"


def public_only(url: str) -> None:
    """Raise NonPublicAddress unless every address of the URL's host is public. A name that
    does not resolve is left to fail on connecting, with its own message."""
    if setting(PRIVATE_FETCH_ENV) == "1":
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        return
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise NonPublicAddress(
                f"{host} is a non-public address ({address}); watchfloor fetches only public "
                f"addresses unless {PRIVATE_FETCH_ENV}=1"
            )
