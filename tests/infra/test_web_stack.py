"""WebStack: a private bucket reached only through CloudFront, HTTPS, the page's routes, tight
CSP. The dashboard's parts of the stack are in test_dashboard.py."""

from __future__ import annotations

import json
import subprocess

import pytest
from aws_cdk.assertions import Match

from cdk_constructs.static_site import ROUTES_FUNCTION
from tests.infra.conftest import BLOCK_ALL_PUBLIC_ACCESS, cdk_context, resources, synth


def distribution_config(template) -> dict:
    (distribution,) = resources(template, "AWS::CloudFront::Distribution").values()
    return distribution["Properties"]["DistributionConfig"]


def test_the_content_bucket_is_private_encrypted_and_ssl_only(web_template):
    buckets = resources(web_template, "AWS::S3::Bucket")
    for bucket in buckets.values():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == BLOCK_ALL_PUBLIC_ACCESS
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert "WebsiteConfiguration" not in props
    policies = resources(web_template, "AWS::S3::BucketPolicy").values()
    for policy in policies:
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for s in statements
        )
        assert all(s["Principal"] != "*" or s["Effect"] == "Deny" for s in statements)


def test_only_cloudfront_reads_the_bucket_through_origin_access_control(web_template):
    web_template.resource_count_is("AWS::CloudFront::OriginAccessControl", 1)
    web_template.has_resource_properties(
        "AWS::CloudFront::OriginAccessControl",
        {"OriginAccessControlConfig": Match.object_like({"SigningBehavior": "always"})},
    )
    # The bucket is the one S3 origin (the other is the dashboard's API).
    (origin,) = [o for o in distribution_config(web_template)["Origins"] if "S3OriginConfig" in o]
    assert origin["OriginAccessControlId"]
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    grants = [
        s
        for p in resources(web_template, "AWS::S3::BucketPolicy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow"
    ]
    read = [s for s in grants if s["Action"] == "s3:GetObject"]
    assert read and all(s["Principal"] == {"Service": "cloudfront.amazonaws.com"} for s in read)
    assert all("AWS:SourceArn" in json.dumps(s["Condition"]) for s in read)


def test_viewers_get_https_only_and_the_page_routes_reach_index_html(web_template):
    config = distribution_config(web_template)
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["DefaultRootObject"] == "index.html"
    for behavior in config.get("CacheBehaviors", []):
        assert behavior["ViewerProtocolPolicy"] in ("redirect-to-https", "https-only")
    # Routes by a viewer-request function on the page's behavior only: no error responses,
    # which would turn the API's own 403 and 404 into the page.
    assert "CustomErrorResponses" not in config
    (association,) = config["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    (function,) = resources(web_template, "AWS::CloudFront::Function")
    assert association["FunctionARN"] == {"Fn::GetAtt": [function, "FunctionARN"]}
    assert config["Logging"]["Prefix"] == "cloudfront/"


@pytest.mark.parametrize(
    ("uri", "served"),
    [
        ("/", "/index.html"),
        ("/join", "/index.html"),
        ("/dashboard", "/index.html"),
        ("/dashboard/", "/index.html"),
        ("/dashboard/callback", "/index.html"),
        ("/dashboard/calls/call-7004-b6413861", "/index.html"),
        ("/index.html", "/index.html"),
        ("/config.json", "/config.json"),
        ("/assets/index-1a2b3c.js", "/assets/index-1a2b3c.js"),
        ("/favicon.svg", "/favicon.svg"),
    ],
)
def test_the_page_routes_get_index_html_and_files_are_served_as_they_are(uri, served):
    """The function CloudFront runs, run here by Node (cloudfront-js-2.0 is ECMAScript 2020)."""
    script = ROUTES_FUNCTION.read_text() + (
        f"\nprocess.stdout.write(handler({{request: {{uri: {json.dumps(uri)}}}}}).uri);"
    )
    result = subprocess.run(
        ["node", "-e", script], capture_output=True, text=True, check=True, timeout=30
    )
    assert result.stdout == served


def test_security_headers_allow_network_only_to_the_voice_line_and_sign_in(web_template):
    (policy,) = resources(web_template, "AWS::CloudFront::ResponseHeadersPolicy").values()
    config = policy["Properties"]["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    csp = json.dumps(security["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert "connect-src 'self' https://" in csp and " wss://" in csp
    assert "VoiceStack" in csp  # the voice line's host name (sign-in: test_dashboard.py)
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert "*" not in csp.replace("'self'", "")
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ContentTypeOptions"]["Override"] is True
    (custom,) = config["CustomHeadersConfig"]["Items"]
    assert custom["Header"] == "Permissions-Policy" and "microphone=(self)" in custom["Value"]


def test_config_json_is_built_from_the_voice_line_outputs_and_page_url_is_output(web_template):
    deployments = resources(web_template, "Custom::CDKBucketDeployment")
    entry = next(d for d in deployments.values() if "DistributionPaths" in d["Properties"])
    assert entry["Properties"]["DistributionPaths"] == ["/index.html", "/config.json"]
    assert "no-cache" in json.dumps(entry["Properties"]["SystemMetadata"])
    markers = json.dumps(entry["Properties"].get("SourceMarkers", []))
    assert "VoiceStack" in markers  # connect API and LiveKit URLs filled in at deploy time
    outputs = web_template.to_json()["Outputs"]
    assert "https://" in json.dumps(outputs["PageUrl"])


def test_the_stack_synthesizes_without_a_built_page_and_says_so(tmp_path):
    stack, template = synth(cdk_context(**{"web:dist_dir": str(tmp_path)}), "WebStack")
    deployments = resources(template, "Custom::CDKBucketDeployment")
    assert len(deployments) == 1  # config.json only
    from aws_cdk.assertions import Annotations

    warnings = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("make"))
    assert any("has no index.html" in json.dumps(w.entry.data) for w in warnings)


def test_a_built_page_is_deployed_with_long_lived_asset_caching(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>x</title>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    _, template = synth(cdk_context(**{"web:dist_dir": str(tmp_path)}), "WebStack")
    deployments = resources(template, "Custom::CDKBucketDeployment").values()
    assert len(deployments) == 2
    metadata = [json.dumps(d["Properties"].get("SystemMetadata", {})) for d in deployments]
    assert any("immutable" in m for m in metadata) and any("no-cache" in m for m in metadata)
