"""`autoqa serve` and `autoqa export-labels`: the dashboard and its reviews on this machine."""

from __future__ import annotations

import getpass
import webbrowser
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from autoqa.dashboard_store import SQLiteDashboardBackend
from autoqa.serve import RemoteBindRefused, make_server
from autoqa.store import write_atomically
from dashboard.errors import BadRequest
from dashboard.query import parse_instant
from dashboard.service import DashboardService

if TYPE_CHECKING:
    from autoqa.commands import App

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def default_dist() -> Path:
    for parent in Path(__file__).resolve().parents:
        if (parent / "frontend").is_dir() and (parent / "prompts").is_dir():
            return parent / "frontend" / "dist"
    return Path("frontend") / "dist"


def serve(
    app: App,
    host: str,
    port: int,
    dist: Path | None,
    reviewer: str | None,
    allow_remote: bool,
    open_browser: bool,
) -> int:
    dist = dist or default_dist()
    try:
        server = make_server(
            app.store,
            host=host,
            port=port,
            dist=dist,
            reviewer=reviewer or getpass.getuser(),
            allow_remote=allow_remote,
        )
    except RemoteBindRefused as exc:
        print(f"autoqa: {exc}", file=app.err)
        return 2
    except OSError as exc:
        print(f"autoqa: cannot listen on {host}:{port} ({exc.strerror or exc})", file=app.err)
        return 2
    if not (dist / "index.html").is_file():
        print(f"autoqa: warning: {dist} has no built page: run `make frontend`", file=app.err)
    url = f"{server.url}/dashboard"
    print(f"Dashboard: {url}", file=app.out, flush=True)
    print(f"Calls from {app.settings.database}; Ctrl-C stops.", file=app.err, flush=True)
    if open_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def export_labels(app: App, output: Path | None, start: str | None, end: str | None) -> int:
    try:
        since = parse_instant(start, "--from") if start else EARLIEST
        until = parse_instant(end, "--to") if end else datetime.now(UTC)
    except BadRequest as exc:
        print(f"autoqa: {exc.message}", file=app.err)
        return 2
    service = DashboardService(SQLiteDashboardBackend(app.store))
    cases = sorted(service.all_labels(since, until), key=lambda c: (c.reviewed_at, c.id))
    header = (
        "# Calls reviewed by supervisors, as labelled cases: the violations are the flags the\n"
        "# latest review settled on; `risk` is the scorecard's own (reviews do not cover risk).\n"
        "# Score a judge against them with `autoqa eval FILE`.\n"
    )
    entries = [c.model_dump(mode="json") for c in cases]  # turns as [speaker, text] lists
    text = header + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100)
    if output is None:
        print(text, end="", file=app.out)
    else:
        write_atomically(output, text.encode("utf-8"))
        print(f"{len(cases)} reviewed calls written to {output}", file=app.err)
    return 0
