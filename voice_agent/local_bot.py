"""The same bot on a developer's machine: Pipecat's SmallWebRTC transport and prebuilt client.

    make voice-local            (python -m voice_agent.local_bot; open http://localhost:7860)

Pipecat's development runner serves the prebuilt browser client at `/client` and the WebRTC
signalling at `/api/offer`; each browser connection gets its own pipeline from
`build_call_pipeline`, exactly as a LiveKit room does on the instance. The voice services are
Amazon's (Transcribe streaming, Bedrock, Polly) with the developer's own credentials.
A request for a supervisor is written to `$AUTOQA_HOME/escalations.jsonl` (there is no
LiveKit room for a supervisor to join locally) and, with `ALERTS_TOPIC_ARN` set, published
to that SNS topic too.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from voice_agent.escalation import LocalEscalationLog
from voice_agent.settings import SettingsError, VoiceSettings

DEFAULT_PORT = 7860


def check_aws_access(settings: VoiceSettings) -> None:
    """Fail before the first call, in one line, when AWS cannot be reached as this user."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    session = boto3.Session(region_name=settings.region)
    if session.get_credentials() is None:
        raise SettingsError(
            "no AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY) for an account with Transcribe, Bedrock and Polly"
        )
    config = Config(connect_timeout=5, read_timeout=5, retries={"max_attempts": 1})
    try:
        session.client("sts", config=config).get_caller_identity()
    except (BotoCoreError, ClientError) as exc:
        raise SettingsError(f"AWS did not accept these credentials: {exc}") from exc


async def bot(runner_args) -> None:
    """Pipecat runner entry point: one call on one browser connection."""
    from pipecat.pipeline.runner import PipelineRunner
    from pipecat.transports.base_transport import TransportParams
    from pipecat.transports.smallwebrtc.transport import SmallWebRTCTransport

    from qa_engine.rubric import load_rubric_dir
    from voice_agent.pipeline import build_call_pipeline
    from voice_agent.services import aws_services
    from voice_agent.tokens import new_call_id

    settings = VoiceSettings.for_local()
    call_id = new_call_id()
    transport = SmallWebRTCTransport(
        webrtc_connection=runner_args.webrtc_connection,
        params=TransportParams(audio_in_enabled=True, audio_out_enabled=True),
    )
    log = LocalEscalationLog.from_env(settings)

    async def escalate(reason: str) -> None:
        await asyncio.to_thread(log.record, call_id, reason)

    call = build_call_pipeline(
        transport=transport,
        services=aws_services(settings),
        rubric=load_rubric_dir(),
        call_id=call_id,
        escalate=escalate,
    )

    @transport.event_handler("on_client_connected")
    async def _greet(_transport, _client) -> None:
        await call.greet()

    @transport.event_handler("on_client_disconnected")
    async def _caller_left(_transport, _client) -> None:
        await call.task.cancel()

    await PipelineRunner(handle_sigint=False).run(call.task)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        check_aws_access(VoiceSettings.for_local())
    except SettingsError as exc:
        print(f"voice-local: {exc}", file=sys.stderr)
        return 2
    from pipecat.runner.run import main as run_pipecat

    if "--port" not in args:
        args += ["--port", os.environ.get("PORT", str(DEFAULT_PORT))]
    if "-t" not in args and "--transport" not in args:
        args += ["-t", "webrtc"]
    sys.argv = [str(Path(__file__)), *args]
    print(f"voice-local: open http://localhost:{args[args.index('--port') + 1]}/client/")
    run_pipecat()
    return 0


if __name__ == "__main__":
    sys.exit(main())
