"""Local supervisor alerts: a JSON-lines log, one alert per line, and a line on the console."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from qa_engine.alerts import Alert
from qa_engine.models import utc_now_iso


class JsonlAlertSink:
    def __init__(self, path: Path, console: TextIO | None = None) -> None:
        self.path = path
        self.console = console if console is not None else sys.stderr
        path.parent.mkdir(parents=True, exist_ok=True)

    def publish(self, alert: Alert) -> None:
        record = {"sent_at": utc_now_iso(), "severity": alert.severity, **alert.model_dump()}
        with self.path.open("a", encoding="utf-8") as log:
            log.write(json.dumps(record, ensure_ascii=False) + "\n")
        marker = "URGENT ALERT" if alert.urgent else "alert"
        flags = ", ".join(alert.violation_flags) or "no violations"
        risk = f"; risk: {', '.join(alert.risk_reasons)}" if alert.risk_reasons else ""
        print(
            f"{marker}: call {alert.call_id} (agent {alert.agent_id}) "
            f"score {alert.overall_score}, {flags}{risk}",
            file=self.console,
        )
