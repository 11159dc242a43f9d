"""A store of scored calls for the dashboard's tests, its benchmark and trying it out.

    python scripts/dashboard_fixture.py --home DIR [--calls N]

Each call is one of the bundled sample dialogues (`samples/dialogues/`), scored by the rules
judge, with the sample's recording attached and each turn timed the way `make_samples`
spoke it. Calls spread over three agents and the past weeks; some read as judged by Bedrock
(with the judges disagreeing, for the review queue) or by the rules after Bedrock failed, and
one call failed to transcribe. The same inputs always give the same store (times are counted
back from `--now`, default now).
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lambda_src"))

from autoqa.store import SQLiteResultStore  # noqa: E402
from contracts.bedrock_models import default_model_id  # noqa: E402
from contracts.sops import SWOLLEN_BATTERY  # noqa: E402
from qa_engine.models import Conversation, FailedCall, QAResult, Speaker, Turn  # noqa: E402
from qa_engine.pipeline import Scorer  # noqa: E402
from qa_engine.rubric import load_rubric_dir  # noqa: E402
from qa_engine.rules_judge import RulesJudge  # noqa: E402

SAMPLES = REPO / "samples"
AGENTS = ("agent-asha", "agent-ravi", "agent-meera")
WORDS_PER_SECOND = 145 / 60  # make_samples' espeak-ng rate
GAP = 0.7  # make_samples' silence between turns
HOURS_APART = 7


def timed_conversation(turns: list[list[str]]) -> Conversation:
    t, timed = 0.0, []
    for n, (side, text) in enumerate(turns):
        length = max(0.6, len(text.split()) / WORDS_PER_SECOND)
        timed.append(
            Turn(
                index=n,
                speaker=Speaker.AGENT if side == "A" else Speaker.CUSTOMER,
                text=text,
                start_time=round(t, 2),
                end_time=round(t + length, 2),
            )
        )
        t += length + GAP
    return Conversation(turns=timed, source_format="dialogue", duration_seconds=t)


@functools.cache
def sample_results() -> tuple[tuple[str, QAResult], ...]:
    """Each sample dialogue scored once (once a process): (its name, the scorecard). Shared:
    take a `model_copy` to change one."""
    rubric = load_rubric_dir(None)
    scorer = Scorer(rubric, RulesJudge(rubric))
    scored = []
    for path in sorted((SAMPLES / "dialogues").glob("*.yaml")):
        dialogue = yaml.safe_load(path.read_text("utf-8"))
        result = scorer.score_conversation(
            timed_conversation(dialogue["turns"]),
            call_id=path.stem,
            agent_id=AGENTS[0],
            timestamp="2026-01-01T00:00:00Z",
        )
        recording = SAMPLES / f"{path.stem}.ogg"
        scored.append((path.stem, result.model_copy(update={"recording_uri": str(recording)})))
    return tuple(scored)


def calls(
    count: int, now: datetime, apart: timedelta = timedelta(hours=HOURS_APART)
) -> Iterator[QAResult | FailedCall]:
    """`count` calls, newest first, one every `apart` before `now`."""
    samples = sample_results()
    bedrock = f"bedrock:{default_model_id('ap-south-1')}"
    for n in range(count):
        stem, result = samples[n % len(samples)]
        when = (now - apart * n - timedelta(hours=1)).replace(microsecond=0)
        timestamp = when.isoformat().replace("+00:00", "Z")
        call_id, agent = f"{stem}-{n:05d}", AGENTS[n % len(AGENTS)]
        if n % 17 == 16:
            yield FailedCall(
                call_id=call_id,
                agent_id=agent,
                timestamp=timestamp,
                failure_reason="transcription failed: the recording has no speech",
                source=str(SAMPLES / f"{stem}.ogg"),
            )
            continue
        update: dict[str, object] = {"call_id": call_id, "agent_id": agent, "timestamp": timestamp}
        if n % 4 == 1:  # a model judged it, and the rules saw the photo SOP otherwise
            update |= {
                "judge": bedrock,
                "needs_review": True,
                "disputed_sops": [SWOLLEN_BATTERY],
                "urgent_review": True,
            }
        elif n % 7 == 3:
            update["judge"] = "rules-fallback"
        yield result.model_copy(update=update)


class Writer(Protocol):
    """A store the pipeline writes with (`SQLiteResultStore`, `DynamoResultStore`)."""

    def put(self, result: QAResult) -> object: ...

    def put_failure(self, failure: FailedCall) -> object: ...


def store_all(store: Writer, seeded: Iterable[QAResult | FailedCall]) -> None:
    """Each call into `store` as the pipeline leaves it: a scorecard, or a failure."""
    for call in seeded:
        if isinstance(call, FailedCall):
            store.put_failure(call)
        else:
            store.put(call)


def seed(
    home: Path, count: int, now: datetime, apart: timedelta = timedelta(hours=HOURS_APART)
) -> int:
    store_all(SQLiteResultStore(home / "results.sqlite3"), calls(count, now, apart))
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="the store's folder (AUTOQA_HOME)")
    parser.add_argument("--calls", type=int, default=40, help="how many calls (default: 40)")
    parser.add_argument("--now", default=None, help="ISO time the calls count back from")
    args = parser.parse_args(argv)
    if args.calls < 1:
        parser.error("--calls must be at least 1")
    now = datetime.fromisoformat(args.now.replace("Z", "+00:00")) if args.now else datetime.now(UTC)
    seed(args.home, args.calls, now.astimezone(UTC))
    print(f"{args.calls} calls in {args.home / 'results.sqlite3'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
