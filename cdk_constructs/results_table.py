"""DynamoDB `CallQA_Results` (one item per call; an agent-over-time index, a flagged-calls index,
the dashboard's calls-by-day index) and `CallQA_Reviews` (supervisors' reviews of a call)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from contracts import results_table as contract

STRING = dynamodb.AttributeType.STRING


def _kept_table(
    scope: Construct, *, name: str, partition: dynamodb.Attribute, sort: dynamodb.Attribute | None
) -> dynamodb.Table:
    """On demand, point-in-time recovery, deletion protection, kept if the stack goes."""
    return dynamodb.Table(
        scope,
        "Table",
        table_name=name,
        partition_key=partition,
        sort_key=sort,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        deletion_protection=True,
        removal_policy=RemovalPolicy.RETAIN,
    )


class ResultsTable(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.table = _kept_table(
            self,
            name=contract.TABLE_NAME,
            partition=dynamodb.Attribute(name=contract.CALL_ID, type=STRING),
            sort=None,
        )
        # The flagged-calls index is sparse: only flagged calls carry its partition key. An
        # index named in INCLUDE_ONLY carries only those attributes besides the keys.
        # CloudFormation adds one index per table update: add a new index in a deploy of its own.
        for index, (partition, sort) in contract.INDEXES.items():
            included = contract.INCLUDE_ONLY.get(index)
            self.table.add_global_secondary_index(
                index_name=index,
                partition_key=dynamodb.Attribute(name=partition, type=STRING),
                sort_key=dynamodb.Attribute(name=sort, type=STRING),
                projection_type=dynamodb.ProjectionType.INCLUDE
                if included
                else dynamodb.ProjectionType.ALL,
                non_key_attributes=list(included) if included else None,
            )


class ReviewsTable(Construct):
    """One item per review of a call (`revision` 1, 2, ...), never overwritten."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.table = _kept_table(
            self,
            name=contract.REVIEWS_TABLE_NAME,
            partition=dynamodb.Attribute(name=contract.CALL_ID, type=STRING),
            sort=dynamodb.Attribute(name=contract.REVISION, type=dynamodb.AttributeType.NUMBER),
        )
