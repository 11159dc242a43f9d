"""cdk-nag's AwsSolutions pack finds nothing unacknowledged; cfn-lint finds nothing at all.

Both run on the default app and on one with every option on (opening hours, a domain with its
Route 53 zone, an x86 instance, the ZeroSSL certificate, e-mail subscribers)."""

from __future__ import annotations

import json

import pytest
from aws_cdk import Validations
from cdk_nag import AwsSolutionsChecks

from app import build_app
from tests.infra.conftest import cdk_context, synth

EVERY_OPTION = {
    "voice:hours": "06:00-23:00 Asia/Kolkata",
    "voice:domain": "voice.batterysmart.example",
    "voice:hosted_zone_id": "Z0123456789ABCDEFGHIJ",
    "voice:hosted_zone_name": "batterysmart.example",
    "voice:acme_email": "ops@batterysmart.example",
    "voice:instance_type": "t3.medium",
    "qa:alert_email": "supervisors@batterysmart.example",
    "ops:alert_email": "ops@batterysmart.example",
    "web:support_phone": "+918000000000",
}
VARIANTS = {"defaults": {}, "every-option": EVERY_OPTION}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_aws_solutions_checks_pass_with_reasoned_acknowledgements(variant):
    app = build_app(cdk_context(**VARIANTS[variant]))
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()  # raises ValidationFailed on any unacknowledged finding


def _lint(template) -> list[str]:
    from cfnlint.api import ManualArgs, lint

    # W3005 (a DependsOn also implied by a GetAtt) is how aws-cdk-lib writes every template.
    config = ManualArgs(regions=["ap-south-1"], ignore_checks=["W3005"])
    return [str(m) for m in lint(json.dumps(template.to_json()), config=config)]


@pytest.mark.parametrize("stack", ["QaPipelineStack", "VoiceStack", "WebStack"])
def test_synthesized_templates_are_cfn_lint_clean(stack, template, voice_template, web_template):
    synthesized = {
        "QaPipelineStack": template,
        "VoiceStack": voice_template,
        "WebStack": web_template,
    }[stack]
    assert _lint(synthesized) == []


@pytest.mark.parametrize("stack", ["VoiceStack", "WebStack"])
def test_templates_with_every_option_are_cfn_lint_clean(stack):
    assert _lint(synth(cdk_context(**EVERY_OPTION), stack)[1]) == []
