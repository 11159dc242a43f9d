"""The supervisor dashboard in WebStack: who can sign in and how, what the API lets through,
how the page reaches it, and what its function may touch."""

from __future__ import annotations

import json
import re

import pytest

from contracts import environment as env
from contracts.dashboard import SUPERVISORS_GROUP
from contracts.results_table import AGENT_INDEX, DAY_INDEX, REVIEW_ATTRIBUTES
from stacks.settings import AppSettings, SettingsError
from tests.infra.conftest import (
    cdk_context,
    function_by_handler,
    policy_statements,
    resources,
    synth,
)

REGION = "ap-south-1"
HANDLER = "handlers.dashboard_api.lambda_handler"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # managed cache policy
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # managed request policy
SIGN_IN = f"https://battery-smart-<AWS::AccountId>.auth.{REGION}.amazoncognito.com"
ISSUER_ORIGIN = f"https://cognito-idp.{REGION}.amazonaws.com"
# QaPipelineStack's resources as the dashboard names them (their ids are pinned elsewhere).
RESULTS = "<ResultsTable7B2FF7F9.Arn>"
REVIEWS = "<ReviewsTable854B2DAD.Arn>"
RECORDINGS = "<RecordingsBucketB0C8199F.Arn>"
TRANSCRIPTS = "<TranscriptsBucket790D2BE6.Arn>"
_EXPORT = re.compile(r"\w+:ExportsOutput(?:FnGetAtt|Ref)(\w+?[0-9A-F]{8})(\w*?)[0-9A-F]{8}")


def named(node) -> str:
    """A CloudFormation value as text: `<LogicalId.Attribute>` for an attribute or an import
    (by the exported resource's logical id), `<LogicalId>` for a Ref, joins joined."""
    if isinstance(node, str):
        return node
    if "Fn::Join" in node:
        separator, parts = node["Fn::Join"]
        return separator.join(named(part) for part in parts)
    if "Fn::ImportValue" in node:
        match = _EXPORT.fullmatch(node["Fn::ImportValue"])
        assert match, node
        return f"<{match[1]}.{match[2]}>" if match[2] else f"<{match[1]}>"
    if "Fn::GetAtt" in node:
        return "<{}.{}>".format(*node["Fn::GetAtt"])
    if "Ref" in node:
        return f"<{node['Ref']}>"
    raise AssertionError(f"unexpected value {node}")


def one(template, cfn_type: str) -> tuple[str, dict]:
    ((logical_id, resource),) = resources(template, cfn_type).items()
    return logical_id, resource["Properties"]


def directives(template) -> dict[str, list[str]]:
    _, policy = one(template, "AWS::CloudFront::ResponseHeadersPolicy")
    csp = named(
        policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"][
            "ContentSecurityPolicy"
        ]
    )
    return {d.split()[0]: d.split()[1:] for d in csp.split("; ")}


# --- Sign-in ---------------------------------------------------------------------------------


def test_only_administrators_add_supervisors_who_sign_in_with_email_and_mfa(web_template):
    logical_id, pool = one(web_template, "AWS::Cognito::UserPool")
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["MfaConfiguration"] == "ON"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 14,
        "RequireLowercase": True,
        "RequireUppercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "TemporaryPasswordValidityDays": 3,
        "PasswordHistorySize": 5,
    }
    # Threat protection: Cognito acts on risky sign-ins and leaked passwords.
    assert pool["UserPoolTier"] == "PLUS"
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"] == [
        {"Name": "verified_email", "Priority": 1}
    ]
    # The supervisors outlive a mistaken delete of the stack or the pool.
    assert pool["DeletionProtection"] == "ACTIVE"
    assert resources(web_template, "AWS::Cognito::UserPool")[logical_id]["DeletionPolicy"] == (
        "Retain"
    )
    invitation = named(pool["AdminCreateUserConfig"]["InviteMessageTemplate"]["EmailMessage"])
    assert "https://<SiteDistribution390DED28.DomainName>/dashboard " in invitation
    assert "{username}" in invitation and "{####}" in invitation


def test_the_supervisors_group_is_the_one_the_api_checks(web_template):
    _, group = one(web_template, "AWS::Cognito::UserPoolGroup")
    pool, _ = one(web_template, "AWS::Cognito::UserPool")
    assert group["GroupName"] == SUPERVISORS_GROUP
    assert group["UserPoolId"] == {"Ref": pool}


def test_the_sign_in_pages_have_a_domain_and_a_style_for_the_page_client(web_template):
    pool, _ = one(web_template, "AWS::Cognito::UserPool")
    client, _ = one(web_template, "AWS::Cognito::UserPoolClient")
    _, domain = one(web_template, "AWS::Cognito::UserPoolDomain")
    assert named(domain["Domain"]) == "battery-smart-<AWS::AccountId>"  # unique per account
    assert domain["ManagedLoginVersion"] == 2 and domain["UserPoolId"] == {"Ref": pool}
    _, branding = one(web_template, "AWS::Cognito::ManagedLoginBranding")
    assert branding["ClientId"] == {"Ref": client}
    assert branding["UseCognitoProvidedValues"] is True


def test_the_page_client_gets_a_code_back_on_the_page_and_nothing_else(web_template):
    _, client = one(web_template, "AWS::Cognito::UserPoolClient")
    assert client["GenerateSecret"] is False  # a public client: PKCE, no secret
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthScopes"] == ["openid", "email", "profile"]
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    page = "https://<SiteDistribution390DED28.DomainName>"
    assert [named(u) for u in client["CallbackURLs"]] == [f"{page}/dashboard/callback"]
    assert [named(u) for u in client["LogoutURLs"]] == [f"{page}/dashboard"]
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert client["TokenValidityUnits"]["AccessToken"] == "minutes"
    assert client["AccessTokenValidity"] == 15 and client["IdTokenValidity"] == 15
    assert client["EnableTokenRevocation"] is True
    assert client["PreventUserExistenceErrors"] == "ENABLED"


def test_a_domain_prefix_of_ones_own_is_used_everywhere():
    stack, template = synth(cdk_context(**{"dashboard:domain_prefix": "bs-qa-team"}), "WebStack")
    _, domain = one(template, "AWS::Cognito::UserPoolDomain")
    assert domain["Domain"] == "bs-qa-team"
    sign_in = f"https://bs-qa-team.auth.{REGION}.amazoncognito.com"
    assert sign_in in directives(template)["connect-src"]
    assert stack.page_config["dashboard"]["auth"]["domain"] == sign_in


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("Battery_Smart", "dashboard:domain_prefix 'Battery_Smart' is not a Cognito domain prefix"),
        ("-supervisors", "not starting or ending with a hyphen"),
        ("x" * 64, "1 to 63 lowercase letters"),
        ("bs.supervisors", "is not a Cognito domain prefix"),
        ("bs-aws-team", "dashboard:domain_prefix 'bs-aws-team' contains 'aws'"),
        ("amazon-qa", "contains 'amazon'"),
        ("mycognito", "contains 'cognito'"),
    ],
)
def test_a_bad_domain_prefix_is_refused_in_one_line_naming_the_setting(prefix, message):
    context = cdk_context(**{"dashboard:domain_prefix": prefix})
    with pytest.raises(SettingsError, match=re.escape(message)) as refused:
        AppSettings.from_context(context.get)
    assert "\n" not in str(refused.value)
    assert str(refused.value).startswith("dashboard:domain_prefix ")


def test_a_bad_domain_prefix_stops_the_synth():
    with pytest.raises(SettingsError, match="dashboard:domain_prefix"):
        synth(cdk_context(**{"dashboard:domain_prefix": "aws"}), "WebStack")


# --- The API ---------------------------------------------------------------------------------


def test_every_route_needs_a_token_from_the_page_client(web_template):
    authorizer, _ = one(web_template, "AWS::ApiGatewayV2::Authorizer")
    routes = [r["Properties"] for r in resources(web_template, "AWS::ApiGatewayV2::Route").values()]
    assert [r["RouteKey"] for r in routes] == ["ANY /api/{proxy+}"]
    for route in routes:
        assert route["AuthorizationType"] == "JWT"
        assert route["AuthorizerId"] == {"Ref": authorizer}


def test_the_authorizer_trusts_the_pool_as_issuer_and_the_page_client_as_audience(web_template):
    pool, _ = one(web_template, "AWS::Cognito::UserPool")
    client, _ = one(web_template, "AWS::Cognito::UserPoolClient")
    _, authorizer = one(web_template, "AWS::ApiGatewayV2::Authorizer")
    assert authorizer["AuthorizerType"] == "JWT"
    assert authorizer["IdentitySource"] == ["$request.header.Authorization"]
    jwt = authorizer["JwtConfiguration"]
    assert named(jwt["Issuer"]) == f"{ISSUER_ORIGIN}/<{pool}>"
    assert jwt["Audience"] == [{"Ref": client}]


def test_the_api_hands_requests_to_the_function_as_payload_2(web_template):
    _, integration = one(web_template, "AWS::ApiGatewayV2::Integration")
    function, props = function_by_handler(web_template, HANDLER)
    assert integration["IntegrationType"] == "AWS_PROXY"
    assert integration["PayloadFormatVersion"] == "2.0"
    assert integration["IntegrationUri"] == {"Fn::GetAtt": [function, "Arn"]}
    assert props["Handler"] == HANDLER
    assert props["Runtime"] == "python3.11" and props["Architectures"] == ["arm64"]
    # Only this API may invoke it, and only on its route.
    _, permission = one(web_template, "AWS::Lambda::Permission")
    api, _ = one(web_template, "AWS::ApiGatewayV2::Api")
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert named(permission["SourceArn"]).endswith(f"<{api}>/*/*/api/{{proxy+}}")


def test_the_handler_the_function_names_exists():
    import importlib

    module, _, name = HANDLER.rpartition(".")
    assert callable(getattr(importlib.import_module(module), name))


def test_the_stage_logs_every_request_without_its_token_and_is_throttled(web_template):
    _, stage = one(web_template, "AWS::ApiGatewayV2::Stage")
    assert stage["StageName"] == "$default" and stage["AutoDeploy"] is True
    throttle = stage["DefaultRouteSettings"]
    assert throttle["ThrottlingRateLimit"] > 0 and throttle["ThrottlingBurstLimit"] > 0
    logs = stage["AccessLogSettings"]
    log_group = logs["DestinationArn"]["Fn::GetAtt"][0]
    assert resources(web_template, "AWS::Logs::LogGroup")[log_group]["Properties"][
        "RetentionInDays"
    ]
    line = json.loads(logs["Format"])  # one JSON object per request
    assert line["status"] == "$context.status" and line["user"] == "$context.authorizer.claims.sub"
    assert "header" not in logs["Format"].lower()  # never the Authorization header


def test_the_distribution_sends_api_paths_to_the_api_uncached_with_every_method(web_template):
    api, _ = one(web_template, "AWS::ApiGatewayV2::Api")
    _, distribution = one(web_template, "AWS::CloudFront::Distribution")
    config = distribution["DistributionConfig"]
    (behavior,) = config["CacheBehaviors"]
    assert behavior["PathPattern"] == "/api/*"
    assert behavior["CachePolicyId"] == CACHING_DISABLED
    assert behavior["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert set(behavior["AllowedMethods"]) == {
        "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"
    }  # fmt: skip
    assert behavior["ViewerProtocolPolicy"] == "https-only"
    origins = {o["Id"]: o for o in config["Origins"]}
    origin = origins[behavior["TargetOriginId"]]
    assert named(origin["DomainName"]) == f"<{api}>.execute-api.{REGION}.<AWS::URLSuffix>"
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]


# --- What the function may do ----------------------------------------------------------------


def _grants(template) -> set[tuple[str, str]]:
    pairs = set()
    for statement in policy_statements(template, "DashboardApiHandlerRole"):
        assert statement["Effect"] == "Allow"
        if "Condition" in statement:  # only the review's update, checked below
            assert statement["Action"] == "dynamodb:UpdateItem"
        actions, targets = statement["Action"], statement["Resource"]
        for action in actions if isinstance(actions, list) else [actions]:
            for target in targets if isinstance(targets, list) else [targets]:
                pairs.add((action, named(target)))
    return pairs


def test_the_function_may_do_exactly_what_the_dashboard_needs(web_template):
    grants = _grants(web_template)
    (log_group,) = {target for action, target in grants if action.startswith("logs:")}
    assert {action for action, _ in grants if action.startswith("logs:")} == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }
    assert log_group.endswith(".Arn>")
    assert log_group.strip("<>").removesuffix(".Arn") in resources(
        web_template, "AWS::Logs::LogGroup"
    )
    assert {(a, t) for a, t in grants if not a.startswith("logs:")} == {
        # the calls' rows: read, and a review's update of the call's review state
        ("dynamodb:GetItem", RESULTS),
        ("dynamodb:UpdateItem", RESULTS),
        ("dynamodb:Query", f"{RESULTS}/index/{DAY_INDEX}"),
        ("dynamodb:Query", f"{RESULTS}/index/{AGENT_INDEX}"),
        # reviews: the history, and the new review (the transaction's Put)
        ("dynamodb:Query", REVIEWS),
        ("dynamodb:PutItem", REVIEWS),
        # recordings to presign, transcripts too long for a row
        ("s3:GetObject", f"{RECORDINGS}/recordings/*"),
        ("s3:GetObject", f"{TRANSCRIPTS}/results/*"),
    }
    assert not any(t == "*" or "Scan" in a or "Delete" in a for a, t in grants)


def test_a_review_may_change_only_the_calls_review_state(web_template):
    (update,) = [
        s
        for s in policy_statements(web_template, "DashboardApiHandlerRole")
        if s["Action"] == "dynamodb:UpdateItem"
    ]
    allowed = set(update["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"])
    assert allowed == set(REVIEW_ATTRIBUTES)
    assert not allowed & {"overall_score", "violation_flags", "sop_checks", "transcript_text"}


def test_the_function_is_told_the_tables_and_buckets_it_may_use(web_template):
    _, function = function_by_handler(web_template, HANDLER)
    variables = function["Environment"]["Variables"]
    assert set(variables) - env.LIBRARY_VARIABLES == {
        env.TABLE_NAME,
        env.REVIEWS_TABLE_NAME,
        env.RECORDINGS_BUCKET,
        env.TRANSCRIPTS_BUCKET,
    }
    assert named(variables[env.TABLE_NAME]) == RESULTS.replace(".Arn", "")
    assert named(variables[env.REVIEWS_TABLE_NAME]) == REVIEWS.replace(".Arn", "")
    assert named(variables[env.RECORDINGS_BUCKET]) == RECORDINGS.replace(".Arn", "")
    assert named(variables[env.TRANSCRIPTS_BUCKET]) == TRANSCRIPTS.replace(".Arn", "")


# --- The page --------------------------------------------------------------------------------


def test_config_json_tells_the_page_where_to_sign_in_and_that_the_api_is_its_own(web_stack):
    stack, template = web_stack
    pool, _ = one(template, "AWS::Cognito::UserPool")
    client, _ = one(template, "AWS::Cognito::UserPoolClient")
    dashboard = stack.resolve(stack.page_config["dashboard"])
    assert dashboard["apiBase"] == ""
    auth = dashboard["auth"]
    assert named(auth["authority"]) == f"{ISSUER_ORIGIN}/<{pool}>"
    assert auth["clientId"] == {"Ref": client}
    assert named(auth["domain"]) == SIGN_IN
    assert auth["scope"] == "openid email profile"
    # ... and the deployed config.json is built from them.
    (entry,) = [
        d["Properties"]
        for d in resources(template, "Custom::CDKBucketDeployment").values()
        if "DistributionPaths" in d["Properties"]
    ]
    markers = json.dumps(entry["SourceMarkers"])
    assert json.dumps({"Ref": pool}) in markers and json.dumps({"Ref": client}) in markers


def test_the_page_may_talk_to_cognito_and_play_recordings_from_their_bucket(web_template):
    csp = directives(web_template)
    # oidc-client-ts: the discovery document and keys, then the token endpoint.
    assert {SIGN_IN, ISSUER_ORIGIN} <= set(csp["connect-src"])
    # Presigned recording URLs name the bucket's regional endpoint, <bucket>.s3.<region>...
    assert "https://<RecordingsBucketB0C8199F.RegionalDomainName>" in csp["media-src"]
    assert csp["form-action"] == [SIGN_IN]
    assert csp["default-src"] == ["'self'"] and csp["script-src"] == ["'self'"]
    assert not any("*" in source for sources in csp.values() for source in sources)


def test_the_page_names_the_dashboard_and_the_supervisors_pool(web_template):
    pool, _ = one(web_template, "AWS::Cognito::UserPool")
    outputs = web_template.to_json()["Outputs"]
    assert named(outputs["DashboardUrl"]["Value"]) == (
        "https://<SiteDistribution390DED28.DomainName>/dashboard"
    )
    assert outputs["SupervisorsUserPoolId"]["Value"] == {"Ref": pool}
