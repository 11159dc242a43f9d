"""`autoqa`: score support calls against Battery Smart's SOPs on this machine, no AWS needed.

autoqa score FILE...      Transcribe JSON in, one result JSON per line out
autoqa run AUDIO...       two-channel recordings -> local transcription -> results
autoqa results [--flagged]
autoqa show CALL_ID
autoqa report             HTML report of every stored call
autoqa demo               score the bundled sample calls and write the report
autoqa serve              the supervisor dashboard over the stored calls, on this machine
autoqa export-labels      reviewed calls as labelled cases (the public cases' format)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from autoqa.commands import App, default_samples_dir
from autoqa.settings import DEFAULT_AGENT_ID, Settings
from autoqa.terminal import printable
from autoqa.transcriber import SpeechModelError
from qa_engine.errors import QAInputError, RubricError
from qa_engine.ids import check_call_id


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autoqa",
        description="Score Battery Smart support calls against the SOPs, locally.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def add_ids(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--agent-id",
            default=DEFAULT_AGENT_ID,
            help=f"agent who took the calls (default: {DEFAULT_AGENT_ID})",
        )
        p.add_argument("--call-id", help="call id (one file only; default: the file name)")
        p.add_argument(
            "--no-store", action="store_true", help="print results only: no store, no alerts"
        )

    p = sub.add_parser("score", help="score Amazon Transcribe JSON files")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    add_ids(p)
    p = sub.add_parser("run", help="transcribe two-channel recordings locally and score them")
    p.add_argument("files", nargs="+", type=Path, metavar="AUDIO")
    add_ids(p)
    p = sub.add_parser("results", help="list scored calls")
    p.add_argument("--flagged", action="store_true", help="only calls with violations or risk")
    p = sub.add_parser("show", help="one call's scorecard with evidence")
    p.add_argument("call_id")
    sub.add_parser("report", help="write the HTML report of every stored call")
    p = sub.add_parser(
        "eval", help="score labelled calls and print precision, recall and F1 of the judge"
    )
    p.add_argument("files", nargs="+", type=Path, metavar="CASES.yaml")
    p.add_argument(
        "--clean-only", action="store_true", help="skip the variant where the sides talk over"
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p = sub.add_parser("demo", help="score the bundled sample calls and write the HTML report")
    p.add_argument("--samples", type=Path, default=None, help="folder of recordings")
    p = sub.add_parser("serve", help="serve the supervisor dashboard over the stored calls")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    p.add_argument("--port", type=int, default=8765, help="port (default: 8765; 0: any free)")
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow an address other than loopback (there is no sign-in locally)",
    )
    p.add_argument("--dist", type=Path, default=None, help="the built page (frontend/dist)")
    p.add_argument("--reviewer", default=None, help="name reviews are signed with (default: you)")
    p.add_argument("--open", action="store_true", help="open the dashboard in a browser")
    p = sub.add_parser(
        "export-labels", help="write reviewed calls as labelled cases (YAML) for `autoqa eval`"
    )
    p.add_argument("--output", "-o", type=Path, default=None, help="file (default: stdout)")
    p.add_argument("--from", dest="start", default=None, help="ISO date or time (default: all)")
    p.add_argument("--to", dest="end", default=None, help="ISO date or time (default: now)")
    return parser


def _check_ids(args: argparse.Namespace, err: TextIO) -> bool:
    """`--call-id` names one call, and must be a valid id."""
    if not (getattr(args, "call_id", None) and args.command in ("score", "run")):
        return True
    if len(args.files) > 1:
        print("autoqa: --call-id names one call: give exactly one file with it", file=err)
        return False
    try:
        check_call_id(args.call_id)
    except QAInputError as exc:
        print(f"autoqa: --call-id {printable(args.call_id)}: {exc}", file=err)
        return False
    return True


COMMANDS: dict[str, Callable[[App, argparse.Namespace], int]] = {
    "score": lambda app, a: app.score(a.files, a.agent_id, a.call_id, not a.no_store),
    "run": lambda app, a: app.run(a.files, a.agent_id, a.call_id, not a.no_store),
    "results": lambda app, a: app.results(a.flagged),
    "show": lambda app, a: app.show(a.call_id),
    "report": lambda app, a: app.report(),
    "eval": lambda app, a: app.evaluate(a.files, crosstalk=not a.clean_only, as_json=a.json),
    "demo": lambda app, a: app.demo(a.samples or default_samples_dir()),
    "serve": lambda app, a: app.serve(
        a.host, a.port, a.dist, a.reviewer, allow_remote=a.allow_remote, open_browser=a.open
    ),
    "export-labels": lambda app, a: app.export_labels(a.output, a.start, a.end),
}


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    args = build_parser().parse_args(argv)
    out = out or sys.stdout
    err = err or sys.stderr
    if not _check_ids(args, err):
        return 2
    try:
        return COMMANDS[args.command](App(Settings.from_env(), out, err), args)
    except (RubricError, SpeechModelError) as exc:
        print(f"autoqa: {exc}", file=err)
        return 2
    except KeyboardInterrupt:
        print("autoqa: interrupted", file=err)
        return 130


if __name__ == "__main__":
    sys.exit(main())
