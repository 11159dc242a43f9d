"""The IAM statements that let a role call one Bedrock model, by model id or inference profile.

A cross-region inference profile needs the profile in the home region and the foundation model
in the regions the profile may route to. The model grant names every region (`*`): the regions
a profile routes to grow over time, and a region missing from the policy fails requests at
random. It is conditioned on the profile (`bedrock:InferenceProfileArn`), so the role reaches
the model only through that profile, in the profile's regions. A global profile's model is
also named without a region (Bedrock's "Securing cross-Region inference" guidance).
"""

from __future__ import annotations

from aws_cdk import Stack, Token
from aws_cdk import aws_iam as iam
from constructs import IConstruct

from cdk_constructs.nag import acknowledge
from contracts.bedrock_models import check_model_id

INVOKE = ["bedrock:InvokeModel"]
# Converse for the judge; ConverseStream for the voice bot (Pipecat streams its replies).
INVOKE_STREAMING = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]


def model_statements(
    stack: Stack, model_id: str, actions: list[str], setting: str = "qa:model_id"
) -> list[iam.PolicyStatement]:
    region = "" if Token.is_unresolved(stack.region) else stack.region
    ref = check_model_id(model_id, region, setting)
    partition, region = stack.partition, stack.region
    if ref.profile is None and not ref.is_profile_arn:
        arn = (
            ref.arn or f"arn:{partition}:bedrock:{region}::foundation-model/{ref.foundation_model}"
        )
        return [iam.PolicyStatement(actions=actions, resources=[arn])]
    profile_arn = ref.arn or (
        f"arn:{partition}:bedrock:{region}:{stack.account}:inference-profile/{ref.profile}"
    )
    through_profile = {"bedrock:InferenceProfileArn": profile_arn}
    # An application inference profile does not name its model: any, through that profile only.
    model = f"foundation-model/{ref.foundation_model or '*'}"
    statements = [
        iam.PolicyStatement(actions=actions, resources=[profile_arn]),
        iam.PolicyStatement(
            actions=actions,
            resources=[f"arn:{partition}:bedrock:*::{model}"],
            conditions={"StringEquals": through_profile},
        ),
    ]
    if ref.geography is not None and ref.geography.prefix == "global":
        statements.append(
            iam.PolicyStatement(
                actions=actions,
                resources=[f"arn:{partition}:bedrock:::{model}"],
                conditions={
                    "StringEquals": {**through_profile, "aws:RequestedRegion": "unspecified"}
                },
            )
        )
    return statements


def grant_model(
    grantee: IConstruct, principal: iam.IGrantable, model_id: str, actions: list[str]
) -> None:
    """`actions` on one model for `principal`, with the finding it raises acknowledged on
    `grantee` (the function or role whose policy holds it)."""
    for statement in model_statements(Stack.of(grantee), model_id, actions):
        principal.grant_principal.add_to_principal_policy(statement)
    acknowledge_model_grant(grantee, model_id)


def acknowledge_model_grant(scope: IConstruct, model_id: str) -> None:
    """The cdk-nag finding the profile's model grant raises, with its reason."""
    ref = check_model_id(model_id, "")
    if ref.profile is None and not ref.is_profile_arn:
        return
    acknowledge(
        scope,
        "IAM5[Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/"
        f"{ref.foundation_model or '*'}]",
        "One model in any region, but only through the configured inference profile "
        "(bedrock:InferenceProfileArn), which decides the regions it routes to",
    )
