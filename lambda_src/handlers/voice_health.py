"""The voice line seen from outside: HTTPS to its health check, every few minutes.

Publishes, as CloudWatch embedded metrics in namespace `BatterySmart/VoiceLine`:
- `Healthy` 1 or 0: the line answered `GET /healthz` with 200 over a trusted certificate (only
  the status counts: the public body is `{"status": "ok"}` and says nothing of the calls, whose
  counts the instance publishes itself);
- `CertificateValid` 1 or 0: the certificate verified for the hostname (absent when the host
  could not be reached at all, since then nothing is known of it);
- `CertificateDaysLeft`: days until the certificate expires.
While the line is closed by its schedule (and for a few minutes after it opens, while the
instance starts) nothing is published, so the alarms stay quiet.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from contracts.health_metrics import (
    CERTIFICATE_DAYS_LEFT,
    CERTIFICATE_VALID,
    HEALTHY,
    NAMESPACE,
)
from contracts.voice_line import HEALTH_PATH
from qa_aws.settings import HealthCheckSettings

STARTUP_GRACE_MINUTES = 10
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Probe:
    healthy: bool
    certificate_valid: bool | None
    days_left: float | None
    detail: str


def probe(host: str, path: str = HEALTH_PATH, port: int = 443, timeout: float = TIMEOUT_SECONDS,
          context: ssl.SSLContext | None = None, now: float | None = None) -> Probe:  # fmt: skip
    context = context or ssl.create_default_context()
    conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
    try:
        conn.request("GET", path, headers={"User-Agent": "battery-smart-health-check"})
        cert = conn.sock.getpeercert() if conn.sock else None
        response = conn.getresponse()
        response.read(4096)
    except ssl.SSLCertVerificationError as exc:
        return Probe(False, False, None, f"certificate not trusted: {exc.verify_message}")
    except ssl.SSLError as exc:
        return Probe(False, False, None, f"TLS failed: {exc.reason or exc}")
    except (OSError, http.client.HTTPException) as exc:
        detail = "timed out" if isinstance(exc, socket.timeout | TimeoutError) else repr(exc)
        return Probe(False, None, None, f"unreachable: {detail}")
    finally:
        conn.close()
    days_left = None
    not_after = cert.get("notAfter") if cert else None
    if isinstance(not_after, str) and not_after:
        expires = ssl.cert_time_to_seconds(not_after)
        days_left = round((expires - (now if now is not None else time.time())) / 86400, 2)
    if response.status != 200:
        return Probe(False, True, days_left, f"health check answered {response.status}")
    return Probe(True, True, days_left, "ok")


def emf(result: Probe, host: str, timestamp_ms: int) -> dict[str, Any]:
    metrics: dict[str, float] = {HEALTHY: 1 if result.healthy else 0}
    if result.certificate_valid is not None:
        metrics[CERTIFICATE_VALID] = 1 if result.certificate_valid else 0
    if result.days_left is not None:
        metrics[CERTIFICATE_DAYS_LEFT] = result.days_left
    return {
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [[]],
                    "Metrics": [
                        {"Name": name, "Unit": "Count" if name == HEALTHY else "None"}
                        for name in metrics
                    ],
                }
            ],
        },
        **metrics,
        "host": host,
        "detail": result.detail,
    }


def lambda_handler(event: dict, context: Any, now: datetime | None = None) -> dict:
    settings = HealthCheckSettings.from_env()
    host, line = settings.hostname, settings.hours
    at = now or datetime.now(UTC)
    if line is not None and (not line.is_open(at) or line.opened_within(at, STARTUP_GRACE_MINUTES)):
        print(json.dumps({"host": host, "detail": f"closed by schedule ({line})"}))
        return {"checked": False, "reason": "closed"}
    result = probe(host)
    print(json.dumps(emf(result, host, int(at.timestamp() * 1000))))
    return {"checked": True, "healthy": result.healthy, "detail": result.detail}
