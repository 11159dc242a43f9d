"""`make push-prompts`: upload prompts/ to the deployed config bucket, after checking it loads.

The AnalyzeTranscript function reloads the rubric when the files change (within its refresh
interval, 60 s by default), so the next calls are judged by the new prompt with no redeploy.

    python scripts/push_prompts.py [--bucket NAME] [--stack QaPipelineStack] [--region R]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import boto3

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lambda_src"))

from contracts.storage import PROMPTS_PREFIX  # noqa: E402
from qa_engine.errors import RubricError  # noqa: E402
from qa_engine.rubric import RUBRIC_FILES, Rubric  # noqa: E402

PREFIX = PROMPTS_PREFIX


def config_bucket(stack: str, region: str | None) -> str:
    cloudformation = boto3.client("cloudformation", region_name=region)
    (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    if "ConfigBucketName" not in outputs:
        raise SystemExit(f"push-prompts: stack {stack} has no ConfigBucketName output")
    return outputs["ConfigBucketName"]


def push(folder: Path, bucket: str, region: str | None) -> str:
    files = {name: (folder / name).read_bytes() for name in RUBRIC_FILES}
    rubric = Rubric(files)  # refuse to upload a rubric the functions could not load
    s3 = boto3.client("s3", region_name=region)
    for name, body in files.items():
        s3.put_object(Bucket=bucket, Key=PREFIX + name, Body=body)
    return rubric.version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bucket", help="config bucket (default: the stack's output)")
    parser.add_argument("--stack", default="QaPipelineStack")
    parser.add_argument("--region", default=None)
    parser.add_argument("--prompts", type=Path, default=REPO / "prompts")
    args = parser.parse_args(argv)
    try:
        bucket = args.bucket or config_bucket(args.stack, args.region)
        version = push(args.prompts, bucket, args.region)
    except (RubricError, FileNotFoundError) as exc:
        print(f"push-prompts: {exc}", file=sys.stderr)
        return 1
    print(f"uploaded rubric {version} to s3://{bucket}/{PREFIX}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
