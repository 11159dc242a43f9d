"""The voice instance, as the stack that builds it and the files rendered on it agree:

- its ports (the security group opens the public ones; the configs bind them all);
- where its files live (the user data writes them; the rendered configs name them);
- what a value must look like before it reaches the instance's shell or its configs: one
  definition for the synth-time check (VoiceStack) and the instance's render.py. No pattern
  admits a quote, `$`, a backtick, `;`, `&`, `|`, `<`, `>`, a backslash or a newline, so a value
  that passes cannot break out of the user data's single quotes, run a command or add a line to
  agent.env. (A phone number's spaces and parentheses are why the user data quotes every value
  as well.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- Ports ---------------------------------------------------------------------------------
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


# --- Files on the instance -----------------------------------------------------------------
VOICE_DIR = "/opt/voice"
APP_DIR = f"{VOICE_DIR}/app"  # the repository's files the instance needs
RUN_DIR = f"{VOICE_DIR}/run"  # rendered configs (root only)
CADDY_DATA = f"{VOICE_DIR}/caddy-data"  # certificates: restored from and backed up to S3
STATE_PREFIX = "caddy/"  # their key prefix in the state bucket


# --- Values the configs take ---------------------------------------------------------------
# A DNS name: dot-separated labels of letters, digits and inner hyphens; at least two labels.
LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOSTNAME = re.compile(rf"(?=.{{1,253}}\Z)({LABEL}\.)+[A-Za-z]{{2,63}}")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@" + HOSTNAME.pattern)
# The number callers are given (the call page shows the same one): "+91 80 4567 8900".
PHONE = re.compile(r"[+0-9 ()-]{6,20}")
HOSTNAME_EXAMPLE = "voice.example.com"
EMAIL_EXAMPLE = "ops@example.com"
PHONE_EXAMPLE = "+91 80 4567 8900"


def is_hostname(value: str) -> bool:
    return HOSTNAME.fullmatch(value) is not None


def is_email(value: str) -> bool:
    return EMAIL.fullmatch(value) is not None


def is_phone(value: str) -> bool:
    return PHONE.fullmatch(value) is not None and any(c.isdigit() for c in value)
