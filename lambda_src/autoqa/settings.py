"""Where the local pipeline keeps its data and which speech model it uses."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = ".autoqa"
DEFAULT_AGENT_ID = "local-agent"


@dataclass(frozen=True)
class Settings:
    home: Path
    whisper_model: str | None  # a model name or a local path; None = the bundled tiny.en

    @property
    def database(self) -> Path:
        return self.home / "results.sqlite3"

    @property
    def alert_log(self) -> Path:
        return self.home / "alerts.jsonl"

    @property
    def transcripts(self) -> Path:
        return self.home / "transcripts"

    @property
    def report(self) -> Path:
        return self.home / "report.html"

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            home=Path(os.environ.get("AUTOQA_HOME") or DEFAULT_HOME),
            whisper_model=os.environ.get("AUTOQA_WHISPER_MODEL") or None,
        )
