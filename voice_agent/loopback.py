"""Keeps WebRTC on this machine's loopback interface, for offline calls and their tests.

aioice (aiortc's ICE) offers every interface's address except 127.0.0.1; a call between a
bot and a simulated caller on one machine then travels over the machine's network address.
With this on, both ends offer 127.0.0.1 only, so no packet of a test call leaves loopback.
"""

from __future__ import annotations


def loopback_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    """What aioice offers as host candidates once restricted: 127.0.0.1 only."""
    return ["127.0.0.1"] if use_ipv4 else []


def restrict_ice_to_loopback() -> None:
    import aioice.ice

    aioice.ice.get_host_addresses = loopback_addresses
