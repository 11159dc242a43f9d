"""The line's call counts as CloudWatch metrics (the public health check says only "ok").

The connect API and the bots count events here; once a minute the calls holding a slot right
now, and the counts of what happened since the last flush (only what happened: a metric costs
for the hours it is published), go to CloudWatch in the voice line's namespace
(`contracts.health_metrics`), where the EscalationFailed alarm watches them. Publishing runs in
a worker thread and never fails a call: an error is logged and the counts are kept for the
next minute.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from contracts import health_metrics as m

logger = logging.getLogger(__name__)
FLUSH_SECONDS = 60.0


class CallMetrics:
    def __init__(self, max_calls: int, active_calls: Callable[[], int] = lambda: 0) -> None:
        self.max_calls = max_calls
        self.active_calls = active_calls
        self._counts: Counter[tuple[str, str | None]] = Counter()
        self._lock = threading.Lock()

    def count(self, name: str, reason: str | None = None, value: int = 1) -> None:
        with self._lock:
            self._counts[(name, reason)] += value

    def counts(self) -> dict[tuple[str, str | None], int]:
        with self._lock:
            return dict(self._counts)

    def take(self, now: datetime | None = None, active: int | None = None) -> list[dict[str, Any]]:
        """The metric data since the last take, in PutMetricData's shape; counts restart.

        `active` is the calls holding a slot, read on the event loop that owns them."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
        at = now or datetime.now(UTC)
        active = self.active_calls() if active is None else active
        data = [_datum(m.ACTIVE_CALLS, active, at)]
        for (name, reason), value in sorted(
            counts.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
        ):
            data.append(_datum(name, value, at, reason))
        return data

    def give_back(self, data: list[dict[str, Any]]) -> None:
        """Counts a failed flush did not deliver, added to the next one."""
        for datum in data:
            if datum["MetricName"] == m.ACTIVE_CALLS:
                continue
            reason = next((d["Value"] for d in datum.get("Dimensions", [])), None)
            self.count(datum["MetricName"], reason, int(datum["Value"]))


def _datum(name: str, value: float, at: datetime, reason: str | None = None) -> dict[str, Any]:
    datum: dict[str, Any] = {"MetricName": name, "Value": value, "Unit": "Count", "Timestamp": at}
    if reason is not None:
        datum["Dimensions"] = [{"Name": m.REASON, "Value": reason}]
    return datum


class CloudWatchPublisher:
    """Flushes `CallMetrics` to CloudWatch every minute while the service runs."""

    def __init__(self, metrics: CallMetrics, cloudwatch: Any, every: float = FLUSH_SECONDS):
        self.metrics = metrics
        self.cloudwatch = cloudwatch
        self.every = every

    def flush(self, active: int | None = None) -> bool:
        data = self.metrics.take(active=active)
        sent = 0
        try:
            for start in range(0, len(data), 1000):  # PutMetricData's limit per request
                self.cloudwatch.put_metric_data(
                    Namespace=m.NAMESPACE, MetricData=data[start : start + 1000]
                )
                sent = start + 1000
        except Exception as exc:  # throttled, no network: the counts wait for the next flush
            logger.warning("call metrics not published (%s); kept for the next minute", exc)
            self.metrics.give_back(data[sent:])
            return False
        return True

    async def run(self) -> None:
        try:
            while True:
                await asyncio.sleep(self.every)
                await self._flush()
        finally:
            await self._flush()  # what the last minute counted

    async def _flush(self) -> None:
        try:
            active = self.metrics.active_calls()  # on the loop, where the calls live
            await asyncio.to_thread(self.flush, active)
        except Exception:  # never let one bad minute stop the metrics the alarms watch
            logger.exception("call metrics flush failed")
