"""Scripted caller sides: what the caller says, line by line, and what the call must show."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field

SCRIPTS_DIR = Path(__file__).resolve().parent / "scripts"


class CallScript(BaseModel):
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    lines: list[str] = Field(min_length=1)
    escalates: bool = False  # the call must reach a supervisor (an escalation alert)


def load_scripts(folder: Path = SCRIPTS_DIR) -> dict[str, CallScript]:
    scripts = {}
    for path in sorted(folder.glob("*.yaml")):
        script = CallScript.model_validate(yaml.safe_load(path.read_text("utf-8")))
        scripts[script.name] = script
    return scripts
