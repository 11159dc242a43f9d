"""cdk-nag's AwsSolutions pack finds nothing unacknowledged; cfn-lint finds nothing at all."""

from __future__ import annotations

import json

import pytest
from aws_cdk import Validations
from cdk_nag import AwsSolutionsChecks

from app import build_app
from tests.infra.conftest import cdk_context


def test_aws_solutions_checks_pass_with_reasoned_acknowledgements():
    app = build_app(cdk_context())
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()  # raises ValidationFailed on any unacknowledged finding


@pytest.mark.parametrize("stack", ["QaPipelineStack", "VoiceStack", "WebStack"])
def test_synthesized_templates_are_cfn_lint_clean(stack, template, voice_template, web_template):
    from cfnlint.api import ManualArgs, lint

    synthesized = {
        "QaPipelineStack": template,
        "VoiceStack": voice_template,
        "WebStack": web_template,
    }[stack]
    # W3005 (a DependsOn also implied by a GetAtt) is how aws-cdk-lib writes every template.
    config = ManualArgs(regions=["ap-south-1"], ignore_checks=["W3005"])
    matches = lint(json.dumps(synthesized.to_json()), config=config)
    assert [str(m) for m in matches] == []
