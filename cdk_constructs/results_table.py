"""DynamoDB `CallQA_Results`: one item per call, an agent-over-time index, a flagged-calls index."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from contracts import results_table as contract


class ResultsTable(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        string = dynamodb.AttributeType.STRING
        self.table = dynamodb.Table(
            self,
            "Table",
            table_name=contract.TABLE_NAME,
            partition_key=dynamodb.Attribute(name=contract.CALL_ID, type=string),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # The flagged-calls index is sparse: only flagged calls carry its partition key.
        for index, (partition, sort) in contract.INDEXES.items():
            self.table.add_global_secondary_index(
                index_name=index,
                partition_key=dynamodb.Attribute(name=partition, type=string),
                sort_key=dynamodb.Attribute(name=sort, type=string),
            )
