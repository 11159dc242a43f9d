"""The call page's origin (`https://dxxxx.cloudfront.net`), for CORS and supervisor join links.

The web stack is deployed after the voice line and writes its address into an SSM parameter;
the line reads it at run time, so neither deploy waits for the other and a page change never
touches the instance. A developer's page is given directly.

Reading never blocks a caller: the value is read once when the service starts, and after that
a stale value (older than a minute) is refreshed in a background thread while the last known
one keeps answering. The CORS check runs on the event loop every bot shares.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)
REFRESH_SECONDS = 60.0


def _in_thread(work: Callable[[], object]) -> None:
    threading.Thread(target=work, name="web-origin-refresh", daemon=True).start()


class WebOrigin:
    def __init__(
        self,
        *,
        static: str | None = None,
        parameter: str | None = None,
        ssm: Any | None = None,
        refresh_seconds: float = REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        spawn: Callable[[Callable[[], object]], None] = _in_thread,
    ) -> None:
        if parameter and ssm is None:
            raise ValueError("reading the origin from a parameter needs an SSM client")
        self._static = _normalize(static) if static else None
        self._parameter = parameter
        self._ssm = ssm
        self._refresh = refresh_seconds
        self._clock = clock
        self._spawn = spawn
        self._value: str | None = None
        self._read_at: float | None = None
        self._refreshing = False
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Any, ssm: Any | None = None) -> WebOrigin:
        parameter = getattr(settings, "web_origin_parameter", None)
        if parameter and ssm is None:
            import boto3
            from botocore.config import Config

            # Short timeouts: a slow SSM only delays a background refresh, never a call.
            config = Config(connect_timeout=2, read_timeout=3, retries={"max_attempts": 2})
            ssm = boto3.client("ssm", region_name=settings.region, config=config)
        return cls(static=settings.web_origin, parameter=parameter, ssm=ssm)

    def __call__(self) -> str | None:
        """The origin, or None while the page is not deployed (nothing is allowed then)."""
        if self._static or not self._parameter:
            return self._static
        with self._lock:
            stale = self._read_at is None or self._clock() - self._read_at >= self._refresh
            if stale and not self._refreshing:
                self._refreshing = True
                self._spawn(self.refresh)
            return self._value

    def refresh(self) -> str | None:
        """Reads the parameter now (blocking): at start-up, and in the background after."""
        value = self._read() if self._parameter else None
        with self._lock:
            self._read_at = self._clock()
            self._refreshing = False
            if value:  # keep the last one on errors
                self._value = value
            return self._value

    def allows(self, origin: str | None) -> bool:
        current = self()
        return bool(origin and current and _normalize(origin) == current)

    def _read(self) -> str | None:
        if self._ssm is None:
            return None
        try:
            response = self._ssm.get_parameter(Name=self._parameter)
        except Exception as exc:  # not deployed yet, throttled, no network: retried later
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
            logger.warning("web origin: cannot read %s (%s)", self._parameter, code)
            return None
        value = response["Parameter"]["Value"].strip()
        return _normalize(value) if value else None


def _normalize(origin: str) -> str:
    return origin.strip().rstrip("/")
