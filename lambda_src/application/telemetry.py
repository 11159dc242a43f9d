"""How a service reports what happened: counts, durations and log lines. Lambda sends them
through Powertools (EMF metrics, structured logs); the local CLI has nobody to send them to."""

from __future__ import annotations

from typing import Any, Protocol


class Telemetry(Protocol):
    def count(self, name: str, value: float = 1) -> None: ...

    def milliseconds(self, name: str, value: float) -> None: ...

    def log(self, level: str, message: str, **fields: Any) -> None:
        """`level` is info, warning or error."""

    def correlate(self, call_id: str) -> None:
        """Tag what follows with the call it is about."""


class NullTelemetry:
    def count(self, name: str, value: float = 1) -> None:
        pass

    def milliseconds(self, name: str, value: float) -> None:
        pass

    def log(self, level: str, message: str, **fields: Any) -> None:
        pass

    def correlate(self, call_id: str) -> None:
        pass
