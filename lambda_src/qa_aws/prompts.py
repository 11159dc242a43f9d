"""The rubric read from S3 at run time: cached per container, reloaded when a file changes.

`make push-prompts` uploads `prompts/`; the next invocation after the refresh interval sees
the new ETags and judges by the new files, no redeploy. Every result names the rubric
version (the content hash) that judged it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from qa_engine.rubric import RUBRIC_FILES, Rubric


class S3PromptStore:
    def __init__(
        self,
        s3: Any,
        bucket: str,
        prefix: str,
        refresh_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._s3 = s3
        self.bucket = bucket
        self.prefix = prefix if prefix.endswith("/") else prefix + "/"
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._rubric: Rubric | None = None
        self._etags: dict[str, str] = {}
        self._checked_at = float("-inf")

    def rubric(self) -> Rubric:
        now = self._clock()
        if self._rubric is not None and now - self._checked_at < self.refresh_seconds:
            return self._rubric
        etags = self._list_etags()
        if self._rubric is None or etags != self._etags:
            files = {
                name: self._s3.get_object(Bucket=self.bucket, Key=self.prefix + name)["Body"].read()
                for name in RUBRIC_FILES
            }
            self._rubric = Rubric(files)
            self._etags = etags
        self._checked_at = now
        return self._rubric

    def _list_etags(self) -> dict[str, str]:
        etags = {}
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for obj in page.get("Contents", []):
                name = obj["Key"][len(self.prefix) :]
                if name in RUBRIC_FILES:
                    etags[name] = obj["ETag"]
        return etags
