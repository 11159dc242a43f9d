"""Where the local pipeline keeps its data, which speech model and which rubric it uses: the
only module of `autoqa` that reads the environment (names from `contracts.environment`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from contracts import environment as env

DEFAULT_HOME = env.AUTOQA_HOME_DEFAULT
DEFAULT_AGENT_ID = "local-agent"


@dataclass(frozen=True)
class Settings:
    home: Path
    whisper_model: str | None  # a model name or a local path; None = the bundled tiny.en
    prompts_dir: Path | None = None  # the rubric's folder; None = the repository's prompts/

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
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        prompts = environ.get(env.AUTOQA_PROMPTS_DIR)
        return cls(
            home=Path(environ.get(env.AUTOQA_HOME) or DEFAULT_HOME),
            whisper_model=environ.get(env.AUTOQA_WHISPER_MODEL) or None,
            prompts_dir=Path(prompts) if prompts else None,
        )
