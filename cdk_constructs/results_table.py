"""DynamoDB `CallQA_Results`: one item per call, an agent-over-time index, a flagged-calls index."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

TABLE_NAME = "CallQA_Results"
AGENT_INDEX = "by_agent_time"
FLAGGED_INDEX = "flagged_by_date"


class ResultsTable(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        string = dynamodb.AttributeType.STRING
        self.table = dynamodb.Table(
            self,
            "Table",
            table_name=TABLE_NAME,
            partition_key=dynamodb.Attribute(name="call_id", type=string),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.table.add_global_secondary_index(
            index_name=AGENT_INDEX,
            partition_key=dynamodb.Attribute(name="agent_id", type=string),
            sort_key=dynamodb.Attribute(name="timestamp", type=string),
        )
        # Sparse: only flagged calls carry flagged_date.
        self.table.add_global_secondary_index(
            index_name=FLAGGED_INDEX,
            partition_key=dynamodb.Attribute(name="flagged_date", type=string),
            sort_key=dynamodb.Attribute(name="timestamp", type=string),
        )
