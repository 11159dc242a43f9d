"""`make bench-voice`: how the offline bot holds up under concurrent calls, as one JSON summary.

For N = 1, 2, 4, 8 concurrent simulated calls (the scripted calls, round robin) placed to one
long-lived offline bot over WebRTC on loopback, level after level, as a bot serves its line
(`--levels 4,8` runs only those, in that order). A one-line call first warms the bot
up (its speech model loads on the first call), and is not counted.

- response latency: end of the caller's line to the first bot audio the caller hears,
  p50 and p95 over every turn of every call at that level;
- CPU seconds the bot process used per minute of call (user + system, all its threads),
  measured as the difference of its CPU time before and after the level;
- calls that did not complete.

`held_before_p95_passed_1_5_s` is the largest N whose calls all completed with p95 <= 1.5 s.
The simulated callers (WebRTC, Opus) run on the same machine and take CPU of their own, so
the figures are conservative for a bot with the machine to itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path

from voice_agent.loopback import restrict_ice_to_loopback
from voice_agent.simulator.runner import OfflineBot, run_calls
from voice_agent.simulator.scripts import CallScript, load_scripts

LEVELS = (1, 2, 4, 8)
P95_LIMIT = 1.5
GOALS = {"p50_seconds_at_4": 1.0, "p95_seconds_at_4": 1.5}
WARM_UP = CallScript(name="warm_up", lines=["Hello, I have a question."])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


def level(bot: OfflineBot, calls: int, out: Path) -> dict:
    scripts = list(islice(cycle(load_scripts().values()), calls))
    cpu_before = cpu_seconds(bot.pid)
    started = time.monotonic()
    results = asyncio.run(run_calls(bot.url, scripts, out, concurrency=calls))
    wall = time.monotonic() - started
    cpu = cpu_seconds(bot.pid) - cpu_before
    latencies = [s for r in results for s in r.latencies]
    call_minutes = sum(r.seconds for r in results) / 60
    return {
        "concurrent_calls": calls,
        "turns": len(latencies),
        "p50_seconds": percentile(latencies, 0.5),
        "p95_seconds": percentile(latencies, 0.95),
        "max_seconds": round(max(latencies), 3) if latencies else None,
        "mean_seconds": round(statistics.fmean(latencies), 3) if latencies else None,
        "bot_cpu_seconds_per_call_minute": round(cpu / call_minutes, 2) if call_minutes else None,
        "failed_calls": [f"{r.script}: {r.error}" for r in results if not r.completed],
        "wall_seconds": round(wall, 1),
        "machine_load_1m_after": round(os.getloadavg()[0], 2),  # the machine may be shared
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--levels",
        type=lambda v: [int(n) for n in v.split(",") if n],
        default=LEVELS,
        help="concurrent calls per level, e.g. 1,2,4,8",
    )
    levels = parser.parse_args(argv).levels
    restrict_ice_to_loopback()
    report = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-voice-") as home,
        OfflineBot(Path(home)) as bot,
    ):
        print("bench-voice: warming the bot up ...", file=sys.stderr, flush=True)
        warm = asyncio.run(run_calls(bot.url, [WARM_UP], Path(home) / "simulator"))
        if not warm[0].completed:
            print(f"bench-voice: the warm-up call failed: {warm[0].error}", file=sys.stderr)
            return 1
        for calls in levels:
            print(f"bench-voice: {calls} concurrent calls ...", file=sys.stderr, flush=True)
            report.append(level(bot, calls, Path(home) / "simulator"))
            print(f"bench-voice: {json.dumps(report[-1])}", file=sys.stderr, flush=True)
    held = [
        r["concurrent_calls"]
        for r in report
        if not r["failed_calls"] and r["p95_seconds"] is not None and r["p95_seconds"] <= P95_LIMIT
    ]
    at_4 = next((r for r in report if r["concurrent_calls"] == 4), {})
    summary = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "services": "offline: faster-whisper tiny.en (int8), SOP policy, espeak-ng",
        "bot": "one process for every level",
        "levels": report,
        "held_before_p95_passed_1_5_s": max(held) if held else 0,
        "goals": GOALS,
        "goals_met": {
            "p50_seconds_at_4": (at_4.get("p50_seconds") or 99) <= GOALS["p50_seconds_at_4"]
            and not at_4.get("failed_calls"),
            "p95_seconds_at_4": (at_4.get("p95_seconds") or 99) <= GOALS["p95_seconds_at_4"]
            and not at_4.get("failed_calls"),
        },
    }
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
