"""The dashboard's HTTP API: API Gateway (HTTP API) in front of one Lambda function, every
route behind a JWT authorizer that accepts only the dashboard's Cognito app client.

`ANY /api/{proxy+}` is the only route, so every request, `GET /api/openapi.json` included,
carries a supervisor's access token: the API has no anonymous reader (the page is its only
client and fetches the description signed in), and one rule is easier to keep than a list of
exceptions. The function tells supervisors (the `supervisors` group) from other signed-in users.

The stage logs each request (JSON, the user's `sub`, never the token) and is throttled as a
whole. The function may read and update the calls' rows, read and add reviews, and read the
recordings and long transcripts it presigns or loads; nothing else (no Scan, no DeleteItem).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import jsii
from aws_cdk import Duration, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from cdk_constructs.dashboard_auth import DashboardAuth
from cdk_constructs.grants import grant_objects
from cdk_constructs.python_function import PythonFunction
from contracts import environment as env
from contracts.dashboard import API_PREFIX
from contracts.results_table import AGENT_INDEX, DAY_INDEX, REVIEW_ATTRIBUTES
from contracts.storage import RECORDINGS_PREFIX, RESULTS_PREFIX

HANDLER = "handlers.dashboard_api.lambda_handler"
ROUTE = f"{API_PREFIX}/{{proxy+}}"
# For the whole API: a few supervisors, each page load a handful of requests.
RATE_LIMIT = 20  # requests a second, sustained
BURST_LIMIT = 40
ACCESS_LOG = {
    "requestId": "$context.requestId",
    "time": "$context.requestTime",
    "method": "$context.httpMethod",
    "path": "$context.path",
    "route": "$context.routeKey",
    "status": "$context.status",
    "latencyMs": "$context.responseLatency",
    "bytes": "$context.responseLength",
    "user": "$context.authorizer.claims.sub",
    "authorizerError": "$context.authorizer.error",
    "integrationError": "$context.integrationErrorMessage",
}


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLog:
    """One JSON line per request into `log_group`."""

    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._destination = apigwv2.LogGroupLogDestination(log_group)

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw.AccessLogFormat:
        return apigw.AccessLogFormat.custom(json.dumps(ACCESS_LOG))


@dataclass(frozen=True)
class DashboardData:
    """What the dashboard reads and writes (QaPipelineStack's)."""

    results: dynamodb.ITable
    reviews: dynamodb.ITable
    recordings: s3.IBucket
    transcripts: s3.IBucket


@dataclass(frozen=True)
class FunctionSource:
    """The Lambda code: `packages` of `source_dir`, with the pinned `requirements`."""

    source_dir: Path
    packages: list[str]
    requirements: Path


class DashboardApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        auth: DashboardAuth,
        data: DashboardData,
        source: FunctionSource,
    ) -> None:
        super().__init__(scope, construct_id)
        self.handler = PythonFunction(
            self,
            "Handler",
            source_dir=source.source_dir,
            packages=source.packages,
            requirements=source.requirements,
            handler=HANDLER,
            description="The supervisor dashboard's API: calls, reviews, agents, recordings",
            memory_size=512,
            timeout=Duration.seconds(25),  # API Gateway waits 30 s at most
            environment={
                env.TABLE_NAME: data.results.table_name,
                env.REVIEWS_TABLE_NAME: data.reviews.table_name,
                env.RECORDINGS_BUCKET: data.recordings.bucket_name,
                env.TRANSCRIPTS_BUCKET: data.transcripts.bucket_name,
                env.POWERTOOLS_SERVICE_NAME: "dashboard-api",
                env.LOG_LEVEL: "INFO",
            },
        )
        self._grant(data)
        self.api = apigwv2.HttpApi(
            self,
            "Api",
            api_name="battery-smart-dashboard",
            description="Battery Smart supervisor dashboard, reached through the page's CloudFront",
            create_default_stage=False,
        )
        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=logs.RetentionDays.THREE_MONTHS
        )
        self.stage = apigwv2.HttpStage(
            self,
            "Stage",
            http_api=self.api,
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(rate_limit=RATE_LIMIT, burst_limit=BURST_LIMIT),
            access_log_settings=_AccessLog(self.access_logs),
        )
        self.api.add_routes(
            path=ROUTE,
            methods=[apigwv2.HttpMethod.ANY],
            integration=integrations.HttpLambdaIntegration(
                "Handler",
                self.handler.function,
                payload_format_version=apigwv2.PayloadFormatVersion.VERSION_2_0,
            ),
            authorizer=authorizers.HttpUserPoolAuthorizer(
                "Supervisors",
                auth.pool,
                user_pool_clients=[auth.client],
                identity_source=["$request.header.Authorization"],
            ),
        )
        stack = Stack.of(self)
        # The API's own host name: CloudFront's origin for the page's /api/*.
        self.domain_name = f"{self.api.api_id}.execute-api.{stack.region}.{stack.url_suffix}"

    def _grant(self, data: DashboardData) -> None:
        """Each action on exactly the resources it needs. A review is one TransactWriteItems:
        a Put of the review (reviews table) and an Update of the call's row (results table)."""
        results = data.results.table_arn
        for actions, resources in (
            (["dynamodb:GetItem"], [results]),
            (
                ["dynamodb:Query"],
                [f"{results}/index/{DAY_INDEX}", f"{results}/index/{AGENT_INDEX}"],
            ),
            (["dynamodb:Query", "dynamodb:PutItem"], [data.reviews.table_arn]),
        ):
            self.handler.role.add_to_policy(
                iam.PolicyStatement(actions=actions, resources=resources)
            )
        # A review changes only the call's review state (and its list partition), never
        # its scorecard: the update may name no other attribute.
        self.handler.role.add_to_policy(
            iam.PolicyStatement(
                actions=["dynamodb:UpdateItem"],
                resources=[results],
                conditions={
                    "ForAllValues:StringEquals": {"dynamodb:Attributes": list(REVIEW_ATTRIBUTES)}
                },
            )
        )
        for bucket, prefix, reason in (
            (data.recordings, RECORDINGS_PREFIX, "Recordings, one per call, presigned for play"),
            (data.transcripts, RESULTS_PREFIX, "Transcripts too long for a row, one per call"),
        ):
            grant_objects(
                self.handler,
                self.handler.role,
                bucket,
                prefix,
                "s3:GetObject",
                reason=f"{reason}: read-only under that prefix; keys are per call, so they "
                "cannot be listed in the policy in advance",
            )
