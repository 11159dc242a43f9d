"""Auto-QA's CloudWatch metrics (Powertools EMF): what the functions count, in one namespace."""

from __future__ import annotations

NAMESPACE = "BatterySmart/AutoQA"

# StartQA
TRANSCRIPTION_JOBS_STARTED = "TranscriptionJobsStarted"
TRANSCRIPTION_JOBS_RETRIED = "TranscriptionJobsRetried"
TRANSCRIPTION_JOBS_NOT_STARTED = "TranscriptionJobsNotStarted"
DUPLICATE_EVENTS = "DuplicateEvents"  # a job for this recording version exists already
RECORDINGS_REJECTED = "RecordingsRejected"  # empty, not audio, too short
RECORDINGS_SKIPPED = "RecordingsSkipped"  # nobody joined the call

# AnalyzeTranscript
CALLS_SCORED = "CallsScored"
FAILED_CALLS = "FailedCalls"
VIOLATIONS = "Violations"
ALERTS_SENT = "AlertsSent"
JUDGE_DISPUTES = "JudgeDisputes"  # the model and the rules disagree: needs review
JUDGE_FALLBACKS = "JudgeFallbacks"  # Bedrock unavailable: the rules judged alone
JUDGE_LATENCY = "JudgeLatency"  # milliseconds in Bedrock
INPUT_TOKENS = "InputTokens"
OUTPUT_TOKENS = "OutputTokens"
STALE_EVENTS_IGNORED = "StaleEventsIgnored"  # an older transcript version than the stored one
