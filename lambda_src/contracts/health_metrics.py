"""The metrics the voice line's outside health check publishes and its alarms watch."""

from __future__ import annotations

NAMESPACE = "BatterySmart/VoiceLine"
HEALTHY = "Healthy"  # 1: /healthz answered 200 over a trusted certificate
CERTIFICATE_VALID = "CertificateValid"  # 1: the certificate verified for the host name
CERTIFICATE_DAYS_LEFT = "CertificateDaysLeft"  # days until it expires
