"""The dashboard's routes, defined once: Powertools' event handler for API Gateway HTTP APIs,
the same object on AWS (the DashboardApi function) and on a laptop (`autoqa serve` turns each
HTTP request into the same event). Parameters and bodies are checked by pydantic from the
type hints, which also give the OpenAPI document (`openapi_document`).

Powertools' resolver is already in the functions' bundle for logging and metrics, so the API
adds no dependency and no import time beyond its own routes (see `make bench`), where an ASGI
framework would add itself and an adapter to every cold start.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.models import Server
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from contracts.dashboard import (
    API_PREFIX,
    DEFAULT_LIMIT,
    DEFAULT_WEEKS,
    LABELS_DEFAULT_LIMIT,
    LABELS_MAX_LIMIT,
    MAX_LIMIT,
    MAX_WEEKS,
    OPENAPI_PATH,
    AgentDetail,
    AgentList,
    AudioLink,
    CallDetail,
    CallPage,
    ErrorOut,
    JudgeKind,
    LabelExport,
    Me,
    Review,
    ReviewHistory,
    ReviewIn,
    ReviewStatus,
)
from dashboard.errors import ApiError, Forbidden, Unauthorized
from dashboard.ports import Caller
from dashboard.query import CallFilter, list_range, parse_instant, time_range
from dashboard.service import DashboardService, check_range

TITLE = "Battery Smart call QA dashboard"
VERSION = "1.0.0"
# Who is asking, from the request's event (None: nobody signed in).
Identify = Callable[[dict[str, Any]], Caller | None]
CallId = Annotated[str, Path(min_length=1, max_length=256)]
_ERRORS: dict[int, OpenAPIResponse] = {
    status: {
        "description": description,
        "content": {"application/json": {"model": ErrorOut}},
    }
    for status, description in (
        (400, "Bad parameters or body"),
        (401, "Not signed in"),
        (403, "Signed in, but not a supervisor"),
        (404, "No such call (or recording)"),
        (409, "The call changed meanwhile, or cannot be reviewed"),
        (415, "A body that is not JSON"),
    )
}


def _error(status: int, code: str, message: str) -> Response[str]:
    body = ErrorOut.model_validate({"error": {"code": code, "message": message}})
    return Response(
        status_code=status, content_type="application/json", body=body.model_dump_json()
    )


def _first_problem(exc: RequestValidationError) -> str:
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "body", "path"))
        message = str(error.get("msg", "is not valid"))
        return f"{where}: {message}" if where else message
    return "the request is not valid"


def build_api(
    service: DashboardService, identify: Identify, *, server_url: str | None = None
) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True)

    def caller() -> Caller:
        who = identify(app.current_event.raw_event)
        if who is None:
            raise Unauthorized("sign in to use the dashboard")
        return who

    @app.exception_handler(ApiError)
    def api_error(exc: ApiError) -> Response[str]:
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    def invalid(exc: RequestValidationError) -> Response[str]:
        return _error(HTTPStatus.BAD_REQUEST, "bad_request", _first_problem(exc))

    @app.exception_handler(RequestUnsupportedContentType)
    def not_json(exc: RequestUnsupportedContentType) -> Response[str]:
        message = "send the body as JSON (Content-Type: application/json)"
        return _error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "not_json", message)

    @app.not_found
    def not_found(exc: Exception) -> Response[str]:
        return _error(HTTPStatus.NOT_FOUND, "no_route", "no such route")

    @app.get(f"{API_PREFIX}/me", responses=_ERRORS, tags=["session"])
    def me() -> Me:
        """Who is signed in, and whether they may review."""
        who = caller()
        return Me(user=who.user, supervisor=who.supervisor)

    @app.get(OPENAPI_PATH, include_in_schema=False)
    def openapi() -> Response[str]:
        return Response(
            status_code=HTTPStatus.OK,
            content_type="application/json",
            body=openapi_document(app, server_url),
        )

    _call_routes(app, service, caller)
    _review_routes(app, service, caller)
    _agent_routes(app, service, caller)
    return app


def _call_routes(
    app: APIGatewayHttpResolver, service: DashboardService, caller: Callable[[], Caller]
) -> None:
    @app.get(f"{API_PREFIX}/calls", responses=_ERRORS, tags=["calls"])
    def list_calls(
        start: Annotated[str | None, Query(alias="from", description="ISO 8601, inclusive")] = None,
        end: Annotated[str | None, Query(alias="to", description="ISO 8601, exclusive")] = None,
        agent: Annotated[str | None, Query(max_length=256)] = None,
        flagged: Annotated[bool | None, Query(description="violations or risk")] = None,
        flag: Annotated[str | None, Query(description="a violation flag")] = None,
        risk: Annotated[str | None, Query(description="a risk reason")] = None,
        score_min: Annotated[int | None, Query()] = None,
        score_max: Annotated[int | None, Query()] = None,
        needs_review: Annotated[bool | None, Query(description="the judges disagreed")] = None,
        review: Annotated[ReviewStatus | None, Query()] = None,
        judge: Annotated[JudgeKind | None, Query()] = None,
        status: Annotated[str | None, Query(description="SCORED, FAILED or TRANSCRIBING")] = None,
        call_id: Annotated[str | None, Query(max_length=256, description="one call")] = None,
        limit: Annotated[int, Query()] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, Query(max_length=4096)] = None,
    ) -> CallPage:
        """Calls, urgent unreviewed first, then newest first; a page at a time."""
        caller()
        since, until = list_range(start, end, cursor, now=service.now())
        f = CallFilter(
            start=since,
            end=until,
            agent=agent,
            flagged=flagged,
            flag=flag,
            risk=risk,
            score_min=score_min,
            score_max=score_max,
            needs_review=needs_review,
            review=review,
            judge=judge,
            status=status,
            call_id=call_id,
        )
        return service.list_calls(f, check_range("limit", limit, MAX_LIMIT), cursor)

    @app.get(f"{API_PREFIX}/calls/<call_id>", responses=_ERRORS, tags=["calls"])
    def get_call(call_id: CallId) -> CallDetail:
        """A call's scorecard, evidence, timed transcript and sentiment."""
        caller()
        return service.call(call_id)

    @app.get(f"{API_PREFIX}/calls/<call_id>/audio", responses=_ERRORS, tags=["calls"])
    def get_audio(call_id: CallId) -> AudioLink:
        """A short-lived URL of the call's recording."""
        caller()
        return service.audio(call_id)


def _review_routes(
    app: APIGatewayHttpResolver, service: DashboardService, caller: Callable[[], Caller]
) -> None:
    @app.get(f"{API_PREFIX}/calls/<call_id>/reviews", responses=_ERRORS, tags=["reviews"])
    def get_reviews(call_id: CallId) -> ReviewHistory:
        """Every review of the call, oldest first."""
        caller()
        return service.reviews(call_id)

    @app.post(
        f"{API_PREFIX}/calls/<call_id>/reviews",
        responses={
            201: {
                "description": "The review, as kept in the history",
                "content": {"application/json": {"model": Review}},
            },
            **_ERRORS,
        },
        tags=["reviews"],
    )
    def post_review(call_id: CallId, body: ReviewIn) -> Response[str]:
        """Review the call: agree with or override each violation flag (supervisors only)."""
        who = caller()
        if not who.supervisor:
            raise Forbidden("only supervisors can review calls", "not_a_supervisor")
        review = service.review(call_id, body, who)
        return Response(
            status_code=HTTPStatus.CREATED,
            content_type="application/json",
            body=review.model_dump_json(),
        )

    @app.get(f"{API_PREFIX}/labels", responses=_ERRORS, tags=["reviews"])
    def export_labels(
        start: Annotated[str | None, Query(alias="from")] = None,
        end: Annotated[str | None, Query(alias="to")] = None,
        limit: Annotated[int, Query()] = LABELS_DEFAULT_LIMIT,
        cursor: Annotated[str | None, Query(max_length=4096)] = None,
    ) -> LabelExport:
        """Reviewed calls as labelled cases, to calibrate the judges; a page at a time."""
        caller()
        since, until = list_range(start, end, cursor, now=service.now())
        return service.labels(since, until, check_range("limit", limit, LABELS_MAX_LIMIT), cursor)


def _agent_routes(
    app: APIGatewayHttpResolver, service: DashboardService, caller: Callable[[], Caller]
) -> None:
    @app.get(f"{API_PREFIX}/agents", responses=_ERRORS, tags=["agents"])
    def list_agents(
        start: Annotated[str | None, Query(alias="from")] = None,
        end: Annotated[str | None, Query(alias="to")] = None,
    ) -> AgentList:
        """Each agent's calls, average score and violations by SOP in the range."""
        caller()
        since, until = time_range(start, end, now=service.now())
        return service.agents(since, until)

    @app.get(f"{API_PREFIX}/agents/<agent_id>", responses=_ERRORS, tags=["agents"])
    def get_agent(
        agent_id: Annotated[str, Path(min_length=1, max_length=256)],
        weeks: Annotated[int, Query()] = DEFAULT_WEEKS,
        end: Annotated[str | None, Query(alias="to")] = None,
    ) -> AgentDetail:
        """An agent's weeks (calls, average score, violations by SOP) and worst calls."""
        caller()
        check_range("weeks", weeks, MAX_WEEKS)
        until = parse_instant(end, "to") if end else service.now()
        return service.agent(agent_id, weeks, until)


def openapi_document(app: APIGatewayHttpResolver, server_url: str | None = None) -> str:
    """The OpenAPI document of the routes, as `docs/dashboard-openapi.json` keeps it."""
    servers = [Server(url=server_url)] if server_url else None
    schema = app.get_openapi_json_schema(
        title=TITLE,
        version=VERSION,
        description="Scored support calls, their evidence and recordings, and supervisors' "
        "reviews. The same routes run on AWS (API Gateway, Cognito sign-in) and locally "
        "(`autoqa serve`, no sign-in).",
        servers=servers,
    )
    document = json.loads(schema)
    # Bad parameters are 400s here (Powertools documents its default 422).
    for route in document["paths"].values():
        for operation in route.values():
            operation["responses"].pop("422", None)
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    document.setdefault("components", {})["securitySchemes"] = {
        "cognito": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A Cognito access token of the dashboard's app client (on AWS; "
            "`autoqa serve` needs none). Reviews need the `supervisors` group.",
        }
    }
    document["security"] = [{"cognito": []}]
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
