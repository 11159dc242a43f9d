"""An S3 bucket with the project's baseline: private, SSL only, encrypted, logged, retained."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from cdk_constructs.nag import acknowledge


class SecureBucket(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        access_logs: s3.IBucket | None,
        expire_prefix: str | None = None,
        expire_after_days: int | None = None,
        bucket_name: str | None = None,
        versioned: bool = False,
        noncurrent_expire_after_days: int = 1,
        unlogged_reason: str | None = None,
    ) -> None:
        """`access_logs` None: no server access logs, for `unlogged_reason` (required then)."""
        super().__init__(scope, construct_id)
        if access_logs is None and not unlogged_reason:
            raise ValueError(f"{construct_id}: a bucket without access logs needs a reason")
        rules = [s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(7))]
        if expire_after_days:
            rules.append(
                s3.LifecycleRule(
                    id="ExpireRawData",
                    prefix=expire_prefix,
                    expiration=Duration.days(expire_after_days),
                    noncurrent_version_expiration=Duration.days(noncurrent_expire_after_days),
                )
            )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=bucket_name,
            versioned=versioned,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix=f"{construct_id.lower()}/" if access_logs else None,
            lifecycle_rules=rules,
            removal_policy=RemovalPolicy.RETAIN,
        )
        if access_logs is None:
            acknowledge(self.bucket, "S1", str(unlogged_reason))
