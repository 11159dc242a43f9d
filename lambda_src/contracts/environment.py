"""Environment variable names: what each runtime reads, and who sets it.

Each runtime reads its variables through one settings class (`qa_aws.settings` in Lambda,
`voice_agent.settings` on the voice instance and a developer's machine, `autoqa.settings`
for the local CLI); the stacks, the instance's rendered `agent.env` and the local tools set
them by these names. A test compares what each function's environment sets with what its
settings read.
"""

from __future__ import annotations

# --- QA functions (QaPipelineStack sets them; qa_aws.settings reads them) -------------------
TABLE_NAME = "TABLE_NAME"  # the results table
TRANSCRIPTS_BUCKET = "TRANSCRIPTS_BUCKET"  # Transcribe's output; also big transcripts
TRANSCRIBE_ROLE_ARN = "TRANSCRIBE_ROLE_ARN"  # the data access role Transcribe assumes
LANGUAGE_OPTIONS = "LANGUAGE_OPTIONS"  # "en-IN,hi-IN": Transcribe's language identification
MIN_DURATION_SECONDS = "MIN_DURATION_SECONDS"  # shorter recordings are failed, not transcribed
MAX_RECEIVE_COUNT = "MAX_RECEIVE_COUNT"  # the queue's deliveries before the dead-letter queue
TOPIC_ARN = "TOPIC_ARN"  # SupervisorAlerts
CONFIG_BUCKET = "CONFIG_BUCKET"  # the rubric and prompts
PROMPTS_PREFIX = "PROMPTS_PREFIX"
PROMPTS_REFRESH_SECONDS = "PROMPTS_REFRESH_SECONDS"
JUDGE = "JUDGE"  # bedrock | rules
MODEL_ID = "MODEL_ID"  # the Bedrock model: the judge's here, the bot's on the instance
MIN_SECONDS_FOR_BEDROCK = "MIN_SECONDS_FOR_BEDROCK"  # less time left: the rules judge answers

# --- The voice line's health check (VoiceStack sets them) ------------------------------------
VOICE_HOSTNAME = "VOICE_HOSTNAME"
VOICE_HOURS = "VOICE_HOURS"  # contracts.line_hours format; empty: always open

# --- The dashboard's API function (WebStack sets them; qa_aws.settings.DashboardSettings) ----
# TABLE_NAME and TRANSCRIPTS_BUCKET as above; RECORDINGS_BUCKET as the voice agent's below.
REVIEWS_TABLE_NAME = "REVIEWS_TABLE_NAME"  # supervisors' reviews

# --- Read by libraries in the functions, not by the product's settings -----------------------
POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
LOG_LEVEL = "LOG_LEVEL"
LIBRARY_VARIABLES = frozenset({POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, LOG_LEVEL})

# --- Set by the platform (Lambda, the instance's agent.env, the AWS CLI profile) --------------
AWS_REGION = "AWS_REGION"
AWS_DEFAULT_REGION = "AWS_DEFAULT_REGION"
PLATFORM_VARIABLES = frozenset({AWS_REGION, AWS_DEFAULT_REGION})

# --- The voice agent (the instance's agent.env; a developer's shell) -------------------------
LIVEKIT_URL = "LIVEKIT_URL"  # what browsers and the bot connect to (wss://...)
LIVEKIT_API_URL = "LIVEKIT_API_URL"  # where the connect API creates rooms
LIVEKIT_API_KEY = "LIVEKIT_API_KEY"
LIVEKIT_API_SECRET = "LIVEKIT_API_SECRET"
POLLY_VOICE = "POLLY_VOICE"
STT_LANGUAGE = "STT_LANGUAGE"
RECORDINGS_BUCKET = "RECORDINGS_BUCKET"  # where Egress uploads each call
ALERTS_TOPIC_ARN = "ALERTS_TOPIC_ARN"  # SupervisorAlerts, for escalations
WEB_ORIGIN = "WEB_ORIGIN"  # the call page's origin, when given directly
WEB_ORIGIN_PARAMETER = "WEB_ORIGIN_PARAMETER"  # or the SSM parameter holding it
LINE_HOURS = "LINE_HOURS"
MAX_CALLS = "MAX_CALLS"
CALLS_PER_MINUTE_PER_CLIENT = "CALLS_PER_MINUTE_PER_CLIENT"
MAX_CALLS_PER_CLIENT = "MAX_CALLS_PER_CLIENT"
SUPPORT_PHONE = "SUPPORT_PHONE"
JOIN_TIMEOUT_SECONDS = "JOIN_TIMEOUT_SECONDS"
SILENCE_TIMEOUT_SECONDS = "SILENCE_TIMEOUT_SECONDS"
MAX_CALL_SECONDS = "MAX_CALL_SECONDS"
TRUSTED_PROXIES = "TRUSTED_PROXIES"  # peers whose X-Forwarded-For is believed
CALL_METRICS = "CALL_METRICS"  # "cloudwatch" on the instance; unset: counted, not sent
HOST = "HOST"  # the connect API's bind address
PORT = "PORT"  # the connect API's (or the local bot's) port
# A developer's machine only
VOICE_SERVICES = "VOICE_SERVICES"  # aws | offline (local Whisper, espeak-ng, the policy)
VOICE_LLM = "VOICE_LLM"  # policy | bedrock, with offline services
VOICE_ICE_LOOPBACK = "VOICE_ICE_LOOPBACK"  # 1: WebRTC offers 127.0.0.1 only

# --- The local QA pipeline (`autoqa`) --------------------------------------------------------
AUTOQA_HOME = "AUTOQA_HOME"  # where results, transcripts and recordings are kept
AUTOQA_HOME_DEFAULT = ".autoqa"  # in the current folder
AUTOQA_WHISPER_MODEL = "AUTOQA_WHISPER_MODEL"  # a faster-whisper model name or folder
AUTOQA_PROMPTS_DIR = "AUTOQA_PROMPTS_DIR"  # the rubric's folder, if not the repository's

# Read with a default that suits every deployment, so no stack or rendered file sets them; an
# operator may (a function's configuration, the instance's agent.env). Every other variable a
# runtime reads is set by what deploys it.
OPTIONAL = frozenset(
    {
        MIN_DURATION_SECONDS,
        PROMPTS_REFRESH_SECONDS,
        MIN_SECONDS_FOR_BEDROCK,
        POLLY_VOICE,
        STT_LANGUAGE,
        WEB_ORIGIN,
        CALLS_PER_MINUTE_PER_CLIENT,
        MAX_CALLS_PER_CLIENT,
        AUTOQA_PROMPTS_DIR,
    }
)
