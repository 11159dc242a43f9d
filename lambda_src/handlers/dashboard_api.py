"""DashboardApi: API Gateway HTTP API requests -> the dashboard's routes (`dashboard.api`).

API Gateway's JWT authorizer has checked the Cognito ID token (the page sends it: it names the
person and their groups) before a request arrives; the handler reads who is asking from the
token's claims (and refuses a request without them,
should the route ever be left open), and whether they are in the supervisors group.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from botocore.config import Config

from contracts.dashboard import SUPERVISORS_GROUP
from dashboard.api import build_api
from dashboard.ports import Caller
from dashboard.service import DashboardService
from qa_aws.dashboard_backend import DynamoDashboardBackend
from qa_aws.observability import logger
from qa_aws.settings import DashboardSettings


def groups_of(claims: dict[str, Any]) -> set[str]:
    """`cognito:groups` as API Gateway passes it: a list, or a string like `[a b]`."""
    raw = claims.get("cognito:groups")
    if isinstance(raw, list):
        return {str(g) for g in raw}
    if isinstance(raw, str):
        return {g for g in raw.strip("[]").replace(",", " ").split() if g}
    return set()


def identify(event: dict[str, Any]) -> Caller | None:
    """The signed-in user from the JWT authorizer's claims; None without them."""
    claims = (
        event.get("requestContext", {}).get("authorizer", {}).get("jwt", {}).get("claims") or {}
    )
    # The ID token names the person (e-mail); Cognito's username is a generated id.
    user = (
        claims.get("email")
        or claims.get("cognito:username")
        or claims.get("username")
        or claims.get("sub")
    )
    if not user:
        return None
    return Caller(user=str(user), supervisor=SUPERVISORS_GROUP in groups_of(claims))


@cache
def api() -> APIGatewayHttpResolver:
    """Built once per execution environment, from the function's settings."""
    settings = DashboardSettings.from_env()
    dynamodb = boto3.resource("dynamodb")
    # Presigned URLs name the bucket's regional endpoint, signed with SigV4.
    s3 = boto3.client(
        "s3",
        region_name=settings.region or None,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "virtual", "us_east_1_regional_endpoint": "regional"},
        ),
    )
    backend = DynamoDashboardBackend(
        dynamodb.Table(settings.table_name),
        dynamodb.Table(settings.reviews_table_name),
        s3,
        settings.recordings_bucket,
        settings.transcripts_bucket,
    )
    return build_api(DashboardService(backend), identify)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return api().resolve(event, context)
