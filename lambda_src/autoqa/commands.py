"""The `autoqa` commands: score transcripts, transcribe and score recordings, list, show,
report, evaluate and demo. Each scores through `application.call_analysis.CallAnalysis`, the
service the AnalyzeTranscript function runs, with this machine's adapters."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from application.call_analysis import CallAnalysis
from autoqa.alert_log import JsonlAlertSink
from autoqa.formatting import format_scorecard, format_table
from autoqa.report import write_report
from autoqa.settings import DEFAULT_AGENT_ID, Settings
from autoqa.store import SQLiteResultStore, UnreadableRow, write_atomically
from autoqa.terminal import printable
from autoqa.transcriber import SpeechModelError, WhisperTranscriber
from contracts.storage import AUDIO_SUFFIXES
from qa_engine.alerts import Alert
from qa_engine.errors import QAInputError
from qa_engine.ids import check_call_id
from qa_engine.models import FailedCall, QAResult
from qa_engine.rubric import load_rubric_dir


class _NullStore:
    """`--no-store`: results are printed only."""

    def put(self, result: QAResult) -> None:
        pass

    def claim_alert(self, result: QAResult) -> bool:
        return False

    def release_alert(self, result: QAResult) -> None:
        pass


class _NullAlerts:
    def publish(self, alert: Alert) -> None:
        pass


class App:
    def __init__(self, settings: Settings, out: TextIO, err: TextIO) -> None:
        self.settings = settings
        self.out = out
        self.err = err
        self.rubric = load_rubric_dir(settings.prompts_dir)
        self._store: SQLiteResultStore | None = None
        self._whisper: WhisperTranscriber | None = None

    @property
    def store(self) -> SQLiteResultStore:
        if self._store is None:
            self._store = SQLiteResultStore(self.settings.database)
        return self._store

    def analysis(self, persist: bool) -> CallAnalysis:
        """The same service the AnalyzeTranscript function runs, with local adapters: the rules
        judge, the SQLite store and the alert log (or neither, with `--no-store`)."""
        if not persist:
            return CallAnalysis(lambda: self.rubric, _NullStore(), _NullAlerts())
        alerts = JsonlAlertSink(self.settings.alert_log, self.err)
        return CallAnalysis(lambda: self.rubric, self.store, alerts)

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
        analysis = self.analysis(persist)
        failures = 0
        for path in files:
            try:
                raw = _read(path)
                result = analysis.analyze(raw, call_id=call_id or _call_id(path), agent_id=agent_id)
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
        analysis = self.analysis(persist)
        failures = 0
        for n, path in enumerate(files, start=1):

            def progress(message: str, n: int = n, path: Path = path) -> None:
                where = f"[{n}/{len(files)}] {printable(path.name)}"
                print(f"{where}: {message}", file=self.err, flush=True)

            result = self._run_one(analysis, path, call_id or "", agent_id, persist, progress)
            if result is None:
                failures += 1
                continue
            if emit:
                self.emit(result)
            if on_result:
                on_result(result)
        return 1 if failures else 0

    def _transcriber(self, progress: Callable[[str], None]) -> WhisperTranscriber:
        """The speech model, loaded on the first recording."""
        if self._whisper is None:
            progress(f"loading speech model {self.settings.whisper_model or 'tiny.en'}")
            self._whisper = WhisperTranscriber(self.settings.whisper_model)
        return self._whisper

    def _run_one(
        self,
        analysis: CallAnalysis,
        path: Path,
        call_id: str,
        agent_id: str,
        persist: bool,
        progress: Callable[[str], None],
    ) -> QAResult | None:
        """One recording transcribed, scored, stored: the result, or None after an error line
        (one bad recording never ends the run for the others)."""
        started = time.perf_counter()
        try:
            this_call = call_id or _call_id(path)
            if path.suffix.lower() == ".json":
                raise QAInputError("this is JSON, not audio: use `autoqa score` for transcripts")
            local = self._transcriber(progress).transcribe_file(path, progress=progress)
            scored = analysis.score(
                local.document,
                call_id=this_call,
                agent_id=agent_id,
                warnings=local.warnings,
                recording_uri=str(path.resolve()),
            )
        except QAInputError as exc:
            self.error(path, str(exc))
            if persist and call_id_or_none(call_id, path):
                self._record_failure(call_id_or_none(call_id, path), agent_id, str(exc), path)
            return None
        except SpeechModelError:
            raise
        except Exception as exc:
            self.error(path, f"could not be scored ({exc.__class__.__name__}: {exc})")
            return None
        for warning in local.warnings:
            progress(f"warning: {printable(warning)}")
        try:
            if persist:
                self._save_transcript(this_call, local.document)
            result = analysis.finish(scored)
        except OSError as exc:  # the store or the disk, not the recording
            self.error(path, f"could not be stored ({exc.strerror or exc})")
            return None
        analysis.report(result)
        progress(f"scored {result.overall_score} in {time.perf_counter() - started:.1f} s")
        return result

    def _record_failure(self, call_id: str | None, agent_id: str, reason: str, path: Path) -> None:
        """Keep the call that could not be scored, with why, for the dashboard."""
        if call_id is None:
            return
        recording = str(path.resolve()) if path.is_file() else None
        failure = FailedCall.now(call_id, agent_id, reason, str(path), recording)
        try:
            self.store.put_failure(failure)
        except OSError as exc:
            self.error(path, f"could not record the failure ({exc.strerror or exc})")

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
        report = evaluate(self.analysis(persist=False).scorer(), calls, variants)
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

    def serve(
        self,
        host: str,
        port: int,
        dist: Path | None,
        reviewer: str | None,
        *,
        allow_remote: bool = False,
        open_browser: bool = False,
    ) -> int:
        from autoqa.dashboard_commands import serve

        return serve(self, host, port, dist, reviewer, allow_remote, open_browser)

    def export_labels(self, output: Path | None, start: str | None, end: str | None) -> int:
        from autoqa.dashboard_commands import export_labels

        return export_labels(self, output, start, end)

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


def call_id_or_none(call_id: str, path: Path) -> str | None:
    """The call's id, if the file's name (or --call-id) makes a valid one."""
    try:
        return call_id or _call_id(path)
    except QAInputError:
        return None


def _call_id(path: Path) -> str:
    try:
        return check_call_id(path.stem)
    except QAInputError as exc:
        raise QAInputError(f"cannot name a call after this file: {exc}") from None


def default_samples_dir() -> Path:
    for parent in Path(__file__).resolve().parents:
        if (parent / "samples").is_dir() and (parent / "prompts").is_dir():
            return parent / "samples"
    return Path("samples")
