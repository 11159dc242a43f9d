"""WebStack: the page on CloudFront (HTTPS) from a private bucket: the call page, configured for
the voice line it calls through a `config.json` built from VoiceStack's outputs, and the
supervisor dashboard, whose API (`/api/*`) and Cognito sign-in live here too, so the page, its
sign-in callback and the API share one origin.

The page's own address goes the other way at run time: an SSM parameter the voice line reads,
so VoiceStack never depends on this stack and one deploy brings up both."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Annotations, CfnOutput, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from cdk_constructs.alerts_topic import AlertsTopic
from cdk_constructs.dashboard_api import DashboardApi, DashboardData, FunctionSource
from cdk_constructs.dashboard_auth import (
    DASHBOARD_PATH,
    DashboardAuth,
    issuer_origin,
    sign_in_origin,
)
from cdk_constructs.log_bucket import LogBucket
from cdk_constructs.nag import acknowledge, acknowledge_cdk_handlers, nag_arn
from cdk_constructs.static_site import PageSources, StaticSite
from contracts.dashboard import API_PREFIX
from contracts.line_hours import LineHours
from contracts.parameters import WEB_ORIGIN_PARAMETER
from contracts.voice_line import CONNECT_PATH
from stacks.qa_pipeline_stack import LAMBDA_SRC, RUNTIME_PACKAGES
from stacks.settings import DashboardSettings, WebSettings

# Hashed file names under assets/ never change content; the entry points must not be cached.
ENTRY_POINTS = ["index.html", "config.json"]
# The QA functions' packages and the dashboard's: a bundle of its own, so a dashboard change
# redeploys this stack only.
DASHBOARD_PACKAGES = [*RUNTIME_PACKAGES, "dashboard"]


class WebStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: WebSettings,
        dashboard: DashboardSettings,
        results_table: dynamodb.ITable,
        reviews_table: dynamodb.ITable,
        recordings: s3.IBucket,
        transcripts: s3.IBucket,
        ops: AlertsTopic,
        voice_hostname: str,
        hours: LineHours | None = None,
        **kwargs,
    ) -> None:
        """The tables, buckets and `ops` (where alarms go) are QaPipelineStack's."""
        super().__init__(scope, construct_id, **kwargs)
        data = DashboardData(
            results=results_table,
            reviews=reviews_table,
            recordings=recordings,
            transcripts=transcripts,
        )
        support_phone = settings.support_phone or ""
        domain_prefix = dashboard.domain_prefix_for(self.account)
        sign_in = sign_in_origin(domain_prefix, self.region)
        site = self._site(voice_hostname, sign_in, recordings)
        auth, api = self._dashboard(site, domain_prefix, data)
        ops.notify(api.handler.errors_alarm)
        config: dict[str, object] = {
            "connectApiUrl": f"https://{voice_hostname}{CONNECT_PATH}",
            "livekitUrl": f"wss://{voice_hostname}",
            "supportPhone": support_phone,
            "dashboard": {
                "apiBase": "",  # the API is on the page's origin, under /api
                "auth": {
                    "authority": auth.issuer,
                    "clientId": auth.client.user_pool_client_id,
                    "domain": sign_in,
                    "scope": auth.scopes,
                },
            },
        }
        if hours is not None:  # the page says "closed, call back at 06:00" outside them
            config["hours"] = hours.page_config()
        if not support_phone:
            Annotations.of(self).add_warning_v2(
                "web:support-phone",
                "web:support_phone is not set: the page's error states offer a retry but no "
                "phone number to call",
            )
        self.page_config = config
        self._deploy_page(site, settings.dist_dir, config)
        ssm.StringParameter(
            self,
            "PageOrigin",
            parameter_name=WEB_ORIGIN_PARAMETER,
            string_value=site.url,
            description="The call page's origin: the voice line's CORS and supervisor links",
        )
        self.site = site
        self.auth = auth
        self.api = api
        for name, value in {
            "PageUrl": site.url,
            "DashboardUrl": f"{site.url}{DASHBOARD_PATH}",
            "SupervisorsUserPoolId": auth.pool.user_pool_id,
        }.items():
            CfnOutput(self, name, value=value)
        self._acknowledge(site)

    def _site(self, voice_hostname: str, sign_in: str, recordings: s3.IBucket) -> StaticSite:
        """The page's bucket and distribution; what the page may reach besides itself."""
        return StaticSite(
            self,
            "Site",
            sources=PageSources(
                connect=[
                    f"https://{voice_hostname}",
                    f"wss://{voice_hostname}",
                    sign_in,  # token and revocation endpoints
                    issuer_origin(self.region),  # OpenID discovery and signing keys
                ],
                # Recordings play from short-lived presigned URLs on the bucket's own endpoint.
                media=[f"https://{recordings.bucket_regional_domain_name}"],
                form_action=[sign_in],
            ),
            logs=LogBucket(self, "Logs", acl_delivery=True).bucket,
        )

    def _dashboard(
        self, site: StaticSite, domain_prefix: str, data: DashboardData
    ) -> tuple[DashboardAuth, DashboardApi]:
        """Cognito sign-in for the page's origin, and the API under the page's /api/."""
        auth = DashboardAuth(self, "DashboardAuth", domain_prefix=domain_prefix, page_url=site.url)
        api = DashboardApi(
            self,
            "DashboardApi",
            auth=auth,
            data=data,
            source=FunctionSource(
                source_dir=LAMBDA_SRC,
                packages=DASHBOARD_PACKAGES,
                requirements=LAMBDA_SRC / "requirements.txt",
            ),
        )
        site.add_api(f"{API_PREFIX}/*", api.domain_name)
        return auth, api

    def _deploy_page(self, site: StaticSite, dist: Path, config: dict[str, object]) -> None:
        """The built page (if any) and `config.json`; the entry points are never cached."""
        sources = [s3deploy.Source.json_data("config.json", config)]
        if (dist / "index.html").is_file():
            s3deploy.BucketDeployment(
                self,
                "Assets",
                sources=[s3deploy.Source.asset(str(dist), exclude=ENTRY_POINTS)],
                destination_bucket=site.bucket,
                prune=False,
                cache_control=[
                    s3deploy.CacheControl.from_string("public, max-age=31536000, immutable")
                ],
            )
            sources.append(s3deploy.Source.asset(str(dist), exclude=["*", "!index.html"]))
        else:
            Annotations.of(self).add_warning_v2(
                "web:no-build",
                f"{dist} has no index.html: only config.json is deployed. Build the page "
                "first with `make frontend` (make deploy-web does).",
            )
        s3deploy.BucketDeployment(
            self,
            "EntryPoints",
            sources=sources,
            destination_bucket=site.bucket,
            prune=False,
            cache_control=[s3deploy.CacheControl.no_cache()],
            distribution=site.distribution,
            distribution_paths=["/index.html", "/config.json"],
        )

    def _acknowledge(self, site: StaticSite) -> None:
        for finding, reason in (
            ("CFR1", "A support line for drivers across India: no country is to be refused"),
            (
                "CFR2",
                "Static files, and an API whose every route needs a supervisor's token and "
                "whose stage is throttled; the voice line's API has its own rate limit",
            ),
            (
                "CFR4",
                "The page is served on its *.cloudfront.net name, whose certificate and TLS "
                "policy CloudFront sets; a custom domain with its own certificate can raise it",
            ),
        ):
            acknowledge(site.distribution, finding, reason)
        acknowledge_cdk_handlers(self, deployed_to=nag_arn(site.bucket))
