"""Which IP addresses a customer may ask the firewall to unblock: global unicast host addresses only."""

from __future__ import annotations

import ipaddress

# Shown in the error message; tests/test_products.py unblocks it to prove the example is itself accepted.
EXAMPLES = ("93.184.215.14", "2a00:1450:4001:82b::200e")
# Global by Python's registry tables, but not a host anyone can be blocked from:
# the deprecated 6to4 relay anycast (RFC 7526) and NAT64's well-known prefix (RFC 6052).
NOT_HOSTS = (ipaddress.ip_network("192.88.99.0/24"), ipaddress.ip_network("64:ff9b::/96"))

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse(raw: str) -> Address | None:
    try:
        return ipaddress.ip_address(raw.strip())
    except ValueError:
        return None


def is_global_unicast_host(ip: Address) -> bool:
    """Not multicast, reserved, private, loopback, link-local, shared, documentation or unspecified."""
    if isinstance(ip, ipaddress.IPv6Address) and (ip.ipv4_mapped is not None or ip.scope_id or ip.is_site_local):
        # An IPv4 address written as IPv6, a zone-scoped or a (deprecated) site-local one: not a global host.
        return False
    if any(ip in network for network in NOT_HOSTS if network.version == ip.version):
        return False
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified
    )
