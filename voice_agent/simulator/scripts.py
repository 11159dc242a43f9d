"""Scripted caller sides: what the caller says, line by line, and what the call must show."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

SCRIPTS_DIR = Path(__file__).resolve().parent / "scripts"


class CallScript(BaseModel):
    """A caller's side of a call.

    `lines` may be empty: the caller listens to the greeting and says nothing. After its last
    line the caller stays on the line, silent, for `silent_seconds`; then it hangs up
    (`hang_up: caller`), or, with `hang_up: bot`, the bot must have ended the call by then.
    """

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    lines: list[str] = Field(default_factory=list)
    escalates: bool = False  # the call must reach a supervisor (an escalation alert)
    silent_seconds: float = Field(default=0.0, ge=0)
    hang_up: Literal["caller", "bot"] = "caller"


def load_scripts(folder: Path = SCRIPTS_DIR) -> dict[str, CallScript]:
    scripts = {}
    for path in sorted(folder.glob("*.yaml")):
        script = CallScript.model_validate(yaml.safe_load(path.read_text("utf-8")))
        scripts[script.name] = script
    return scripts
