"""Where webhooks may go: https URLs whose host resolves only to public addresses (no SSRF).

Checked at registration and again before every delivery, on the addresses the delivery then connects to,
so a name that later resolves elsewhere (DNS rebinding) is caught. Written with the standard library's
`ipaddress` because the rule is short and must be exact: `is_global` alone admits IPv4-mapped IPv6
forms of private addresses on older Pythons and says nothing of cloud metadata names, so every range is
named here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from gateway.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Beyond what `ipaddress` classifies: carrier-grade NAT, the cloud metadata services, NAT64 of anything.
BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "100.64.0.0/10",  # CGNAT (RFC 6598)
        "169.254.0.0/16",  # link-local, with 169.254.169.254 (AWS, GCP, Azure metadata)
        "192.0.0.0/24",
        "198.18.0.0/15",
        "fd00:ec2::254/128",  # AWS metadata over IPv6 (inside fc00::/7 as well)
        "64:ff9b::/96",  # NAT64: would reach any IPv4 address, private ones included
        "64:ff9b:1::/48",
        "2002::/16",  # 6to4: embeds an IPv4 address
    )
)
MAX_URL = 2048


class AddressRefused(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True, slots=True)
class Destination:
    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]  # vetted, in the resolver's order


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return is_public(mapped)
    if (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    ):
        return False
    return not any(address in network for network in BLOCKED_NETWORKS if network.version == address.version)


def parse(url: str, settings: Settings) -> tuple[str, str, int]:
    """Scheme, host and port of an acceptable URL; AddressRefused otherwise."""
    if len(url) > MAX_URL:
        raise AddressRefused("URL_INVALID", "too long")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise AddressRefused("URL_INVALID", str(exc)) from exc
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise AddressRefused("URL_INVALID", "not an http(s) URL")
    if parts.username or parts.password:
        raise AddressRefused("URL_INVALID", "credentials in the URL")
    if parts.scheme == "http" and not settings.webhooks_allow_http:
        raise AddressRefused("URL_NOT_HTTPS", "http")
    return parts.scheme, parts.hostname.rstrip("."), port or (443 if parts.scheme == "https" else 80)


async def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused("HOST_UNRESOLVABLE", f"{host}: {exc}") from exc
    # Scope ids ("fe80::1%eth0") are dropped: such an address is link-local and refused anyway.
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found))


async def vet(url: str, settings: Settings) -> Destination:
    """The URL's destination, every address it resolves to checked; AddressRefused when any is not public."""
    scheme, host, port = parse(url, settings)
    addresses = await resolve(host, port)
    if not addresses:
        raise AddressRefused("HOST_UNRESOLVABLE", host)
    if not settings.webhooks_allow_private:
        refused = [str(a) for a in addresses if not is_public(a)]
        if refused:
            raise AddressRefused("ADDRESS_NOT_PUBLIC", ", ".join(refused))
    return Destination(url.strip(), scheme, host, port, tuple(str(a) for a in addresses))
