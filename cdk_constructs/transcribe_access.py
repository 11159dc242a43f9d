"""Auto-QA's Transcribe batch jobs: the data access role Transcribe assumes (reads recordings,
writes transcripts), and grants to start and read the jobs QA names (`qa-*`), nothing else.

The role is added to the given scope as `TranscribeDataAccess`, not nested under a construct of
its own: its logical id (and so the role) stays the one deployed jobs name. A queued
Transcribe job keeps the role ARN it was started with; replacing the role would fail it."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct, IConstruct

from cdk_constructs.grants import grant_objects
from cdk_constructs.nag import acknowledge
from contracts.storage import JOB_PREFIX, RECORDINGS_PREFIX, TRANSCRIPTS_PREFIX

SERVICE = "transcribe.amazonaws.com"


class TranscribeAccess:
    def __init__(
        self,
        scope: Construct,
        *,
        recordings: s3.IBucket,
        transcripts: s3.IBucket,
    ) -> None:
        stack = Stack.of(scope)
        self.role = iam.Role(
            scope,
            "TranscribeDataAccess",
            description="Assumed by Transcribe to read recordings and write transcripts",
            assumed_by=iam.ServicePrincipal(
                SERVICE, conditions={"StringEquals": {"aws:SourceAccount": stack.account}}
            ),
        )
        grant_objects(self.role, self.role, recordings, RECORDINGS_PREFIX, "s3:GetObject")
        grant_objects(self.role, self.role, transcripts, TRANSCRIPTS_PREFIX, "s3:PutObject")
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[recordings.bucket_arn, transcripts.bucket_arn],
            )
        )
        self.job_arn = stack.format_arn(
            service="transcribe", resource="transcription-job", resource_name=f"{JOB_PREFIX}*"
        )
        self._job_finding = (
            f"IAM5[Resource::arn:<AWS::Partition>:transcribe:{stack.region}:<AWS::AccountId>:"
            f"transcription-job/{JOB_PREFIX}*]"
        )

    def grant_start(self, grantee: IConstruct, principal: iam.IGrantable) -> None:
        """Start (and tag) QA's jobs, handing Transcribe the data access role."""
        principal.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["transcribe:StartTranscriptionJob", "transcribe:TagResource"],
                resources=[self.job_arn],
            )
        )
        principal.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[self.role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": SERVICE}},
            )
        )
        self._acknowledge_jobs(grantee)

    def grant_read(self, grantee: IConstruct, principal: iam.IGrantable) -> None:
        """Read a QA job's status and failure reason."""
        principal.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["transcribe:GetTranscriptionJob"], resources=[self.job_arn]
            )
        )
        self._acknowledge_jobs(grantee)

    def _acknowledge_jobs(self, grantee: IConstruct) -> None:
        acknowledge(
            grantee,
            self._job_finding,
            f"Transcription job names are per call; access is limited to the {JOB_PREFIX} prefix",
        )
