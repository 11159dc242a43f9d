"""VoiceStack: LiveKit, Egress, Caddy and the Pipecat agent on one EC2 instance.

Recordings go to QaPipelineStack's bucket (`recordings/<agent_id>/<call_id>.ogg`), which is
where Auto-QA picks them up; supervisor invites go to its `SupervisorAlerts` topic and the
line's alarms to its `OpsAlerts` topic. The stack reads nothing of WebStack: the page's origin
reaches the instance at run time through an SSM parameter, so one `cdk deploy --all` brings
up everything and a page change never replaces the instance.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Annotations, CfnOutput, Duration, Fn, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3_assets as assets
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cdk_constructs.alerts_topic import AlertsTopic
from cdk_constructs.bedrock_access import INVOKE_STREAMING, grant_model
from cdk_constructs.grants import grant_listing, grant_objects
from cdk_constructs.line_schedule import add_line_schedule
from cdk_constructs.nag import acknowledge
from cdk_constructs.secure_bucket import SecureBucket
from cdk_constructs.voice_host import VoiceHost
from cdk_constructs.voice_line_alarms import health_check, instance_alarms, line_alarms
from cdk_constructs.voice_user_data import BootValues, render_user_data
from contracts.health_metrics import NAMESPACE
from contracts.parameters import WEB_ORIGIN_PARAMETER
from contracts.storage import RECORDINGS_PREFIX
from contracts.voice_host import APP_DIR, RUN_DIR, STATE_PREFIX, VOICE_DIR
from contracts.voice_line import CONNECT_PATH
from stacks.qa_pipeline_stack import recordings_bucket_name
from stacks.settings import STOP_AFTER_CLOSE_MINUTES, VoiceLineSettings

REPO = Path(__file__).resolve().parents[1]
LAMBDA_SRC = REPO / "lambda_src"
# What the instance needs of the repository: the agent, the QA engine it shares, the prompts.
APP_SOURCE_EXCLUDE = [
    "*",
    ".*",
    "!voice_agent",
    "!voice_agent/**",
    "!lambda_src",
    "!lambda_src/requirements.txt",
    "!lambda_src/qa_engine",
    "!lambda_src/qa_engine/**",
    "!lambda_src/contracts",
    "!lambda_src/contracts/**",
    "!prompts",
    "!prompts/**",
    "**/__pycache__",
    "**/.*",
]


class VoiceStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: VoiceLineSettings,
        model_id: str,
        support_phone: str | None,
        alerts: AlertsTopic,
        ops: AlertsTopic,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.settings = settings
        self.model_id = model_id
        self.support_phone = support_phone
        self.hours = settings.hours
        self.secret = secretsmanager.Secret(
            self,
            "LiveKitKeys",
            description="LiveKit API key and secret for the voice line",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template='{"api_key": "APIbatterysmart"}',
                generate_string_key="api_secret",
                exclude_punctuation=True,
                password_length=48,
            ),
        )
        acknowledge(
            self.secret,
            "SMG4",
            "LiveKit reads its keys from config files rendered at boot; rotating means "
            "re-rendering and restarting the services, done by redeploying the instance",
        )
        source = assets.Asset(self, "AppSource", path=str(REPO), exclude=APP_SOURCE_EXCLUDE)
        # Caddy's certificates outlive the instance: every code deploy replaces it.
        self.state = SecureBucket(
            self,
            "State",
            access_logs=None,
            unlogged_reason="Holds only Caddy's certificate store, read and written by the "
            "instance role; CloudTrail records its data access if the account enables it",
        ).bucket
        user_data = ec2.UserData.for_linux()
        host = VoiceHost(
            self,
            "Host",
            instance_type=settings.instance_type,
            arm64=settings.arm64,
            user_data=user_data,
        )
        self.host = host
        address = host.elastic_ip.attr_public_ip
        self.hostname = self._hostname(address)
        # WebStack imports the address unless the line has a domain. Exported either way, so
        # switching to a domain later never removes an export WebStack still imports (which
        # CloudFormation refuses).
        self.export_value(address)
        user_data.add_commands(render_user_data(self._boot_values(source, address, alerts)))
        self._grant(host, source, alerts)
        self._dns(address)
        if settings.hours is not None:
            add_line_schedule(
                self,
                instance=host.instance,
                hours=settings.hours,
                stop_after_close_minutes=STOP_AFTER_CLOSE_MINUTES,
            )
        self._watch(host, ops)
        for name, value in {
            "Hostname": self.hostname,
            "ElasticIp": address,
            "ConnectApiUrl": Fn.join("", ["https://", self.hostname, CONNECT_PATH]),
            "LiveKitUrl": Fn.join("", ["wss://", self.hostname]),
            "InstanceId": host.instance.instance_id,
        }.items():
            CfnOutput(self, name, value=value)

    def _hostname(self, address: str) -> str:
        """The domain; else the Elastic IP itself or its sslip.io name, as the certificate is."""
        if self.settings.domain:
            return self.settings.domain
        if self.settings.certificate == "ip":
            return address
        return Fn.join("", [Fn.join("-", Fn.split(".", address)), ".sslip.io"])

    def _boot_values(self, source: assets.Asset, address: str, alerts: AlertsTopic) -> BootValues:
        settings = self.settings
        render = {
            "--out": RUN_DIR,
            "--public-ip": address,
            "--secret-json": f"{VOICE_DIR}/secret.json",
            "--region": self.region,
            "--model-id": self.model_id,
            "--recordings-bucket": recordings_bucket_name(self),
            "--alerts-topic-arn": alerts.topic.topic_arn,
            "--state-bucket": self.state.bucket_name,
            "--web-origin-parameter": WEB_ORIGIN_PARAMETER,
            "--max-calls": str(settings.max_calls),
            "--app-dir": APP_DIR,
            "--certificate": settings.certificate,
            "--silence-timeout": str(settings.silence_timeout_seconds),
            "--max-call-seconds": str(settings.max_call_seconds),
        }
        optional = {
            "--hostname": settings.domain,
            "--acme-email": settings.acme_email,
            "--hours": str(settings.hours) if settings.hours is not None else None,
            "--support-phone": self.support_phone,
        }
        render.update({flag: value for flag, value in optional.items() if value})
        return BootValues(
            region=self.region,
            address=address,
            source_url=source.s3_object_url,
            secret_arn=self.secret.secret_arn,
            state_url=f"s3://{self.state.bucket_name}/{STATE_PREFIX}",
            arm64=settings.arm64,
            render_args=render,
        )

    def _grant(self, host: VoiceHost, source: assets.Asset, alerts: AlertsTopic) -> None:
        """What the instance's role may do, and nothing else."""
        self.secret.grant_read(host.role)
        host.allow_source(source)
        alerts.grant_publish(host.role, host.role)
        host.allow_voice_services(NAMESPACE)
        host.allow_recording_uploads(recordings_bucket_name(self), RECORDINGS_PREFIX)
        host.allow_parameter(WEB_ORIGIN_PARAMETER)
        grant_model(host.role, host.role, self.model_id, INVOKE_STREAMING)
        # Caddy's certificate files: their names are Caddy's, under one prefix.
        grant_objects(
            host.role,
            host.role,
            self.state,
            STATE_PREFIX,
            "s3:GetObject",
            "s3:PutObject",
            reason="Caddy's certificate files: their names are Caddy's, under one prefix",
        )
        grant_listing(host.role, self.state, STATE_PREFIX)

    def _dns(self, address: str) -> None:
        """A Route 53 record for the domain, when its zone is given; else a reminder."""
        settings = self.settings
        if settings.hosted_zone_id:
            zone = route53.HostedZone.from_hosted_zone_attributes(
                self,
                "Zone",
                hosted_zone_id=settings.hosted_zone_id,
                zone_name=str(settings.hosted_zone_name),
            )
            route53.ARecord(
                self,
                "Address",
                zone=zone,
                record_name=settings.domain,
                target=route53.RecordTarget.from_ip_addresses(address),
                ttl=Duration.minutes(5),
            )
        elif settings.domain:
            Annotations.of(self).add_info(
                f"Point an A record for {settings.domain} at the ElasticIp output before the "
                "first call: Caddy's certificate challenge needs it"
            )

    def _watch(self, host: VoiceHost, ops: AlertsTopic) -> None:
        """Alarms to OpsAlerts: the instance's status checks, the line seen from outside, and
        escalations that reached no supervisor."""
        self.health_check = health_check(
            self, hostname=self.hostname, hours=self.settings.hours, source_dir=LAMBDA_SRC
        )
        self.alarms = (
            *instance_alarms(self, host.instance.instance_id),
            *line_alarms(self),
            self.health_check.errors_alarm,
        )
        ops.notify(*self.alarms)
