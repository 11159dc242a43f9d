"""The runner on the instance: the connect API, dispatching one Pipecat bot per call.

python -m voice_agent.server        (uvicorn on 0.0.0.0:8080, behind Caddy)
"""

from __future__ import annotations

import os
import sys

import uvicorn

from qa_engine.rubric import load_rubric_dir
from voice_agent.connect_api import BotDispatcher, create_app
from voice_agent.settings import SettingsError, VoiceSettings
from voice_agent.web_origin import WebOrigin


def build() -> object:
    settings = VoiceSettings.from_env()
    rubric = load_rubric_dir()
    web_origin = WebOrigin.from_settings(settings)
    web_origin.refresh()  # once before serving; afterwards in the background

    async def start_bot(call_id: str) -> None:
        from voice_agent.bot import run_bot  # loads Pipecat and the models only when serving
        from voice_agent.services import aws_services

        await run_bot(settings, call_id, rubric, aws_services(settings), web_origin)

    return create_app(settings, BotDispatcher(start_bot), web_origin=web_origin)


def main() -> int:
    try:
        app = build()
    except SettingsError as exc:
        print(f"voice agent: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(
        app, host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8080"))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
