"""WebStack: the call page on CloudFront (HTTPS) from a private bucket, configured for the
voice line it calls through a `config.json` built from VoiceStack's outputs.

The page's own address goes the other way at run time: an SSM parameter the voice line reads,
so VoiceStack never depends on this stack and one deploy brings up both."""

from __future__ import annotations

from aws_cdk import Annotations, CfnOutput, Stack
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from cdk_constructs.log_bucket import LogBucket
from cdk_constructs.nag import acknowledge, acknowledge_cdk_handlers, nag_arn
from cdk_constructs.static_site import StaticSite
from contracts.line_hours import LineHours
from contracts.parameters import WEB_ORIGIN_PARAMETER
from contracts.voice_line import CONNECT_PATH
from stacks.settings import WebSettings

# Hashed file names under assets/ never change content; the entry points must not be cached.
ENTRY_POINTS = ["index.html", "config.json"]


class WebStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: WebSettings,
        voice_hostname: str,
        hours: LineHours | None = None,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        dist = settings.dist_dir
        support_phone = settings.support_phone or ""

        logs = LogBucket(self, "Logs", acl_delivery=True).bucket
        site = StaticSite(
            self,
            "Site",
            connect_src=[f"https://{voice_hostname}", f"wss://{voice_hostname}"],
            logs=logs,
        )
        config: dict[str, object] = {
            "connectApiUrl": f"https://{voice_hostname}{CONNECT_PATH}",
            "livekitUrl": f"wss://{voice_hostname}",
            "supportPhone": support_phone,
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
        ssm.StringParameter(
            self,
            "PageOrigin",
            parameter_name=WEB_ORIGIN_PARAMETER,
            string_value=site.url,
            description="The call page's origin: the voice line's CORS and supervisor links",
        )
        self.site = site
        CfnOutput(self, "PageUrl", value=site.url)
        self._acknowledge(site)

    def _acknowledge(self, site: StaticSite) -> None:
        for finding, reason in (
            ("CFR1", "A support line for drivers across India: no country is to be refused"),
            ("CFR2", "Static files only; the voice line's API has its own rate limit"),
            (
                "CFR4",
                "The page is served on its *.cloudfront.net name, whose certificate and TLS "
                "policy CloudFront sets; a custom domain with its own certificate can raise it",
            ),
        ):
            acknowledge(site.distribution, finding, reason)
        acknowledge_cdk_handlers(self, deployed_to=nag_arn(site.bucket))
