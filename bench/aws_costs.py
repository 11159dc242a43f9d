"""Cost and speed of the AWS pipeline: handler import time, asset size, tokens, cost per call,
and what the voice line's instance costs a month.

List prices (USD, on-demand) are inputs, printed with the result and with where each came
from (PRICE_SOURCES), not measurements. Bedrock bills a cross-region profile at the price of
the region the request is sent from.
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
from typing import Any

import yaml

from contracts.bedrock_models import CLAUDE_HAIKU_4_5, DEFAULT_MODEL_ID, NOVA_MODEL_ID

REPO = Path(__file__).resolve().parents[1]
LAMBDA_SRC = REPO / "lambda_src"
HANDLERS = ("handlers.start_qa", "handlers.analyze_transcript", "handlers.dashboard_api")
CALL_MINUTES = 5
WORDS_PER_MINUTE = 150  # both parties together, a typical support call
CHARS_PER_TOKEN = 3.5  # Claude's tokenizer on English and romanized text, roughly

PRICES: dict[str, Any] = {
    "transcribe_per_minute": 0.024,
    # The models offered: the default (Claude Haiku 4.5 through the APAC profile), the same
    # model through the global profile, and Amazon Nova Lite for accounts whose credits cover
    # only Amazon models.
    "bedrock": {
        DEFAULT_MODEL_ID: {
            "input_per_1k": 0.0011,
            "output_per_1k": 0.0055,
        },
        f"global.{CLAUDE_HAIKU_4_5}": {
            "input_per_1k": 0.001,
            "output_per_1k": 0.005,
        },
        NOVA_MODEL_ID: {
            "input_per_1k": 0.00006,
            "output_per_1k": 0.00024,
        },
    },
    "lambda_arm64_per_gb_second": 0.0000133334,
    "lambda_per_request": 0.0000002,
    "dynamodb_per_write_request_unit": 0.000000625,
    "dynamodb_per_read_request_unit": 0.000000125,
    "sns_per_publish": 0.0000005,
    "sqs_per_request": 0.0000004,
}
PRICE_SOURCES = {
    "bedrock": (
        "aws.amazon.com/bedrock/pricing (on-demand). Claude Haiku 4.5: $1 / $5 per million "
        "input / output tokens on the global profile; geographic and regional endpoints of "
        "Claude 4.5 models cost 10% more (Anthropic's pricing page, 'third-party platform "
        "pricing'). Amazon Nova Lite: $0.06 / $0.24 per million (AWS Price List API)."
    ),
    "transcribe": "aws.amazon.com/transcribe/pricing, batch tier 1 (first 250,000 minutes)",
    "lambda": "aws.amazon.com/lambda/pricing, Arm, ap-south-1",
    "dynamodb_sns_sqs": "the on-demand price pages of DynamoDB, SNS and SQS, ap-south-1",
    "ec2_ebs_ipv4": (
        "aws.amazon.com/ec2/pricing/on-demand (Linux, ap-south-1), aws.amazon.com/ebs/pricing "
        "(gp3), Amazon VPC pricing (public IPv4 address), aws.amazon.com/secrets-manager/"
        "pricing, aws.amazon.com/cloudwatch/pricing (standard alarms, custom metrics)"
    ),
}
# The voice line's instance and what stays on with it (ap-south-1, per hour or month).
VOICE_PRICES: dict[str, Any] = {
    "instance_per_hour": {"t3.medium": 0.0448, "t4g.small": 0.0184},
    "gp3_per_gb_month": 0.0912,
    "disk_gb": 30,
    "public_ipv4_per_hour": 0.005,  # charged while the instance is stopped too
    "secret_per_month": 0.40,
    "alarm_per_month": 0.10,
    "alarms": 11,  # 4 in QaPipelineStack, 7 in VoiceStack
    "custom_metric_per_month": 0.30,
    # Published every minute: Healthy, CertificateValid, CertificateDaysLeft (the health check),
    # ActiveCalls and, in practice every hour the line is busy, CallsStarted (the connect API).
    # Its other counts are published only in the minutes they happen, and a metric is billed
    # by the hours it is published: a few cents a month.
    "custom_metrics": 5,
}
HOURS_PER_MONTH = 730
SCHEDULE = ("06:00-23:00", 17)  # the example voice:hours: 17 hours a day


def voice_line_monthly() -> dict:
    """USD a month for each instance type, always on and on the example schedule."""
    p = VOICE_PRICES
    fixed = (
        p["gp3_per_gb_month"] * p["disk_gb"]
        + p["public_ipv4_per_hour"] * HOURS_PER_MONTH
        + p["secret_per_month"]
        + p["alarm_per_month"] * p["alarms"]
        + p["custom_metric_per_month"] * p["custom_metrics"]
    )
    scheduled_hours = HOURS_PER_MONTH * SCHEDULE[1] / 24
    out = {}
    for instance, hourly in p["instance_per_hour"].items():
        out[instance] = {
            "always_on": round(hourly * HOURS_PER_MONTH + fixed, 2),
            f"scheduled_{SCHEDULE[0]}": round(hourly * scheduled_hours + fixed, 2),
            "instance_always_on": round(hourly * HOURS_PER_MONTH, 2),
            "instance_scheduled": round(hourly * scheduled_hours, 2),
            "fixed": round(fixed, 2),
        }
    return out


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
    from stacks.qa_pipeline_stack import RUNTIME_PACKAGES

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "asset"
        out.mkdir()
        LocalPipBundling(
            source_dir=LAMBDA_SRC,
            packages=RUNTIME_PACKAGES,
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
        "voice_line_per_month_usd": voice_line_monthly(),
        "prices_usd": {**PRICES, "voice_line": VOICE_PRICES},
        "price_sources": PRICE_SOURCES,
    }


def table(summary: dict) -> str:
    lines = ["Cost per 5-minute call (USD, list prices)", ""]
    header = f"{'model':<50}{'Transcribe':>11}{'Bedrock':>10}{'Lambda':>10}{'DynamoDB':>10}"
    header += f"{'SNS+SQS':>10}{'B+L+D':>10}  goal <= 0.005"
    lines.append(header)
    for model, row in summary["cost_per_call_usd"].items():
        lines.append(
            f"{model:<50}{row['transcribe']:>11.4f}{row['bedrock']:>10.5f}{row['lambda']:>10.6f}"
            f"{row['dynamodb']:>10.6f}{row['sns_sqs']:>10.6f}{row['bedrock_lambda_dynamodb']:>10.5f}"
            f"  {'met' if row['goal_met'] else 'NOT met'}"
        )
    lines += [
        "",
        "The voice line a month (USD, list prices, instance + disk, IPv4, secret, alarms)",
    ]
    lines.append(f"{'instance':<12}{'always on':>12}{'06:00-23:00':>14}")
    for instance, row in summary["voice_line_per_month_usd"].items():
        lines.append(
            f"{instance:<12}{row['always_on']:>12.2f}{row[f'scheduled_{SCHEDULE[0]}']:>14.2f}"
        )
    lines += ["", "Where the prices come from:"]
    lines += [f"- {name}: {source}" for name, source in summary["price_sources"].items()]
    return "\n".join(lines)
