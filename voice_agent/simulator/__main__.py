"""Places scripted calls to a running bot and prints one JSON result per call.

python -m voice_agent.simulator --url http://127.0.0.1:7860 [--script NAME ...]
    [--concurrency N] [--out DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from voice_agent.loopback import restrict_ice_to_loopback
from voice_agent.settings import SettingsError, VoiceSettings
from voice_agent.simulator.runner import run_calls
from voice_agent.simulator.scripts import load_scripts


def main(argv: list[str] | None = None) -> int:
    scripts = load_scripts()
    p = argparse.ArgumentParser(prog="python -m voice_agent.simulator", description=__doc__)
    p.add_argument("--url", default="http://127.0.0.1:7860", help="the bot's runner")
    p.add_argument("--script", action="append", choices=sorted(scripts), help="default: all")
    p.add_argument("--concurrency", type=int, default=1, help="calls at once")
    p.add_argument("--out", type=Path, default=Path(".autoqa/simulator"), help="what was heard")
    args = p.parse_args(argv)
    try:
        settings = VoiceSettings.for_local()
    except SettingsError as exc:
        print(f"simulator: {exc}", file=sys.stderr)
        return 2
    if settings.ice_loopback:
        restrict_ice_to_loopback()
    chosen = [scripts[name] for name in args.script or sorted(scripts)]
    results = asyncio.run(run_calls(args.url, chosen, args.out, concurrency=args.concurrency))
    for result in results:
        print(json.dumps(result.as_dict()))
    failed = [r for r in results if not r.completed]
    for r in failed:
        print(f"simulator: {r.call_id}: {r.error}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
