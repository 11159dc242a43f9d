"""The IAM statements that let a role call one Bedrock model, by model id or inference profile.

A cross-region inference profile needs the profile in the home region and the foundation model
in every region the profile may route to; the model grants are conditioned on the profile, so
the role reaches the model only through it. A global profile's model is named without a region
(Bedrock's "Securing cross-Region inference" guidance).
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam

from contracts.bedrock_models import check_model_id

INVOKE = ["bedrock:InvokeModel"]
# Converse for the judge; ConverseStream for the voice bot (Pipecat streams its replies).
INVOKE_STREAMING = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]


def model_statements(
    stack: Stack, model_id: str, actions: list[str], setting: str = "qa:model_id"
) -> list[iam.PolicyStatement]:
    ref = check_model_id(model_id, stack.region, setting)
    partition, region = stack.partition, stack.region
    if ref.profile is None:
        arn = (
            ref.arn or f"arn:{partition}:bedrock:{region}::foundation-model/{ref.foundation_model}"
        )
        return [iam.PolicyStatement(actions=actions, resources=[arn])]
    assert ref.geography is not None
    profile_arn = ref.arn or (
        f"arn:{partition}:bedrock:{region}:{stack.account}:inference-profile/{ref.profile}"
    )
    through_profile = {"bedrock:InferenceProfileArn": profile_arn}
    model = f"foundation-model/{ref.foundation_model}"
    statements = [iam.PolicyStatement(actions=actions, resources=[profile_arn])]
    if ref.geography.destinations:
        statements.append(
            iam.PolicyStatement(
                actions=actions,
                resources=[
                    f"arn:{partition}:bedrock:{r}::{model}" for r in ref.geography.destinations
                ],
                conditions={"StringEquals": through_profile},
            )
        )
    else:  # global: the home region's model, and the region-less model for the other regions
        statements += [
            iam.PolicyStatement(
                actions=actions,
                resources=[f"arn:{partition}:bedrock:{region}::{model}"],
                conditions={"StringEquals": through_profile},
            ),
            iam.PolicyStatement(
                actions=actions,
                resources=[f"arn:{partition}:bedrock:::{model}"],
                conditions={
                    "StringEquals": {**through_profile, "aws:RequestedRegion": "unspecified"}
                },
            ),
        ]
    return statements
