"""The runner on the instance: the connect API, dispatching one Pipecat bot per call.

python -m voice_agent.server        (uvicorn on 127.0.0.1:8080, behind Caddy)
"""

from __future__ import annotations

import sys

import uvicorn
from fastapi import FastAPI

from qa_engine.rubric import load_rubric_dir
from voice_agent.call_metrics import CallMetrics
from voice_agent.connect_api import BotDispatcher, create_app
from voice_agent.invites import InviteBook
from voice_agent.rooms import LiveKitRooms
from voice_agent.settings import SettingsError, VoiceSettings
from voice_agent.web_origin import WebOrigin


def build(settings: VoiceSettings) -> FastAPI:
    rubric = load_rubric_dir(settings.prompts_dir)
    web_origin = WebOrigin.from_settings(settings)
    web_origin.refresh()  # once before serving; afterwards in the background
    invites = InviteBook()

    async def start_bot(call_id: str) -> None:
        from voice_agent.bot import run_bot  # loads Pipecat and the models only when serving
        from voice_agent.services import aws_services

        services = aws_services(settings)
        await run_bot(
            settings, call_id, rubric, services, web_origin, invites=invites, metrics=metrics
        )

    dispatcher = BotDispatcher(start_bot)
    metrics = CallMetrics(settings.max_calls, dispatcher.active_calls)
    cloudwatch = None
    if settings.publish_metrics:
        import boto3

        cloudwatch = boto3.client("cloudwatch", region_name=settings.region)
    return create_app(
        settings,
        dispatcher,
        rooms=LiveKitRooms(settings),
        invites=invites,
        metrics=metrics,
        cloudwatch=cloudwatch,
        web_origin=web_origin,
    )


def server_config(app: FastAPI, host: str, port: int) -> uvicorn.Config:
    # The API decides itself whose X-Forwarded-For it believes (connect_api.client_address):
    # uvicorn's own proxy-header handling would rewrite the peer address before it looks.
    return uvicorn.Config(
        app, host=host, port=port, proxy_headers=False, server_header=False, log_level="info"
    )


def main() -> int:
    try:
        settings = VoiceSettings.from_env()
        app = build(settings)
    except SettingsError as exc:
        print(f"voice agent: {exc}", file=sys.stderr)
        return 2
    uvicorn.Server(server_config(app, settings.host, settings.port)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
