"""Every stack's template, compared with the reviewed copy in tests/infra/snapshots/.

A change to a stack shows up here as a readable diff of the CloudFormation it produces. When
the change is intended, refresh the copies with `make snapshot-update` and commit them with
the change, so the review sees both. Values that change with every source edit (asset hashes,
the instance's user-data hash in its logical id) are normalized first.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path

import pytest

from cdk_constructs.voice_user_data import COMPOSE_SHA256
from tests.infra.conftest import cdk_context

SNAPSHOTS = Path(__file__).parent / "snapshots"
PAGE = Path(__file__).parent / "fixtures" / "page"  # a stand-in build of the call page
STACKS = ("QaPipelineStack", "VoiceStack", "WebStack")
UPDATE = os.environ.get("SNAPSHOT_UPDATE") == "1"
# A pinned checksum is content to review, not an asset hash.
_KEPT = "|".join(COMPOSE_SHA256.values())
_NORMALIZE = (
    (re.compile(rf"\b(?!(?:{_KEPT})\b)[0-9a-f]{{64}}\b"), "<asset-hash>"),
    # ec2.Instance with user_data_causes_replacement appends a hash of its user data.
    (re.compile(r"\b(HostInstance[0-9A-F]{8})[0-9a-f]{16}\b"), r"\1<user-data-hash>"),
)


def normalized(template: dict) -> str:
    text = json.dumps(template, indent=1, sort_keys=True)
    for pattern, replacement in _NORMALIZE:
        text = pattern.sub(replacement, text)
    return text + "\n"


@pytest.fixture(scope="module")
def templates(monkeypatch_module) -> dict[str, str]:
    from app import build_app

    monkeypatch_module.delenv("CDK_DEFAULT_ACCOUNT", raising=False)
    app = build_app(cdk_context(**{"web:dist_dir": str(PAGE)}))
    assembly = app.synth()
    return {name: normalized(assembly.get_stack_by_name(name).template) for name in STACKS}


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.mark.parametrize("stack", STACKS)
def test_the_template_matches_its_reviewed_snapshot(stack, templates):
    path = SNAPSHOTS / f"{stack}.json"
    if UPDATE:
        path.write_text(templates[stack])
    assert path.is_file(), f"{path} is missing: run `make snapshot-update` and commit it"
    expected = path.read_text()
    if templates[stack] != expected:
        diff = difflib.unified_diff(
            expected.splitlines(),
            templates[stack].splitlines(),
            f"snapshot {stack}",
            f"synthesized {stack}",
            n=2,
            lineterm="",
        )
        shown = "\n".join(list(diff)[:80])
        pytest.fail(
            f"{stack} changed. If intended, run `make snapshot-update` and commit the "
            f"snapshot with the change.\n{shown}",
            pytrace=False,
        )


def test_normalizing_keeps_everything_but_volatile_hashes():
    template = {
        "Resources": {
            "HostInstance2C59A3BEd5110a409b8d92c7": {"Type": "AWS::EC2::Instance"},
            "Code": {"S3Key": "0" * 40 + "abcdef0123456789abcdef01.zip", "Memory": 1024},
        }
    }
    text = normalized(template)
    assert "HostInstance2C59A3BE<user-data-hash>" in text
    assert '"S3Key": "<asset-hash>.zip"' in text and '"Memory": 1024' in text
    assert normalized(template) == text  # stable
    pinned = COMPOSE_SHA256["aarch64"]
    assert pinned in normalized({"UserData": f"echo '{pinned}  compose' | sha256sum -c -"})
