"""`make call-demo`: whole calls with no cloud, from a caller's voice to a QA scorecard.

Starts the bot with offline services (faster-whisper, espeak-ng, the SOP policy), places the
scripted calls to it over WebRTC on loopback, scores the two-channel recordings it made with
`autoqa run`, and prints the scorecards. Everything lands under `$AUTOQA_HOME` (`.autoqa`):
recordings, transcripts, results, alerts and the escalation log.
"""

from __future__ import annotations

import asyncio
import json
import sys

from autoqa.commands import App
from autoqa.formatting import format_scorecard, format_table
from autoqa.settings import Settings
from contracts.storage import metadata_key
from contracts.voice_line import BOT_AGENT_ID
from qa_engine.models import QAResult
from voice_agent.loopback import restrict_ice_to_loopback
from voice_agent.simulator.runner import OfflineBot, run_calls
from voice_agent.simulator.scripts import load_scripts


def say(message: str) -> None:
    print(f"call-demo: {message}", file=sys.stderr, flush=True)


def main() -> int:
    settings = Settings.from_env()
    restrict_ice_to_loopback()
    scripts = list(load_scripts().values())
    say(f"starting the offline bot (logs: {settings.home / 'bot.log'})")
    with OfflineBot(settings.home) as bot:
        say(f"placing {len(scripts)} scripted calls to {bot.url}")
        results = asyncio.run(run_calls(bot.url, scripts, settings.home / "simulator"))
        recordings = []
        for result in results:
            latencies = ", ".join(f"{s:.2f} s" for s in result.latencies)
            if not result.completed:
                say(f"{result.call_id}: FAILED: {result.error}")
                continue
            recordings.append(bot.wait_for_recording(result.call_id))
            say(f"{result.call_id}: {result.seconds:.0f} s, answers after {latencies}")
    if not recordings:
        return 1
    scored: list[QAResult] = []
    status = App(settings, sys.stdout, sys.stderr).run(
        recordings, BOT_AGENT_ID, None, on_result=scored.append, emit=False
    )
    print(format_table(scored))
    for call in scored:
        print()
        print(format_scorecard(call))
        meta = json.loads((settings.home / "recordings" / metadata_key(call.call_id)).read_text())
        print(f"  answered by: {meta['llm']}; escalated: {meta['escalated']}")
    escalations = settings.home / "escalations.jsonl"
    if escalations.is_file():
        print(f"\nLive escalations: {escalations.resolve()}")
    return status or (1 if len(recordings) < len(results) else 0)


if __name__ == "__main__":
    sys.exit(main())
