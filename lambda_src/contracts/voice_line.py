"""What the voice line's parts agree on: the connect API's routes, the supervisor invite,
and the environment variables the instance's agent reads (rendered by the deploy)."""

from __future__ import annotations

# Routes of the connect API, behind Caddy on the line's host name.
CONNECT_PATH = "/api/connect"  # POST: start a call (the Call Support page)
INVITE_PATH = "/api/invite"  # POST {"code"}: a supervisor's invite for a short-lived token
HEALTH_PATH = "/healthz"  # GET: {"status": "ok"}, nothing else

# The supervisor's join link: the code is in the fragment, which browsers never send to a
# server, so it stays out of CloudFront's logs; the page exchanges it once at INVITE_PATH.
JOIN_PAGE = "/join"
INVITE_FRAGMENT_KEY = "invite"
INVITE_TTL_SECONDS = 10 * 60  # a code works once, within this time
SUPERVISOR_TOKEN_TTL_SECONDS = 5 * 60  # time to connect with the exchanged token

# Call limits (seconds), each overridable on the instance by the variable below.
JOIN_TIMEOUT_SECONDS = 20  # a call nobody joins frees its slot
SILENCE_TIMEOUT_SECONDS = 60  # the bot says goodbye after this much silence
MAX_CALL_SECONDS = 15 * 60  # and at this call length

# Environment variables of the agent on the instance.
ENV_SUPPORT_PHONE = "SUPPORT_PHONE"
ENV_JOIN_TIMEOUT = "JOIN_TIMEOUT_SECONDS"
ENV_SILENCE_TIMEOUT = "SILENCE_TIMEOUT_SECONDS"
ENV_MAX_CALL = "MAX_CALL_SECONDS"
ENV_TRUSTED_PROXIES = "TRUSTED_PROXIES"  # peers whose X-Forwarded-For is believed
ENV_CALL_METRICS = "CALL_METRICS"  # "cloudwatch" on the instance; unset: counted, not sent
DEFAULT_TRUSTED_PROXIES = ("127.0.0.1", "::1")  # Caddy, on the same host


# Beside each recording the bot writes `<recording without extension>.meta.json`: which brain
# answered, its fallbacks, the escalation, and which limit ended the call, if one did.
METADATA_SUFFIX = ".meta.json"
ENDED_BY_LIMIT = "ended_by_limit"
NOT_JOINED = "not_joined"  # nobody joined: the recording holds no call, QA skips it


def metadata_key(recording_key: str) -> str:
    """`recordings/ai-agent/call-1.ogg` -> `recordings/ai-agent/call-1.meta.json`."""
    folder, _, name = recording_key.rpartition("/")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{folder}/{stem}{METADATA_SUFFIX}" if folder else f"{stem}{METADATA_SUFFIX}"
