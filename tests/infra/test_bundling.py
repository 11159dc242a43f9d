"""`cdk synth` bundles the Lambda code on this machine, without Docker, for arm64."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

ELF_MACHINE_AARCH64 = 183


@pytest.fixture(scope="module")
def cloud_assembly(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cdk.out")
    context = json.loads((REPO / "cdk.json").read_text())["context"]
    context["aws:cdk:enable-asset-metadata"] = True  # as the CLI sets it
    env = {
        **os.environ,
        "CDK_OUTDIR": str(out),
        "CDK_CONTEXT_JSON": json.dumps(context),
        "CDK_VALIDATION": "false",
    }
    for secret in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        env.pop(secret, None)  # synthesis needs no AWS credentials
    # What the CDK CLI runs for `cdk synth` (cdk.json "app"), with Docker nowhere in sight.
    subprocess.run([sys.executable, "app.py"], cwd=REPO, env=env, check=True, timeout=600)
    return out


def _function_assets(out: Path, stack: str = "QaPipelineStack") -> list[Path]:
    template = json.loads((out / f"{stack}.template.json").read_text())
    dirs = []
    for resource in template["Resources"].values():
        meta = resource.get("Metadata", {})
        if resource["Type"] == "AWS::Lambda::Function" and str(
            resource["Properties"].get("Handler", "")
        ).startswith("handlers."):
            dirs.append(out / meta["aws:asset:path"])
    return dirs


def test_both_functions_share_one_bundled_asset_with_arm64_wheels(cloud_assembly):
    assets = set(_function_assets(cloud_assembly))
    assert len(assets) == 1
    (asset,) = assets
    for package in ("handlers", "qa_aws", "qa_engine", "pydantic", "yaml", "vaderSentiment"):
        assert (asset / package).is_dir(), package
    assert (asset / "aws_lambda_powertools").is_dir() and (asset / "tenacity").is_dir()
    assert not (asset / "autoqa").exists()  # the local pipeline never ships
    assert not (asset / "boto3").exists()  # the runtime provides it
    (core,) = (asset / "pydantic_core").glob("_pydantic_core*.so")
    header = core.read_bytes()[:20]
    assert header[:4] == b"\x7fELF"
    assert int.from_bytes(header[18:20], "little") == ELF_MACHINE_AARCH64
    assert list((asset / "handlers" / "__pycache__").glob("analyze_transcript.cpython-311.pyc"))


def test_the_dashboard_function_gets_its_own_bundle_with_the_dashboard(cloud_assembly):
    (asset,) = _function_assets(cloud_assembly, "WebStack")
    assert asset not in _function_assets(cloud_assembly)  # a dashboard change stays in WebStack
    for package in ("dashboard", "handlers", "qa_aws", "contracts", "aws_lambda_powertools"):
        assert (asset / package).is_dir(), package
    assert (asset / "handlers" / "dashboard_api.py").is_file()
    assert not (asset / "autoqa").exists() and not (asset / "boto3").exists()
    (core,) = (asset / "pydantic_core").glob("_pydantic_core*.so")
    header = core.read_bytes()[:20]
    assert int.from_bytes(header[18:20], "little") == ELF_MACHINE_AARCH64


def test_the_voice_instance_gets_only_the_agent_the_qa_engine_and_the_prompts(cloud_assembly):
    manifest = json.loads((cloud_assembly / "VoiceStack.assets.json").read_text())
    sources = [
        cloud_assembly / f["source"]["path"]
        for f in manifest["files"].values()
        if f["source"].get("packaging") == "zip"
    ]
    (app,) = [s for s in sources if (s / "voice_agent").is_dir()]
    top = {p.name for p in app.iterdir()}
    assert top == {"voice_agent", "lambda_src", "prompts"}
    assert {p.name for p in (app / "lambda_src").iterdir()} == {
        "qa_engine",
        "contracts",
        "requirements.txt",
    }
    assert (app / "voice_agent" / "deploy" / "render.py").is_file()
    assert (app / "voice_agent" / "deploy" / "Dockerfile").is_file()
    assert (app / "prompts" / "rubric.yaml").is_file()
