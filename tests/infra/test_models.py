"""One default model for the judge and the voice bot, IAM that reaches it through its inference
profile, and a synth that refuses a model Bedrock has retired."""

from __future__ import annotations

import json
import re

import pytest

from contracts.bedrock_models import (
    DEFAULT_MODEL_ID,
    RETIRED,
    ModelError,
    check_model_id,
    default_model_id,
    is_nova,
    parse_model_id,
)
from tests.conftest import REPO
from tests.infra.conftest import cdk_context, policy_statements, synth

HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"


def bedrock_statements(template, role_prefix: str) -> list[dict]:
    return [
        s for s in policy_statements(template, role_prefix) if "bedrock:" in json.dumps(s["Action"])
    ]


def resources_of(statement: dict) -> list[str]:
    resource = statement["Resource"]
    return [json.dumps(r) for r in (resource if isinstance(resource, list) else [resource])]


def test_the_default_is_claude_haiku_4_5_through_the_apac_profile_in_mumbai():
    assert f"apac.{HAIKU}" == DEFAULT_MODEL_ID
    assert default_model_id("ap-south-1") == DEFAULT_MODEL_ID
    assert default_model_id("us-east-1") == f"us.{HAIKU}"
    assert default_model_id("eu-west-1") == f"eu.{HAIKU}"
    assert default_model_id("sa-east-1") == f"global.{HAIKU}"


@pytest.mark.parametrize("retired", sorted(RETIRED))
def test_every_retired_model_is_refused_in_one_line_naming_the_replacement(retired):
    for model_id in (retired, f"apac.{retired}", f"global.{retired}"):
        with pytest.raises(ModelError) as caught:
            check_model_id(model_id, "ap-south-1", "qa:model_id")
        message = str(caught.value)
        assert "\n" not in message and "end of life" in message
        assert model_id in message and DEFAULT_MODEL_ID in message


def test_a_retired_model_in_arn_form_is_refused_too():
    arn = "arn:aws:bedrock:ap-south-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    with pytest.raises(ModelError, match="2026-09-10"):
        check_model_id(arn, "ap-south-1")


def test_a_profile_from_another_geography_is_refused_with_the_local_one():
    with pytest.raises(ModelError, match=re.escape(f"us.{HAIKU}")):
        check_model_id(f"apac.{HAIKU}", "us-east-1", "qa:model_id")
    assert check_model_id(f"global.{HAIKU}", "us-east-1").profile == f"global.{HAIKU}"


def test_model_ids_parse_into_profile_and_foundation_model():
    ref = parse_model_id(f"apac.{HAIKU}")
    assert (ref.profile, ref.foundation_model, ref.geography.prefix) == (
        f"apac.{HAIKU}",
        HAIKU,
        "apac",
    )
    plain = parse_model_id("amazon.nova-lite-v1:0")
    assert plain.profile is None and plain.foundation_model == "amazon.nova-lite-v1:0"
    app_profile = parse_model_id(
        "arn:aws:bedrock:ap-south-1:123456789012:application-inference-profile/abc123"
    )
    assert app_profile.foundation_model is None and app_profile.arn
    assert is_nova("apac.amazon.nova-lite-v1:0") and not is_nova(DEFAULT_MODEL_ID)
    with pytest.raises(ModelError):
        parse_model_id("  ")


def test_synth_refuses_a_retired_model_before_anything_is_deployed():
    with pytest.raises(ModelError) as caught:
        synth(cdk_context(**{"qa:model_id": "anthropic.claude-3-haiku-20240307-v1:0"}))
    assert str(caught.value) == (
        "qa:model_id 'anthropic.claude-3-haiku-20240307-v1:0' reached end of life in Amazon "
        f"Bedrock on 2026-09-10; use '{DEFAULT_MODEL_ID}' instead"
    )


def test_no_template_names_a_retired_model(template, voice_template, web_template):
    text = json.dumps([t.to_json() for t in (template, voice_template, web_template)])
    assert not [model for model in RETIRED if model in text]


def test_no_default_in_the_code_or_the_context_names_a_retired_model():
    """The retired ids live in one table; nothing else the product ships may name them."""
    shipped = [
        p
        for folder in ("lambda_src", "voice_agent", "stacks", "cdk_constructs", "prompts", "bench")
        for p in (REPO / folder).rglob("*")
        if p.suffix in {".py", ".json", ".yaml", ".yml", ".env", ".md", ".txt"}
        and p.name != "bedrock_models.py"
    ] + [REPO / "cdk.json", REPO / "app.py", REPO / "README.md"]
    naming = {
        str(p.relative_to(REPO)): model
        for p in shipped
        for model in RETIRED
        if model in p.read_text(errors="replace")
    }
    assert naming == {}


def test_the_apac_profile_reaches_claude_haiku_only_through_the_profile(template):
    profile_grant, model_grant = bedrock_statements(template, "AnalyzeTranscriptRole")
    (profile_arn,) = resources_of(profile_grant)
    assert f"inference-profile/apac.{HAIKU}" in profile_arn and "ap-south-1" in profile_arn
    # The model in whichever region the profile routes to, and no other model.
    (model,) = resources_of(model_grant)
    assert f"bedrock:*::foundation-model/{HAIKU}" in model
    condition = model_grant["Condition"]["StringEquals"]["bedrock:InferenceProfileArn"]
    assert json.loads(profile_arn) == condition


def test_an_application_inference_profile_reaches_its_model_only_through_itself():
    arn = "arn:aws:bedrock:ap-south-1:123456789012:application-inference-profile/abc123"
    template = synth(cdk_context(**{"qa:model_id": arn}))[1]
    profile_grant, model_grant = bedrock_statements(template, "AnalyzeTranscriptRole")
    assert profile_grant["Resource"] == arn
    assert model_grant["Condition"]["StringEquals"]["bedrock:InferenceProfileArn"] == arn
    assert "foundation-model/*" in json.dumps(model_grant["Resource"])


def test_a_global_profile_gets_the_region_less_model_only_through_the_profile(custom_template):
    grants = bedrock_statements(custom_template, "AnalyzeTranscriptRole")
    assert len(grants) == 3
    regionless = [g for g in grants if f"bedrock:::foundation-model/{HAIKU}" in json.dumps(g)]
    (statement,) = regionless
    condition = statement["Condition"]["StringEquals"]
    assert condition["aws:RequestedRegion"] == "unspecified"
    assert f"inference-profile/global.{HAIKU}" in json.dumps(condition)


def test_a_plain_model_id_is_one_foundation_model_in_the_home_region():
    template = synth(cdk_context(**{"qa:model_id": "amazon.nova-lite-v1:0"}))[1]
    (grant,) = bedrock_statements(template, "AnalyzeTranscriptRole")
    (resource,) = resources_of(grant)
    assert "bedrock:ap-south-1::foundation-model/amazon.nova-lite-v1:0" in resource
    assert "Condition" not in grant


def test_the_voice_bot_streams_from_the_same_model(voice_template):
    grants = bedrock_statements(voice_template, "HostRole")
    assert len(grants) == 2
    for grant in grants:
        assert sorted(grant["Action"]) == [
            "bedrock:InvokeModel",
            "bedrock:InvokeModelWithResponseStream",
        ]
    assert f"inference-profile/apac.{HAIKU}" in json.dumps(grants[0]["Resource"])
