"""`autoqa`: score support calls against Battery Smart's SOPs on this machine, no AWS needed.

autoqa score FILE...      Transcribe JSON in, one result JSON per line out
autoqa run AUDIO...       two-channel recordings -> local transcription -> results
autoqa results [--flagged]
autoqa show CALL_ID
autoqa report             HTML report of every stored call
autoqa demo               score the bundled sample calls and write the report
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from autoqa.alert_log import JsonlAlertSink
from autoqa.report import write_report
from autoqa.settings import DEFAULT_AGENT_ID, Settings
from autoqa.store import SQLiteResultStore, UnreadableRow, write_atomically
from autoqa.terminal import printable
from autoqa.transcriber import SpeechModelError
from contracts.storage import AUDIO_SUFFIXES
from qa_engine.errors import QAInputError, RubricError
from qa_engine.ids import check_call_id
from qa_engine.models import QAResult
from qa_engine.pipeline import QAPipeline, Scorer
from qa_engine.rubric import load_rubric_dir
from qa_engine.rules_judge import RulesJudge


class _NullStore:
    def put(self, result: QAResult) -> None:
        pass

    def claim_alert(self, result: QAResult) -> bool:
        return False

    def release_alert(self, result: QAResult) -> None:
        pass


class _NullAlerts:
    def publish(self, alert) -> None:
        pass


class App:
    def __init__(self, settings: Settings, out: TextIO, err: TextIO) -> None:
        self.settings = settings
        self.out = out
        self.err = err
        rubric = load_rubric_dir(settings.prompts_dir)
        self.scorer = Scorer(rubric, RulesJudge(rubric))
        self._store: SQLiteResultStore | None = None

    @property
    def store(self) -> SQLiteResultStore:
        if self._store is None:
            self._store = SQLiteResultStore(self.settings.database)
        return self._store

    def pipeline(self, persist: bool) -> QAPipeline:
        if not persist:
            return QAPipeline(self.scorer, _NullStore(), _NullAlerts())
        return QAPipeline(
            self.scorer, self.store, JsonlAlertSink(self.settings.alert_log, self.err)
        )

    def error(self, path: Path | str, message: str) -> None:
        print(f"autoqa: {printable(path)}: {printable(message)}", file=self.err)

    def warn_unreadable(self) -> None:
        if self.store.unreadable:
            names = ", ".join(printable(c) for c in self.store.unreadable[:5])
            more = "" if len(self.store.unreadable) <= 5 else ", ..."
            print(
                f"autoqa: warning: {len(self.store.unreadable)} stored calls are unreadable "
                f"and left out ({names}{more}); score them again to replace them",
                file=self.err,
            )

    def emit(self, result: QAResult) -> None:
        print(result.model_dump_json(), file=self.out, flush=True)

    # --- commands ---------------------------------------------------------------------------

    def score(
        self, files: Sequence[Path], agent_id: str, call_id: str | None, persist: bool
    ) -> int:
        pipeline = self.pipeline(persist)
        failures = 0
        for path in files:
            try:
                raw = _read(path)
                result = pipeline.process(raw, call_id=call_id or _call_id(path), agent_id=agent_id)
            except QAInputError as exc:
                failures += 1
                self.error(path, str(exc))
                continue
            except Exception as exc:  # one bad file never ends the run for the others
                failures += 1
                self.error(path, f"could not be scored ({exc.__class__.__name__}: {exc})")
                continue
            self.emit(result)
        return 1 if failures else 0

    def run(
        self,
        files: Sequence[Path],
        agent_id: str,
        call_id: str | None,
        persist: bool = True,
        on_result: Callable[[QAResult], None] | None = None,
        emit: bool = True,
    ) -> int:
        from autoqa.transcriber import WhisperTranscriber  # loads ctranslate2: only when needed

        transcriber: WhisperTranscriber | None = None
        pipeline = self.pipeline(persist)
        failures = 0
        total = len(files)
        for n, path in enumerate(files, start=1):
            started = time.perf_counter()

            def progress(message: str, n: int = n, path: Path = path) -> None:
                print(f"[{n}/{total}] {printable(path.name)}: {message}", file=self.err, flush=True)

            try:
                this_call = call_id or _call_id(path)
                if path.suffix.lower() == ".json":
                    raise QAInputError(
                        "this is JSON, not audio: use `autoqa score` for transcripts"
                    )
                if transcriber is None:
                    progress(f"loading speech model {self.settings.whisper_model or 'tiny.en'}")
                    transcriber = WhisperTranscriber(self.settings.whisper_model)
                local = transcriber.transcribe_file(path, progress=progress)
                scored = self.scorer.score_transcript(
                    local.document, call_id=this_call, agent_id=agent_id
                )
            except QAInputError as exc:
                failures += 1
                self.error(path, str(exc))
                continue
            except SpeechModelError:
                raise
            except Exception as exc:  # one bad recording never ends the run for the others
                failures += 1
                self.error(path, f"could not be scored ({exc.__class__.__name__}: {exc})")
                continue
            for warning in local.warnings:
                progress(f"warning: {printable(warning)}")
            if local.warnings:  # stored, shown and alerted with the result
                scored = scored.model_copy(update={"warnings": [*scored.warnings, *local.warnings]})
            try:
                if persist:
                    self._save_transcript(this_call, local.document)
                result = pipeline.finish(scored)
            except OSError as exc:  # the store or the disk, not the recording
                failures += 1
                self.error(path, f"could not be stored ({exc.strerror or exc})")
                continue
            progress(f"scored {result.overall_score} in {time.perf_counter() - started:.1f} s")
            if emit:
                self.emit(result)
            if on_result:
                on_result(result)
        return 1 if failures else 0

    def _save_transcript(self, call_id: str, transcript: dict) -> None:
        folder = self.settings.transcripts
        path = folder / f"{check_call_id(call_id)}.json"
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(transcript, ensure_ascii=False).encode("utf-8"))

    def results(self, flagged: bool) -> int:
        rows = self.store.list(flagged_only=flagged)
        self.warn_unreadable()
        if not rows:
            print("no scored calls" + (" with flags" if flagged else ""), file=self.out)
            return 0
        print(format_table(rows), file=self.out)
        return 0

    def show(self, call_id: str) -> int:
        try:
            result = self.store.get(call_id)
        except UnreadableRow as exc:
            self.error(call_id, f"{exc}; score the call again to replace it")
            return 1
        if result is None:
            self.error(call_id, f"no scored call with this id in {self.settings.database}")
            return 1
        print(format_scorecard(result), file=self.out)
        return 0

    def evaluate(self, files: Sequence[Path], *, crosstalk: bool, as_json: bool) -> int:
        from autoqa.evaluation import evaluate, format_report, load_labelled

        try:
            calls = load_labelled(files)
        except QAInputError as exc:
            print(f"autoqa: {printable(exc)}", file=self.err)
            return 2
        variants = ("clean", "crosstalk") if crosstalk else ("clean",)
        report = evaluate(self.scorer, calls, variants)
        if as_json:
            print(json.dumps(report.summary(), indent=2), file=self.out)
        else:
            print(format_report(report), file=self.out)
        return 0

    def report(self) -> int:
        rows = self.store.list()
        self.warn_unreadable()
        path = write_report(rows, self.settings.report)
        print(f"report of {len(rows)} calls written to {path}", file=self.out)
        return 0

    def demo(self, samples: Path) -> int:
        files = sorted(p for p in samples.glob("*") if p.suffix.lower() in AUDIO_SUFFIXES)
        if not files:
            self.error(samples, "no sample recordings found (run `make samples` to create them)")
            return 1
        print(f"Scoring {len(files)} sample calls from {samples} ...", file=self.err)
        scored: list[QAResult] = []
        status = self.run(files, DEFAULT_AGENT_ID, None, on_result=scored.append, emit=False)
        if scored:
            print(format_table(scored), file=self.out)
            path = write_report(scored, self.settings.report)
            print(f"\nReport: {path.resolve()}", file=self.out)
            print(f"Alerts: {self.settings.alert_log.resolve()}", file=self.out)
        return status


def _read(path: Path) -> bytes:
    if path.is_dir():
        raise QAInputError("is a folder, not a Transcribe JSON file")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise QAInputError("file not found") from None
    except OSError as exc:
        raise QAInputError(f"cannot read the file ({exc.strerror})") from None


def _call_id(path: Path) -> str:
    try:
        return check_call_id(path.stem)
    except QAInputError as exc:
        raise QAInputError(f"cannot name a call after this file: {exc}") from None


def format_table(rows: Sequence[QAResult]) -> str:
    header = ("CALL", "AGENT", "SCORE", "FLAGS", "RISK", "ALERT")
    body = [
        (
            printable(r.call_id),
            printable(r.agent_id),
            str(r.overall_score),
            ", ".join(r.violation_flags) or "-",
            ", ".join(r.risk_reasons) if r.risk_flag else "no",
            ("URGENT" if r.urgent else "yes") if r.alerted else "no",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        for row in [header, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def format_scorecard(r: QAResult) -> str:
    p = printable
    out = [
        f"Call {p(r.call_id)}   agent {p(r.agent_id)}   {p(r.timestamp)}",
        f"Score {r.overall_score}/100   judge {p(r.judge)}   rubric {p(r.rubric_version)}",
        f"Risk: {', '.join(r.risk_reasons) or 'none'}   alerted: {'yes' if r.alerted else 'no'}",
        f"Sentiment: start {r.sentiment_start:+.2f}  end {r.sentiment_end:+.2f}  "
        f"trajectory {r.sentiment_trajectory:+.2f}",
        f"Summary: {p(r.summary_insight)}",
    ]
    if r.needs_review and r.second_opinion is not None:
        out.append(
            f"Needs review: {r.second_opinion.judge} judge disagrees on "
            f"{', '.join(r.disputed_sops)}" + (" (urgent)" if r.urgent_review else "")
        )
    out += ["", "SOP checks:"]
    for c in r.sop_checks:
        state = "VIOLATED" if c.violated else ("followed" if c.triggered else "not triggered")
        out.append(f"  {c.sop_id} {c.flag:<38} {state}: {p(c.note)}")
        for ev in c.evidence:
            minutes, secs = divmod(int(ev.start_time), 60)
            when = f"{minutes:02d}:{secs:02d}"
            out.append(f'      turn {ev.turn_index} at {when} {ev.speaker.value}: "{p(ev.quote)}"')
    for w in r.warnings:
        out.append(f"warning: {p(w)}")
    out += [
        "",
        "Transcript:",
        *(f"  [{i}] {p(line)}" for i, line in enumerate(r.transcript_text.splitlines())),
    ]
    return "\n".join(out)


def default_samples_dir() -> Path:
    for parent in Path(__file__).resolve().parents:
        if (parent / "samples").is_dir() and (parent / "prompts").is_dir():
            return parent / "samples"
    return Path("samples")


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
    return parser


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    args = build_parser().parse_args(argv)
    out = out or sys.stdout
    err = err or sys.stderr
    if getattr(args, "call_id", None) and args.command in ("score", "run"):
        if len(args.files) > 1:
            print("autoqa: --call-id names one call: give exactly one file with it", file=err)
            return 2
        try:
            check_call_id(args.call_id)
        except QAInputError as exc:
            print(f"autoqa: --call-id {printable(args.call_id)}: {exc}", file=err)
            return 2
    try:
        app = App(Settings.from_env(), out, err)
        if args.command == "score":
            return app.score(args.files, args.agent_id, args.call_id, not args.no_store)
        if args.command == "run":
            return app.run(args.files, args.agent_id, args.call_id, not args.no_store)
        if args.command == "results":
            return app.results(args.flagged)
        if args.command == "show":
            return app.show(args.call_id)
        if args.command == "report":
            return app.report()
        if args.command == "eval":
            return app.evaluate(args.files, crosstalk=not args.clean_only, as_json=args.json)
        return app.demo(args.samples or default_samples_dir())
    except (RubricError, SpeechModelError) as exc:
        print(f"autoqa: {exc}", file=err)
        return 2
    except KeyboardInterrupt:
        print("autoqa: interrupted", file=err)
        return 130


if __name__ == "__main__":
    sys.exit(main())
