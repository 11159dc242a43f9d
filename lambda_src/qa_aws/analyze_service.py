"""AnalyzeTranscript's service: a Transcribe JSON in S3 -> a scored row in DynamoDB and, if due,
an alert; a failed transcription job -> a failed call with Transcribe's reason.

S3 may deliver an event twice, late, or after a newer transcript of the same call: only the
newest version is ever stored and alerted on (see `qa_aws.dynamo_store`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from application.call_analysis import CallAnalysis
from application.telemetry import Telemetry
from contracts import qa_metrics
from contracts.results_table import recording_of
from contracts.storage import ObjectKeyError, recording_ref, transcript_ref
from qa_aws.dynamo_store import DynamoResultStore, newer_version_stored, original_agent_id
from qa_aws.judges import pick_judges
from qa_aws.prompts import S3PromptStore
from qa_aws.s3_objects import ObjectChangedError, S3Object, read_object
from qa_aws.settings import AnalyzeSettings
from qa_aws.sns_alerts import SnsAlertSink
from qa_engine.errors import QAInputError
from qa_engine.models import FailedCall


@dataclass(frozen=True)
class AnalyzeService:
    settings: AnalyzeSettings
    s3: Any
    bedrock: Any
    transcribe: Any
    prompts: S3PromptStore
    store: DynamoResultStore
    alerts: SnsAlertSink
    telemetry: Telemetry

    def analysis(self, remaining_seconds: Callable[[], float]) -> CallAnalysis:
        """The shared use case with this deployment's judges, for one invocation."""
        judges = pick_judges(
            self.settings.judge,
            self.bedrock,
            self.settings.model_id,
            remaining_seconds,
            self.settings.min_seconds_for_bedrock,
            self.telemetry,
        )
        return CallAnalysis(
            self.prompts.rubric, self.store, self.alerts, judges=judges, telemetry=self.telemetry
        )

    def transcript_created(self, obj: S3Object, remaining_seconds: Callable[[], float]) -> None:
        try:
            ref = transcript_ref(obj.key)
        except ObjectKeyError as exc:
            reason = str(exc)
            self.telemetry.log(
                "warning", "not a transcript key; ignored", key=obj.key, reason=reason
            )
            return
        self.telemetry.correlate(ref.call_id)
        row = self.store.get(ref.call_id)
        if newer_version_stored(row, obj.sequencer):
            return self._ignore_stale(obj, "a newer transcript version is stored")
        agent_id = original_agent_id(row, ref)
        try:
            raw = read_object(self.s3, obj)
        except ObjectChangedError as exc:
            return self._ignore_stale(obj, str(exc))
        analysis = self.analysis(remaining_seconds)
        source = f"s3://{obj.bucket}/{obj.key}"
        recording = recording_of(row)
        try:
            result = analysis.score(
                raw,
                call_id=ref.call_id,
                agent_id=agent_id,
                source_version=obj.version or None,
                recording_uri=recording,
            )
        except QAInputError as exc:
            reason = str(exc)
            return self._record_failure(ref.call_id, agent_id, reason, source, obj, recording)
        store = self.store.for_transcript(obj.sequencer, previous=row)
        result = analysis.finish(result, store)
        if not store.stored and newer_version_stored(self.store.get(ref.call_id), obj.sequencer):
            return self._ignore_stale(obj, "a newer transcript version was stored meanwhile")
        analysis.report(result)

    def transcription_failed(self, detail: dict[str, Any]) -> None:
        if detail.get("TranscriptionJobStatus") != "FAILED":
            return
        name = detail.get("TranscriptionJobName", "")
        job = self.transcribe.get_transcription_job(TranscriptionJobName=name)["TranscriptionJob"]
        uri = job.get("Media", {}).get("MediaFileUri", "")
        key = uri.split("/", 3)[3] if uri.count("/") >= 3 else ""
        try:
            ref = recording_ref(key)
        except ObjectKeyError:
            self.telemetry.log("warning", "failed job for an unknown recording", job=name, uri=uri)
            return
        self.telemetry.correlate(ref.call_id)
        reason = f"transcription failed: {job.get('FailureReason', 'no reason given')}"
        self._record_failure(ref.call_id, ref.agent_id, reason, uri, recording_uri=uri)

    def _record_failure(
        self,
        call_id: str,
        agent_id: str,
        reason: str,
        source: str,
        obj: S3Object | None = None,
        recording_uri: str | None = None,
    ) -> None:
        self.telemetry.log("warning", "call not scored", reason=reason, source=source)
        failure = FailedCall.now(call_id, agent_id, reason, source, recording_uri or None)
        self.store.put_failure(
            failure,
            version=obj.version if obj else None,
            sequencer=obj.sequencer if obj else None,
        )
        self.telemetry.count(qa_metrics.FAILED_CALLS)

    def _ignore_stale(self, obj: S3Object, reason: str) -> None:
        """An event for an older transcript version than the one stored: no row, no alert."""
        self.telemetry.log(
            "warning",
            "stale event ignored",
            key=obj.key,
            version=obj.version,
            sequencer=obj.sequencer,
            reason=reason,
        )
        self.telemetry.count(qa_metrics.STALE_EVENTS_IGNORED)
