"""A private bucket behind CloudFront: HTTPS only, origin access control, the page's routes,
security headers; an API added under a path of the same origin (`add_api`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Duration
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from cdk_constructs.secure_bucket import SecureBucket

ROUTES_FUNCTION = Path(__file__).resolve().parent / "templates" / "page-routes.js"


@dataclass(frozen=True)
class PageSources:
    """Where the page may reach beyond its own origin (Content-Security-Policy sources)."""

    connect: Sequence[str] = ()  # fetch, WebSocket
    media: Sequence[str] = ()  # <audio>
    form_action: Sequence[str] = ()  # where a form may submit (and the redirects that follow)


def content_security_policy(sources: PageSources) -> str:
    """Scripts and styles from the page only; network, media and forms only to `sources`."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "media-src " + " ".join(["'self'", "blob:", *sources.media]),
            "connect-src " + " ".join(["'self'", *sources.connect]),
            "object-src 'none'",
            "base-uri 'self'",
            "form-action " + (" ".join(sources.form_action) or "'none'"),
            "frame-ancestors 'none'",
        ]
    )


class StaticSite(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        sources: PageSources,
        logs: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = SecureBucket(self, "Content", access_logs=logs).bucket
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "Headers",
            comment="Battery Smart page: CSP to the voice line and sign-in only, HSTS, no framing",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(sources), override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365),
                    include_subdomains=True,
                    override=True,
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
            ),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(
                        header="Permissions-Policy",
                        value="microphone=(self), camera=(), geolocation=()",
                        override=True,
                    )
                ]
            ),
        )
        self.headers = headers
        # The page's routes (/join, /dashboard) are not objects: a viewer-request function gives
        # them index.html. (Error responses would do it for the whole distribution, and turn the
        # API's own 403 and 404 answers into the page.)
        routes = cloudfront.Function(
            self,
            "Routes",
            code=cloudfront.FunctionCode.from_file(file_path=str(ROUTES_FUNCTION)),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="The page's routes get index.html",
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Battery Smart call page and supervisor dashboard",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=headers,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                compress=True,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=routes, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_200,  # includes India's edges
            enable_logging=True,
            log_bucket=logs,
            log_file_prefix="cloudfront/",
        )
        self.url = f"https://{self.distribution.distribution_domain_name}"

    def add_api(self, path_pattern: str, domain_name: str) -> None:
        """Requests under `path_pattern` go to the API at `domain_name` over HTTPS, uncached,
        with every method and everything the viewer sent but its Host (API Gateway answers only
        to its own name). Same origin as the page: no CORS."""
        self.distribution.add_behavior(
            path_pattern,
            origins.HttpOrigin(
                domain_name,
                protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
            ),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=self.headers,
            compress=False,  # uncached responses are not compressed by CloudFront
        )
