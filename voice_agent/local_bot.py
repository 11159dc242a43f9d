"""The same bot on one machine: Pipecat's SmallWebRTC transport and prebuilt browser client.

    make voice-local    AWS voice services with your credentials; open http://localhost:7860
    make call-demo      offline services (faster-whisper, espeak-ng, the SOP policy) and
                        simulated callers; no account, no network

Pipecat's development runner serves the prebuilt client at `/client` and WebRTC signalling at
`/api/offer`; each connection gets its own pipeline from `build_call_pipeline`, exactly as a
LiveKit room does on the instance. Every call is recorded to
`$AUTOQA_HOME/recordings/<call_id>.wav` (bot left, caller right, the layout Egress writes)
with `<call_id>.meta.json` beside it (which brain answered, fallbacks, escalation). A request
for a supervisor goes to `$AUTOQA_HOME/escalations.jsonl` and, with `ALERTS_TOPIC_ARN`
set, to that SNS topic.

    VOICE_SERVICES=aws|offline   which services answer (default aws)
    VOICE_LLM=policy|bedrock     offline only: the SOP policy answers (default), or Bedrock
                                 does with the policy as its fallback
    VOICE_ICE_LOOPBACK=1         keep WebRTC on 127.0.0.1 (offline calls and tests)
    SILENCE_TIMEOUT_SECONDS=60   the bot says goodbye and hangs up after this much silence
    MAX_CALL_SECONDS=900         and at this call length
    SUPPORT_PHONE=...            the number a caller is given when no supervisor can be reached
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import sys
from functools import cache
from pathlib import Path

from contracts.storage import metadata_key
from voice_agent.escalation import LocalEscalationLog
from voice_agent.loopback import restrict_ice_to_loopback
from voice_agent.settings import SettingsError, VoiceSettings

_CALL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def check_aws_access(settings: VoiceSettings) -> None:
    """Fail before the first call, in one line, when AWS cannot be reached as this user."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    session = boto3.Session(region_name=settings.region)
    if session.get_credentials() is None:
        raise SettingsError(
            "no AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY) for an account with Transcribe, Bedrock and Polly, "
            "or run offline: make call-demo"
        )
    config = Config(connect_timeout=5, read_timeout=5, retries={"max_attempts": 1})
    try:
        session.client("sts", config=config).get_caller_identity()
    except (BotoCoreError, ClientError) as exc:
        raise SettingsError(f"AWS did not accept these credentials: {exc}") from exc


def check_offline_tools() -> None:
    if shutil.which("espeak-ng") is None:
        raise SettingsError("offline voice needs espeak-ng: apt-get install espeak-ng")


@cache
def _rubric_and_policy(prompts_dir: Path | None):
    from qa_engine.rubric import load_rubric_dir
    from voice_agent.policy import SopPolicy

    rubric = load_rubric_dir(prompts_dir)
    return rubric, SopPolicy.load(rubric, prompts_dir)


def call_id_from(body) -> str:
    from voice_agent.tokens import new_call_id

    wanted = body.get("call_id") if isinstance(body, dict) else None
    return wanted if isinstance(wanted, str) and _CALL_ID.match(wanted) else new_call_id()


def _services(settings: VoiceSettings):
    from voice_agent.services import aws_services, bedrock_llm

    _, policy = _rubric_and_policy(settings.prompts_dir)
    if settings.services == "offline":
        from voice_agent.offline_services import offline_services

        services = offline_services(policy)
        if settings.local_llm == "bedrock":
            services.llm = bedrock_llm(settings)
        return services
    return aws_services(settings)


async def bot(runner_args) -> None:
    """Pipecat runner entry point: one call on one browser (or simulated) connection."""
    from pipecat.pipeline.runner import PipelineRunner
    from pipecat.transports.base_transport import TransportParams
    from pipecat.transports.smallwebrtc.transport import SmallWebRTCTransport

    from voice_agent.call_limits import Limits
    from voice_agent.pipeline import build_call_pipeline
    from voice_agent.recording import CallRecorder

    settings = VoiceSettings.for_local()
    call_id = call_id_from(runner_args.body)
    transport = SmallWebRTCTransport(
        webrtc_connection=runner_args.webrtc_connection,
        params=TransportParams(audio_in_enabled=True, audio_out_enabled=True),
    )
    log = LocalEscalationLog.in_folder(settings.home, settings)

    async def escalate(reason: str) -> None:
        await asyncio.to_thread(log.record, call_id, reason)  # EscalationFailed if unreachable

    rubric, policy = _rubric_and_policy(settings.prompts_dir)
    recorder = CallRecorder(settings.home / "recordings", call_id)
    call = build_call_pipeline(
        transport=transport,
        services=await asyncio.to_thread(_services, settings),
        rubric=rubric,
        call_id=call_id,
        escalate=escalate,
        policy=policy,
        llm_name=f"bedrock:{settings.model_id}",
        recorder=recorder,
        limits=Limits.from_settings(settings),
        support_phone=settings.support_phone,
    )

    @transport.event_handler("on_client_connected")
    async def _greet(_transport, _client) -> None:
        await call.greet()

    @transport.event_handler("on_client_disconnected")
    async def _caller_left(_transport, _client) -> None:
        await call.task.cancel()

    await PipelineRunner(handle_sigint=False).run(call.task)
    meta = recorder.path.with_name(metadata_key(recorder.path.name))
    meta.parent.mkdir(parents=True, exist_ok=True)
    meta.write_text(json.dumps(call.finished_metadata(), indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        settings = VoiceSettings.for_local()
        if settings.services == "offline":
            check_offline_tools()
        else:
            check_aws_access(settings)
    except SettingsError as exc:
        print(f"voice-local: {exc}", file=sys.stderr)
        return 2
    from pipecat.runner.run import main as run_pipecat

    from voice_agent.smallwebrtc_audio import install as keep_webrtc_audio_in_real_time

    if settings.ice_loopback:
        restrict_ice_to_loopback()
    keep_webrtc_audio_in_real_time()  # several calls at once on one event loop
    if settings.services == "offline":
        from voice_agent.offline_services import warm_up

        warm_up()  # the speech model loads now, not during the first calls
    if "--port" not in args:
        args += ["--port", str(settings.port)]
    if "-t" not in args and "--transport" not in args:
        args += ["-t", "webrtc"]
    sys.argv = [str(Path(__file__)), *args]
    print(f"voice-local: open http://localhost:{args[args.index('--port') + 1]}/client/")
    run_pipecat()
    return 0


if __name__ == "__main__":
    sys.exit(main())
