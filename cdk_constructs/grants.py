"""Grants a role needs that CDK's `grant_*` methods make too wide: objects under one key prefix,
one bucket's listing under that prefix. Each grant acknowledges the cdk-nag finding it raises
on the grantee, with the reason, so the finding is never acknowledged for anything else."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import IConstruct

from cdk_constructs.nag import acknowledge, nag_arn

PREFIX_REASON = (
    "Object access is limited to the key prefix this role owns; keys are per call, so they "
    "cannot be listed in the policy in advance"
)


def grant_objects(
    grantee: IConstruct,
    principal: iam.IGrantable,
    bucket: s3.IBucket,
    prefix: str,
    *actions: str,
    reason: str = PREFIX_REASON,
) -> None:
    """`actions` on the objects under `prefix` of `bucket`, for `principal` (`grantee` is the
    construct whose policy holds it: a function or a role; `bucket` may be another stack's)."""
    principal.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=list(actions), resources=[bucket.arn_for_objects(f"{prefix}*")])
    )
    acknowledge(grantee, f"IAM5[Resource::{nag_arn(bucket, seen_from=grantee)}/{prefix}*]", reason)


def grant_listing(principal: iam.IGrantable, bucket: s3.IBucket, prefix: str | None = None) -> None:
    """ListBucket on `bucket`, under `prefix` only when one is given."""
    conditions = {"StringLike": {"s3:prefix": [f"{prefix}*"]}} if prefix else None
    principal.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["s3:ListBucket"], resources=[bucket.bucket_arn], conditions=conditions
        )
    )
