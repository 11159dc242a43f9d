"""Fixtures of the command-line tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh AUTOQA_HOME for each test."""
    monkeypatch.setenv("AUTOQA_HOME", str(tmp_path / "home"))
    return tmp_path / "home"
