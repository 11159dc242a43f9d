"""`make bench`: speed and memory of the QA engine and the local pipeline, as one JSON summary.

- rules judge throughput: calls/s over the public labelled calls, full path (Transcribe JSON
  parse, judge, sentiment, score) and judge alone on parsed conversations;
- local pipeline on the held-out calls of bench/heldout/ (bench/transcription.py): share of
  exact verdicts, word error rate, real-time factor = processing seconds / audio seconds
  (decode, crosstalk gate, faster-whisper on both channels, scoring), model load excluded
  and reported apart;
- peak memory (max RSS) of this process;
- the AWS pipeline (bench/aws_costs.py): handler cold-start import time, bundled asset size,
  prompt tokens and cost per 5-minute call (a table on stderr);
- the dashboard (bench/dashboard.py): the first page of a 10,000-call local store over HTTP,
  and the DynamoDB read units a page costs.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lambda_src"))

from autoqa.settings import Settings  # noqa: E402
from autoqa.transcribe_format import dialogue_to_transcribe  # noqa: E402
from autoqa.transcriber import WhisperTranscriber  # noqa: E402
from bench import aws_costs, dashboard, transcription  # noqa: E402
from qa_engine.pipeline import Scorer  # noqa: E402
from qa_engine.rubric import load_rubric_dir  # noqa: E402
from qa_engine.rules_judge import RulesJudge  # noqa: E402

PUBLIC_CASES = REPO / "tests" / "data" / "public_cases.yaml"
GOALS = {
    "judge_calls_per_second": 500,
    "real_time_factor": 0.1,
    "exact_verdict_share": 0.9,
    "one_hour_peak_rss_mb": 500,
}
MIN_SECONDS = 2.0


def _repeat(fn, items) -> tuple[int, float]:
    calls, started = 0, time.perf_counter()
    while True:
        for item in items:
            fn(item)
        calls += len(items)
        elapsed = time.perf_counter() - started
        if elapsed >= MIN_SECONDS:
            return calls, elapsed


def bench_judge(scorer: Scorer) -> dict:
    cases = yaml.safe_load(PUBLIC_CASES.read_text(encoding="utf-8"))
    documents = [
        json.dumps(dialogue_to_transcribe(c["id"], [tuple(t) for t in c["turns"]])) for c in cases
    ]
    conversations = [scorer.parse(d) for d in documents]
    for d in documents:  # warm caches as a long-running Lambda container would be
        scorer.score_transcript(d, call_id="warm", agent_id="a")
    full_calls, full_s = _repeat(
        lambda d: scorer.score_transcript(d, call_id="c", agent_id="a"), documents
    )
    judge_calls, judge_s = _repeat(scorer.judge.judge, conversations)
    return {
        "cases": len(cases),
        "full_path_calls_per_second": round(full_calls / full_s, 1),
        "judge_only_calls_per_second": round(judge_calls / judge_s, 1),
        "ms_per_call_full_path": round(1000 * full_s / full_calls, 3),
    }


def bench_local_pipeline(scorer: Scorer) -> dict:
    """The held-out calls of bench/heldout/ (not the demo's samples): exact verdicts, word
    error rate and real-time factor, model load excluded and reported apart."""
    started = time.perf_counter()
    transcriber = WhisperTranscriber(Settings.from_env().whisper_model)
    load_s = time.perf_counter() - started
    report = transcription.summary(transcription.evaluate(transcriber, scorer))
    return {"model_load_seconds": round(load_s, 2), **report}


def bench_long_call() -> dict:
    """Peak memory of `autoqa run --no-store` on a generated one-hour call, in a subprocess."""
    run = subprocess.run(
        [sys.executable, "-m", "bench.long_call"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout)


def main() -> int:
    rubric = load_rubric_dir(REPO / "prompts")
    scorer = Scorer(rubric, RulesJudge(rubric))
    judge = bench_judge(scorer)
    pipeline = bench_local_pipeline(scorer)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    long_call = bench_long_call()
    aws = aws_costs.run()
    board = dashboard.run()
    summary = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "rules_judge": judge,
        "local_pipeline": pipeline,
        "peak_memory_mb": round(peak_mb, 1),
        "one_hour_call": long_call,
        "aws_pipeline": aws,
        "dashboard": board,
        "goals": {
            "judge_calls_per_second": GOALS["judge_calls_per_second"],
            "judge_goal_met": judge["full_path_calls_per_second"]
            >= GOALS["judge_calls_per_second"],
            "real_time_factor": GOALS["real_time_factor"],
            "real_time_factor_goal_met": pipeline["real_time_factor"] <= GOALS["real_time_factor"],
            "exact_verdict_share": GOALS["exact_verdict_share"],
            "exact_verdict_goal_met": pipeline["exact_share"] >= GOALS["exact_verdict_share"],
            "one_hour_peak_rss_mb": GOALS["one_hour_peak_rss_mb"],
            "one_hour_peak_rss_goal_met": 0
            < long_call["peak_rss_mb"]
            <= GOALS["one_hour_peak_rss_mb"]
            and long_call["exit_code"] == 0,
            "handler_import_goal_met": max(aws["handler_import_ms"].values())
            <= aws["import_goal_ms"],
            "asset_size_goal_met": aws["asset"]["zipped_mb"] <= aws["asset_goal_mb"],
            "dashboard_first_page_ms": dashboard.GOAL_MS,
            "dashboard_first_page_goal_met": board["local"]["goal_met"],
        },
    }
    print(json.dumps(summary, indent=2))
    print(aws_costs.table(aws), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
