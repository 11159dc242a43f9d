"""Cost and speed of the AWS pipeline: handler import time, asset size, tokens, cost per call.

List prices (USD, on-demand, checked against AWS price pages for ap-south-1 / us-east-1,
which match for these items): they are inputs, printed with the result, not measurements.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
LAMBDA_SRC = REPO / "lambda_src"
HANDLERS = ("handlers.start_qa", "handlers.analyze_transcript")
CALL_MINUTES = 5
WORDS_PER_MINUTE = 150  # both parties together, a typical support call
CHARS_PER_TOKEN = 3.5  # Claude's tokenizer on English and romanized text, roughly

PRICES = {
    "transcribe_per_minute": 0.024,
    "bedrock": {
        "anthropic.claude-3-haiku-20240307-v1:0": {
            "input_per_1k": 0.00025,
            "output_per_1k": 0.00125,
        },
        "anthropic.claude-3-5-sonnet-20240620-v1:0": {
            "input_per_1k": 0.003,
            "output_per_1k": 0.015,
        },
    },
    "lambda_arm64_per_gb_second": 0.0000133334,
    "lambda_per_request": 0.0000002,
    "dynamodb_per_write_request_unit": 0.000000625,
    "dynamodb_per_read_request_unit": 0.000000125,
    "sns_per_publish": 0.0000005,
    "sqs_per_request": 0.0000004,
}
# Function sizes as deployed (QaPipelineStack) and typical durations.
START_QA = {"memory_gb": 0.25, "seconds": 0.4}
ANALYZE = {"memory_gb": 1.0, "seconds": 4.0}  # dominated by waiting for Bedrock


def handler_import_ms(module: str, runs: int = 5) -> float:
    code = (
        "import time; t = time.perf_counter(); "
        f"import {module}; print((time.perf_counter() - t) * 1000)"
    )
    env = {**os.environ, "PYTHONPATH": str(LAMBDA_SRC), "AWS_DEFAULT_REGION": "ap-south-1"}
    samples = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return round(statistics.median(samples), 1)


def bundled_asset() -> dict:
    sys.path.insert(0, str(REPO))
    from cdk_constructs.python_function import LocalPipBundling

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "asset"
        out.mkdir()
        LocalPipBundling(
            source_dir=LAMBDA_SRC,
            packages=["handlers", "qa_aws", "qa_engine"],
            requirements=LAMBDA_SRC / "requirements.txt",
            arch="arm64",
        ).try_bundle(str(out))
        unzipped = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        archive = Path(tmp) / "asset.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            for p in sorted(out.rglob("*")):
                if p.is_file():
                    z.write(p, p.relative_to(out))
        return {
            "zipped_mb": round(archive.stat().st_size / 2**20, 2),
            "unzipped_mb": round(unzipped / 2**20, 2),
        }


def five_minute_call_prompt_tokens() -> dict:
    from qa_engine.llm_judge import render_prompt, tool_config
    from qa_engine.models import Conversation, Speaker, Turn
    from qa_engine.rubric import load_rubric_dir

    rubric = load_rubric_dir(REPO / "prompts")
    cases = yaml.safe_load((REPO / "tests" / "data" / "public_cases.yaml").read_text())
    lines = [(r, t) for case in cases for r, t in case["turns"]]
    turns, words, i = [], 0, 0
    while words < CALL_MINUTES * WORDS_PER_MINUTE:
        role, text = lines[i % len(lines)]
        speaker = Speaker.AGENT if role == "A" else Speaker.CUSTOMER
        turns.append(
            Turn(index=i, speaker=speaker, text=text, start_time=i * 5.0, end_time=i * 5.0 + 4)
        )
        words += len(text.split())
        i += 1
    conversation = Conversation(turns=turns, source_format="bench")
    prompt_chars = len(render_prompt(rubric, conversation)) + len(json.dumps(tool_config()))
    # A complete answer: six SOP entries with a quote or two each, and a summary.
    answer_chars = 6 * 260 + 400
    return {
        "transcript_words": words,
        "input_tokens": round(prompt_chars / CHARS_PER_TOKEN),
        "output_tokens": round(answer_chars / CHARS_PER_TOKEN),
    }


def cost_per_call(tokens: dict) -> dict:
    p = PRICES
    lambda_cost = sum(
        f["memory_gb"] * f["seconds"] * p["lambda_arm64_per_gb_second"] + p["lambda_per_request"]
        for f in (START_QA, ANALYZE)
    )
    # Writes: TRANSCRIBING row (1 WRU), the result (~8 KB -> 8 WRU), the alert claim (8 WRU).
    dynamodb = 17 * p["dynamodb_per_write_request_unit"]
    messaging = p["sns_per_publish"] + 6 * p["sqs_per_request"]
    rows = {}
    for model, price in p["bedrock"].items():
        bedrock = (
            tokens["input_tokens"] / 1000 * price["input_per_1k"]
            + tokens["output_tokens"] / 1000 * price["output_per_1k"]
        )
        judged = bedrock + lambda_cost + dynamodb
        rows[model] = {
            "transcribe": round(CALL_MINUTES * p["transcribe_per_minute"], 5),
            "bedrock": round(bedrock, 6),
            "lambda": round(lambda_cost, 6),
            "dynamodb": round(dynamodb, 6),
            "sns_sqs": round(messaging, 6),
            "bedrock_lambda_dynamodb": round(judged, 6),
            "goal_met": judged <= 0.005,
        }
    return rows


def run() -> dict:
    tokens = five_minute_call_prompt_tokens()
    return {
        "handler_import_ms": {m: handler_import_ms(m) for m in HANDLERS},
        "import_goal_ms": 500,
        "asset": bundled_asset(),
        "asset_goal_mb": 20,
        "five_minute_call": tokens,
        "cost_per_call_usd": cost_per_call(tokens),
        "prices_usd": PRICES,
    }


def table(summary: dict) -> str:
    lines = ["Cost per 5-minute call (USD, list prices)", ""]
    header = f"{'model':<44}{'Transcribe':>11}{'Bedrock':>10}{'Lambda':>10}{'DynamoDB':>10}"
    header += f"{'SNS+SQS':>10}{'B+L+D':>10}  goal <= 0.005"
    lines.append(header)
    for model, row in summary["cost_per_call_usd"].items():
        lines.append(
            f"{model:<44}{row['transcribe']:>11.4f}{row['bedrock']:>10.5f}{row['lambda']:>10.6f}"
            f"{row['dynamodb']:>10.6f}{row['sns_sqs']:>10.6f}{row['bedrock_lambda_dynamodb']:>10.5f}"
            f"  {'met' if row['goal_met'] else 'NOT met'}"
        )
    return "\n".join(lines)
