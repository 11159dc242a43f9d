"""Powertools Logger and Metrics, created once for every function, and the services'
telemetry through them (EMF metrics in `contracts.qa_metrics`' namespace, JSON logs)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from contracts.qa_metrics import NAMESPACE

logger = Logger()
metrics = Metrics(namespace=NAMESPACE)


class PowertoolsTelemetry:
    def count(self, name: str, value: float = 1) -> None:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)

    def milliseconds(self, name: str, value: float) -> None:
        metrics.add_metric(name=name, unit=MetricUnit.Milliseconds, value=value)

    def log(self, level: str, message: str, **fields: Any) -> None:
        # stacklevel: the log line's location is the service's caller line, not this one.
        getattr(logger, level)(message, extra=fields, stacklevel=3)

    def correlate(self, call_id: str) -> None:
        logger.set_correlation_id(call_id)
