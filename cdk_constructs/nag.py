"""cdk-nag acknowledgements, each with the reason it is acceptable."""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from aws_cdk import aws_s3 as s3
from constructs import IConstruct

PACK = "AwsSolutions::AwsSolutions"
# Singleton handlers that CDK itself adds for bucket notifications and bucket deployments.
CDK_HANDLERS = ("BucketNotificationsHandler", "Custom::CDKBucketDeployment")


def acknowledge(scope: IConstruct, finding: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=f"{PACK}-{finding}", reason=reason))


def nag_arn(bucket: s3.IBucket, *, seen_from: IConstruct | None = None) -> str:
    """A bucket's ARN the way cdk-nag names it in a finding: `<LogicalId.Arn>` in the bucket's
    own stack; in another stack (`seen_from`'s), the name of the export CDK imports it by."""
    stack = Stack.of(bucket)
    resource = bucket.node.default_child
    if not isinstance(resource, CfnElement):
        raise TypeError(f"{bucket.node.path} is not a bucket this app defines")
    if seen_from is not None and Stack.of(seen_from) is not stack:
        # The export a cross-stack reference makes (the same one: export_value is idempotent).
        imported = stack.resolve(stack.export_value(bucket.bucket_arn))
        return str(imported["Fn::ImportValue"])
    return f"<{stack.get_logical_id(resource)}.Arn>"


def acknowledge_cdk_handlers(stack: Stack, *, deployed_to: str) -> None:
    """The handlers' findings, named exactly; `deployed_to` is the deployment's bucket ARN ref."""
    findings = [
        "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AWSLambdaBasicExecutionRole]",
        "IAM5[Action::s3:GetBucket*]",
        "IAM5[Action::s3:GetObject*]",
        "IAM5[Action::s3:List*]",
        "IAM5[Action::s3:Abort*]",
        "IAM5[Action::s3:DeleteObject*]",
        f"IAM5[Resource::{deployed_to}/*]",
        "IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-"
        f"{stack.region}/*]",
        "IAM5[Resource::*]",
        "L1",
    ]
    for child in stack.node.children:
        if child.node.id.startswith(CDK_HANDLERS):
            for finding in findings:
                acknowledge(
                    child,
                    finding,
                    "CDK-provided custom resource handler (S3 notifications, prompt upload); "
                    "its role, wildcard actions on the target bucket and runtime come from "
                    "aws-cdk-lib",
                )
