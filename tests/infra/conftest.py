"""The CDK app synthesized once per session from cdk.json's context, bundling skipped."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import REPO

os.environ.setdefault("CDK_VALIDATION", "false")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")


BLOCK_ALL_PUBLIC_ACCESS = {
    "BlockPublicAcls": True,
    "BlockPublicPolicy": True,
    "IgnorePublicAcls": True,
    "RestrictPublicBuckets": True,
}


def cdk_context(**overrides) -> dict:
    context = json.loads((REPO / "cdk.json").read_text())["context"]
    context["aws:cdk:bundling-stacks"] = []
    context.update(overrides)
    return context


def synth(context: dict, stack_name: str = "QaPipelineStack"):
    from aws_cdk.assertions import Template

    from app import build_app

    app = build_app(context)
    stack = app.node.find_child(stack_name)
    return stack, Template.from_stack(stack)


@pytest.fixture(scope="session")
def qa_stack():
    return synth(cdk_context())


@pytest.fixture(scope="session")
def voice_template():
    return synth(cdk_context(), "VoiceStack")[1]


@pytest.fixture(scope="session")
def web_stack():
    return synth(cdk_context(), "WebStack")


@pytest.fixture(scope="session")
def web_template(web_stack):
    return web_stack[1]


@pytest.fixture(scope="session")
def template(qa_stack):
    return qa_stack[1]


@pytest.fixture(scope="session")
def custom_template():
    """The same app with the context a deployment may override."""
    return synth(
        cdk_context(
            **{
                "qa:alert_email": "supervisors@batterysmart.example",
                "qa:model_id": "global.anthropic.claude-haiku-4-5-20251001-v1:0",
                "qa:recording_retention_days": 30,
                "qa:analyze_max_concurrency": 2,
            }
        )
    )[1]


def resources(template, cfn_type: str) -> dict:
    return template.find_resources(cfn_type)


def function_by_handler(template, handler: str) -> tuple[str, dict]:
    """The one Lambda function whose handler is `handler`: its logical id and properties."""
    ((logical_id, props),) = [
        (name, f["Properties"])
        for name, f in resources(template, "AWS::Lambda::Function").items()
        if f["Properties"].get("Handler") == handler
    ]
    return logical_id, props


def policy_statements(template, role_prefix: str) -> list[dict]:
    """All statements of the inline policies attached to roles whose logical id starts so."""
    out = []
    for policy in resources(template, "AWS::IAM::Policy").values():
        props = policy["Properties"]
        if any(r["Ref"].startswith(role_prefix) for r in props.get("Roles", [])):
            out += props["PolicyDocument"]["Statement"]
    return out


TOKEN = "\x00"  # where a deploy-time value (a Ref, a GetAtt, an import) sits in the user data


def user_data(template) -> str:
    """The instance's user-data script, each CloudFormation token shown as TOKEN."""
    (instance,) = resources(template, "AWS::EC2::Instance").values()
    joined = instance["Properties"]["UserData"]["Fn::Base64"]
    if isinstance(joined, str):
        return joined
    separator, parts = joined["Fn::Join"]
    return separator.join(p if isinstance(p, str) else TOKEN for p in parts)
