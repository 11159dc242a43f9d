"""The voice line's CloudWatch metrics: what the outside health check and the connect API on
the instance publish, and what the alarms watch. One namespace for both."""

from __future__ import annotations

NAMESPACE = "BatterySmart/VoiceLine"

# Published by the HealthCheck function, from outside the instance.
HEALTHY = "Healthy"  # 1: /healthz answered 200 over a trusted certificate
CERTIFICATE_VALID = "CertificateValid"  # 1: the certificate verified for the host name
CERTIFICATE_DAYS_LEFT = "CertificateDaysLeft"  # days until it expires

# Published by the connect API on the instance (the public /healthz says only "ok").
ACTIVE_CALLS = "ActiveCalls"  # calls holding a slot, sampled every minute (Maximum)
CALLS_STARTED = "CallsStarted"  # connect requests that got a call (Sum)
CALLS_REFUSED = "CallsRefused"  # connect requests refused, with the dimension REASON (Sum)
REASON = "Reason"  # the API's error: busy, closed, rate_limited, origin_refused, ...
CALLS_NOT_JOINED = "CallsNotJoined"  # calls nobody joined in time: their slot was freed
CALLS_ENDED_BY_LIMIT = "CallsEndedByLimit"  # with REASON: silence | max_length
ESCALATIONS = "Escalations"  # supervisors alerted for live calls (Sum)
ESCALATION_FAILED = "EscalationFailed"  # alerts that could not be published after retries
