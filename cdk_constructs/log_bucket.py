"""A bucket that receives access logs: private, SSL only, encrypted, expiring after a year."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_s3 as s3
from constructs import Construct

from cdk_constructs.nag import acknowledge


class LogBucket(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, acl_delivery: bool = False) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            # S3 server access logs are granted by a bucket policy, so ACLs stay off; CloudFront's
            # standard logs are delivered with an ACL and need the writer to own its objects.
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER
            if acl_delivery
            else s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365))],
        )
        acknowledge(
            self.bucket, "S1", "This is the server access log bucket; logging into itself loops."
        )
