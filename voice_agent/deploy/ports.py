"""Every port the voice line uses: the one source for the configs and the security group."""

from __future__ import annotations

from dataclasses import dataclass

HTTPS = 443  # Caddy: the connect API and LiveKit signalling (wss://) for browsers
HTTP = 80  # Caddy: ACME HTTP-01 certificate challenges, then redirects to HTTPS
RTC_TCP = 7881  # LiveKit ICE/TCP fallback when UDP is blocked
TURN_UDP = 3478  # LiveKit's embedded TURN server, for callers behind symmetric NATs
RTC_UDP_START = 50000  # WebRTC media: a narrow range, enough for ~100 participants
RTC_UDP_END = 50199
# Internal only (bound to the instance, never opened to the internet):
LIVEKIT_HTTP = 7880
CONNECT_API = 8080
REDIS = 6379
EGRESS_HEALTH = 9090


@dataclass(frozen=True)
class PublicPort:
    protocol: str  # "tcp" or "udp"
    start: int
    end: int
    why: str


PUBLIC_PORTS = (
    PublicPort("tcp", HTTPS, HTTPS, "HTTPS: call page API and LiveKit signalling over wss"),
    PublicPort("tcp", HTTP, HTTP, "HTTP: certificate challenges; everything else redirects"),
    PublicPort("tcp", RTC_TCP, RTC_TCP, "WebRTC over TCP when a network blocks UDP"),
    PublicPort("udp", TURN_UDP, TURN_UDP, "TURN relay for callers behind strict NATs"),
    PublicPort("udp", RTC_UDP_START, RTC_UDP_END, "WebRTC media (audio) for the calls"),
)
