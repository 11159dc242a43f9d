"""What the voice line's parts agree on: the connect API's routes, the supervisor invite,
the call limits and the call's metadata beside its recording. The variables that override
them on the instance are named in `contracts.environment`."""

from __future__ import annotations

BOT_AGENT_ID = "ai-agent"  # the bot's agent id in recording keys and QA results

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

# Call limits (seconds), each overridable on the instance by its environment variable.
JOIN_TIMEOUT_SECONDS = 20  # a call nobody joins frees its slot
SILENCE_TIMEOUT_SECONDS = 60  # the bot says goodbye after this much silence
MAX_CALL_SECONDS = 15 * 60  # and at this call length
DEFAULT_TRUSTED_PROXIES = ("127.0.0.1", "::1")  # Caddy, on the same host
CALL_METRICS_CLOUDWATCH = "cloudwatch"  # the instance sends its call counts to CloudWatch


# Beside each recording the bot writes its metadata (`contracts.storage.metadata_key`): which
# brain answered, its fallbacks, the escalation, and which limit ended the call, if one did.
ENDED_BY_LIMIT = "ended_by_limit"
NOT_JOINED = "not_joined"  # nobody joined: the recording holds no call, QA skips it
