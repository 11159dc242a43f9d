"""Writes the dashboard API's OpenAPI document (`docs/dashboard-openapi.json`) from its routes.

    python scripts/openapi.py [--check]

`--check` exits 1 when the file differs from what the routes give (a test runs it too).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lambda_src"))

from dashboard.api import build_api, openapi_document  # noqa: E402
from dashboard.service import DashboardService  # noqa: E402

DOCUMENT = REPO / "docs" / "dashboard-openapi.json"


def document() -> str:
    """The document as the routes define it (no backend is needed to describe them)."""
    app = build_api(DashboardService(backend=None), lambda _event: None)  # type: ignore[arg-type]
    return openapi_document(app)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    text = document()
    if args.check:
        if not DOCUMENT.is_file() or DOCUMENT.read_text("utf-8") != text:
            print(f"{DOCUMENT} is out of date: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    DOCUMENT.write_text(text, "utf-8")
    print(f"wrote {DOCUMENT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
