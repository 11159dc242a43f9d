"""VoiceStack: LiveKit, Egress, Caddy and the Pipecat agent on one EC2 instance.

Recordings go to QaPipelineStack's bucket (`recordings/<agent_id>/<call_id>.ogg`), which is
where Auto-QA picks them up; supervisor invites go to its `SupervisorAlerts` topic and the
line's alarms to its `OpsAlerts` topic. The stack reads nothing of WebStack: the page's origin
reaches the instance at run time through an SSM parameter, so one `cdk deploy --all` brings
up everything and a page change never replaces the instance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Annotations, CfnOutput, Duration, Fn, Stack, TimeZone, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as event_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3_assets as assets
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from constructs import Construct

from cdk_constructs.alerts_topic import AlertsTopic
from cdk_constructs.bedrock_access import (
    INVOKE_STREAMING,
    acknowledge_model_grant,
    configured_model_id,
    model_statements,
)
from cdk_constructs.nag import acknowledge, nag_arn
from cdk_constructs.python_function import PythonFunction
from cdk_constructs.secure_bucket import SecureBucket
from cdk_constructs.voice_host import VoiceHost
from contracts import voice_host
from contracts.bedrock_models import default_model_id
from contracts.health_metrics import (
    CERTIFICATE_DAYS_LEFT,
    CERTIFICATE_VALID,
    ESCALATION_FAILED,
    HEALTHY,
    NAMESPACE,
)
from contracts.line_hours import LineHours
from contracts.parameters import WEB_ORIGIN_PARAMETER
from contracts.voice_host import APP_DIR, CADDY_DATA, RUN_DIR, STATE_PREFIX, VOICE_DIR
from contracts.voice_line import MAX_CALL_SECONDS, SILENCE_TIMEOUT_SECONDS
from stacks.qa_pipeline_stack import recordings_bucket_name

REPO = Path(__file__).resolve().parents[1]
LAMBDA_SRC = REPO / "lambda_src"
COMPOSE_VERSION = "v2.32.4"
# The release's published checksums; the download is refused if it differs.
COMPOSE_SHA256 = {
    "x86_64": "ed1917fb54db184192ea9d0717bcd59e3662ea79db48bff36d3475516c480a6b",
    "aarch64": "0c4591cf3b1ed039adcd803dbbeddf757375fc08c11245b0154135f838495a2f",
}
# The instance stops this long after closing time: new calls are refused from closing time on,
# and calls in progress reach their maximum length first.
STOP_AFTER_CLOSE_MINUTES = 15
SWAP_MB = 2048  # room for the agent image build and a busy hour on a 2 GB t4g.small
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
CERTIFICATES = ("ip", "sslip-zerossl")
# Bounds of the settings a deployment may change (whole numbers).
MAX_CALLS_RANGE = (1, 50)
SILENCE_TIMEOUT_RANGE = (10, 600)  # seconds
MAX_CALL_MINUTES_RANGE = (1, 120)
INSTANCE_TYPE = re.compile(r"[a-z][a-z0-9-]*\.[a-z0-9]+")
HOSTED_ZONE_ID = re.compile(r"[A-Z0-9]{1,32}")
MODEL_ID = re.compile(r"[A-Za-z0-9.:/_-]+")  # an id, a profile id or an ARN


@dataclass(frozen=True)
class VoiceStackSettings:
    """Context values (cdk.json `voice:*`), with the defaults documented in the README."""

    instance_type: str = "t4g.small"
    model_id: str = default_model_id()
    domain: str | None = None
    hosted_zone_id: str | None = None
    hosted_zone_name: str | None = None
    # Without a domain: "ip" (Let's Encrypt's short-lived certificate for the Elastic IP) or
    # "sslip-zerossl" (<ip>.sslip.io from ZeroSSL, needs acme_email).
    certificate: str = "ip"
    acme_email: str | None = None
    max_calls: int = 4
    hours: LineHours | None = None
    # The number callers are given when no supervisor can be reached: `web:support_phone`,
    # the one the call page shows.
    support_phone: str | None = None
    silence_timeout_seconds: int = SILENCE_TIMEOUT_SECONDS
    max_call_minutes: int = MAX_CALL_SECONDS // 60

    @classmethod
    def from_context(cls, scope: Construct) -> VoiceStackSettings:
        def ctx(name: str, default=None):
            value = scope.node.try_get_context(name)
            return default if value in (None, "") else value

        def text(name: str) -> str | None:
            value = ctx(name)
            return None if value is None else str(value)

        d = cls()
        hours = ctx("voice:hours")
        settings = cls(
            instance_type=str(ctx("voice:instance_type", d.instance_type)),
            model_id=configured_model_id(scope),
            domain=text("voice:domain"),
            hosted_zone_id=text("voice:hosted_zone_id"),
            hosted_zone_name=text("voice:hosted_zone_name"),
            certificate=str(ctx("voice:certificate", d.certificate)),
            acme_email=text("voice:acme_email"),
            max_calls=whole("voice:max_calls", ctx("voice:max_calls", d.max_calls)),
            hours=LineHours.parse(str(hours)) if hours else None,
            support_phone=text("web:support_phone"),
            silence_timeout_seconds=whole(
                "voice:silence_timeout_seconds",
                ctx("voice:silence_timeout_seconds", d.silence_timeout_seconds),
            ),
            max_call_minutes=whole(
                "voice:max_call_minutes", ctx("voice:max_call_minutes", d.max_call_minutes)
            ),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        self._validate_values()
        if self.certificate not in CERTIFICATES:
            raise ValueError(
                f"voice:certificate must be one of {', '.join(CERTIFICATES)}, "
                f"not {self.certificate!r}"
            )
        if not self.domain and self.certificate == "sslip-zerossl" and not self.acme_email:
            raise ValueError(
                "voice:certificate sslip-zerossl needs voice:acme_email (ZeroSSL's ACME "
                "account is made from it)"
            )
        if self.hosted_zone_id and not (self.domain and self.hosted_zone_name):
            raise ValueError(
                "voice:hosted_zone_id needs voice:domain and voice:hosted_zone_name "
                "(e.g. voice.example.com in example.com)"
            )
        if self.hours is not None and self.hours.closed_minutes < 2 * STOP_AFTER_CLOSE_MINUTES:
            raise ValueError(
                f"voice:hours {str(self.hours)!r}: the line must be closed at least "
                f"{2 * STOP_AFTER_CLOSE_MINUTES} minutes a day (the instance stops "
                f"{STOP_AFTER_CLOSE_MINUTES} minutes after closing); leave voice:hours unset "
                "for a line that never closes"
            )
        if self.hours is not None and self.max_call_minutes > STOP_AFTER_CLOSE_MINUTES:
            raise ValueError(
                f"voice:max_call_minutes {self.max_call_minutes} is longer than the "
                f"{STOP_AFTER_CLOSE_MINUTES} minutes the instance runs after closing time "
                "(voice:hours): a call taken just before closing would be cut off"
            )
        if self.silence_timeout_seconds >= self.max_call_seconds:
            raise ValueError(
                f"voice:silence_timeout_seconds {self.silence_timeout_seconds} must be shorter "
                f"than voice:max_call_minutes ({self.max_call_minutes} minutes)"
            )

    def _validate_values(self) -> None:
        """Every value the instance's shell or configs receive has the shape of what it names,
        so none can carry a quote, `$(...)`, `;` or a newline into the user data."""
        if not INSTANCE_TYPE.fullmatch(self.instance_type):
            raise ValueError(
                f"voice:instance_type {self.instance_type!r} is not an EC2 instance type "
                "(e.g. t4g.small)"
            )
        if not MODEL_ID.fullmatch(self.model_id):
            raise ValueError(f"qa:model_id {self.model_id!r} is not a Bedrock model id")
        for name, value in (
            ("voice:domain", self.domain),
            ("voice:hosted_zone_name", self.hosted_zone_name),
        ):
            if value is not None and not voice_host.is_hostname(value):
                raise ValueError(
                    f"{name} {value!r} is not a host name (e.g. {voice_host.HOSTNAME_EXAMPLE})"
                )
        if self.hosted_zone_id is not None and not HOSTED_ZONE_ID.fullmatch(self.hosted_zone_id):
            raise ValueError(
                f"voice:hosted_zone_id {self.hosted_zone_id!r} is not a Route 53 zone id "
                "(e.g. Z0123456789ABCDEFGHIJ)"
            )
        if self.acme_email is not None and not voice_host.is_email(self.acme_email):
            raise ValueError(
                f"voice:acme_email {self.acme_email!r} is not an e-mail address "
                f"(e.g. {voice_host.EMAIL_EXAMPLE})"
            )
        if self.support_phone is not None and not voice_host.is_phone(self.support_phone):
            raise ValueError(
                f"web:support_phone {self.support_phone!r} is not a phone number: 6 to 20 "
                f"digits, spaces, +, -, ( or ) (e.g. {voice_host.PHONE_EXAMPLE})"
            )
        for name, value, (low, high), unit in (
            ("voice:max_calls", self.max_calls, MAX_CALLS_RANGE, "calls"),
            (
                "voice:silence_timeout_seconds",
                self.silence_timeout_seconds,
                SILENCE_TIMEOUT_RANGE,
                "seconds",
            ),
            ("voice:max_call_minutes", self.max_call_minutes, MAX_CALL_MINUTES_RANGE, "minutes"),
        ):
            if not low <= value <= high:
                raise ValueError(f"{name} must be {low} to {high} {unit}, not {value}")

    @property
    def max_call_seconds(self) -> int:
        return self.max_call_minutes * 60

    @property
    def arm64(self) -> bool:
        return ec2.InstanceType(self.instance_type).architecture == ec2.InstanceArchitecture.ARM_64


def whole(name: str, value: object) -> int:
    """A context value that must be a whole number (cdk.json gives an int, `-c` a string)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def quoted(value: str) -> str:
    """`value` as one single-quoted shell word. A deploy-time token (the address, a bucket name,
    an ARN) is wrapped as it is: what it resolves to never holds a quote."""
    if Token.is_unresolved(value):
        if "'" in value:
            raise ValueError(f"cannot quote {value!r}: a quote beside a deploy-time value")
        return "'" + value + "'"
    return "'" + value.replace("'", "'\"'\"'") + "'"


class VoiceStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alerts_topic: sns.ITopic,
        ops: AlertsTopic,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        settings = VoiceStackSettings.from_context(self)
        self.settings = settings
        secret = secretsmanager.Secret(
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
        source = assets.Asset(self, "AppSource", path=str(REPO), exclude=APP_SOURCE_EXCLUDE)
        # Caddy's certificates outlive the instance: every code deploy replaces it.
        self.state = SecureBucket(self, "State", access_logs=None).bucket
        user_data = ec2.UserData.for_linux()
        host = VoiceHost(
            self,
            "Host",
            instance_type=settings.instance_type,
            arm64=settings.arm64,
            user_data=user_data,
        )
        address = host.elastic_ip.attr_public_ip
        if settings.domain:
            hostname = settings.domain
        elif settings.certificate == "ip":
            hostname = address
        else:
            hostname = Fn.join("", [Fn.join("-", Fn.split(".", address)), ".sslip.io"])
        self.hostname = hostname
        # WebStack imports the address unless the line has a domain. Exported either way, so
        # switching to a domain later never removes an export WebStack still imports (which
        # CloudFormation refuses).
        self.export_value(address)
        self.hours = settings.hours
        self._user_data(user_data, settings, source, secret, address, alerts_topic)
        self._grant(host.role, settings, secret, source, alerts_topic)
        self._grant_state(host.role)
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
        if settings.hours is not None:
            self._schedule(host.instance, settings.hours)
        self._watch(host, ops, hostname, settings)
        self.host = host
        self.secret = secret
        CfnOutput(self, "Hostname", value=hostname)
        CfnOutput(self, "ElasticIp", value=address)
        CfnOutput(self, "ConnectApiUrl", value=Fn.join("", ["https://", hostname, "/api/connect"]))
        CfnOutput(self, "LiveKitUrl", value=Fn.join("", ["wss://", hostname]))
        CfnOutput(self, "InstanceId", value=host.instance.instance_id)
        self._acknowledge(host)

    def _user_data(
        self,
        user_data: ec2.UserData,
        settings: VoiceStackSettings,
        source: assets.Asset,
        secret: secretsmanager.Secret,
        address: str,
        alerts_topic: sns.ITopic,
    ) -> None:
        arch = "aarch64" if settings.arm64 else "x86_64"
        compose = "/usr/local/lib/docker/cli-plugins/docker-compose"
        # Every value below is one single-quoted word: the settings were checked at synth to
        # hold no quote, and a deploy-time token resolves to an address, a name or an ARN.
        region = quoted(self.region)
        state = quoted(f"s3://{self.state.bucket_name}/{STATE_PREFIX}")
        render = {
            "--out": RUN_DIR,
            "--public-ip": address,
            "--secret-json": f"{VOICE_DIR}/secret.json",
            "--region": self.region,
            "--model-id": settings.model_id,
            "--recordings-bucket": recordings_bucket_name(self),
            "--alerts-topic-arn": alerts_topic.topic_arn,
            "--state-bucket": self.state.bucket_name,
            "--web-origin-parameter": WEB_ORIGIN_PARAMETER,
            "--max-calls": str(settings.max_calls),
            "--app-dir": APP_DIR,
            "--certificate": settings.certificate,
            "--silence-timeout": str(settings.silence_timeout_seconds),
            "--max-call-seconds": str(settings.max_call_seconds),
        }
        if settings.domain:
            render["--hostname"] = settings.domain
        if settings.acme_email:
            render["--acme-email"] = settings.acme_email
        if settings.hours is not None:
            render["--hours"] = str(settings.hours)
        if settings.support_phone:
            render["--support-phone"] = settings.support_phone
        render_args = " ".join(f"{flag} {quoted(value)}" for flag, value in render.items())
        user_data.add_commands(
            "set -euo pipefail",
            "dnf install -y docker python3 unzip",
            "systemctl enable --now docker",
            # Swap: the agent image builds here, and a 2 GB instance must not kill a call.
            "if [ ! -f /swapfile ]; then "
            f"dd if=/dev/zero of=/swapfile bs=1M count={SWAP_MB}; chmod 600 /swapfile; "
            "mkswap /swapfile; echo '/swapfile swap swap defaults 0 0' >> /etc/fstab; fi",
            "swapon -a",
            f"mkdir -p /usr/local/lib/docker/cli-plugins {VOICE_DIR} {CADDY_DATA}",
            f"curl -fsSL -o {compose} https://github.com/docker/compose/releases/download/"
            f"{COMPOSE_VERSION}/docker-compose-linux-{arch}",
            f"echo '{COMPOSE_SHA256[arch]}  {compose}' | sha256sum -c -",
            f"chmod +x {compose}",
            f"aws s3 cp {quoted(source.s3_object_url)} {VOICE_DIR}/app.zip",
            f"rm -rf {APP_DIR}",
            f"unzip -q {VOICE_DIR}/app.zip -d {APP_DIR}",
            # The secret is read here, at boot, with the instance role; never templated in.
            "umask 077",
            f"aws secretsmanager get-secret-value --region {region} --secret-id "
            f"{quoted(secret.secret_arn)} --query SecretString --output text "
            f"> {VOICE_DIR}/secret.json",
            f"python3 {APP_DIR}/voice_agent/deploy/render.py {render_args}",
            f"rm -f {VOICE_DIR}/secret.json",
            # The certificates the last instance had; then kept in S3 every 30 minutes.
            f"aws s3 sync {state} {CADDY_DATA}/ --only-show-errors --region {region}",
            f"cp {RUN_DIR}/caddy-state.service {RUN_DIR}/caddy-state.timer /etc/systemd/system/",
            "systemctl daemon-reload",
            "systemctl enable --now caddy-state.timer",
            # A certificate challenge reaches this instance only once the Elastic IP is here.
            "imds_token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token "
            "-H 'X-aws-ec2-metadata-token-ttl-seconds: 900')",
            "for attempt in $(seq 60); do "
            '[ "$(curl -fsS -H "X-aws-ec2-metadata-token: $imds_token" '
            'http://169.254.169.254/latest/meta-data/public-ipv4 || true)" = '
            f"{quoted(address)} ] && break; sleep 10; done",
            # Restarted with the instance (docker is enabled, services restart unless stopped).
            f"cd {RUN_DIR} && docker compose up -d --build",
        )

    def _grant(
        self,
        role: iam.IRole,
        settings: VoiceStackSettings,
        secret: secretsmanager.Secret,
        source: assets.Asset,
        alerts_topic: sns.ITopic,
    ) -> None:
        secret.grant_read(role)
        # The agent's source: this one object of the CDK asset bucket, which `aws s3 cp` only
        # reads (no listing, no other assets). The default bootstrap encrypts the bucket with
        # SSE-KMS under the AWS managed aws/s3 key (or a key whose policy lets the account
        # decrypt through S3): reading through S3 needs no KMS grant here.
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[source.bucket.arn_for_objects(source.s3_object_key)],
            )
        )
        alerts_topic.grant_publish(role)
        # The connect API's call counts; PutMetricData has no resource, so the namespace is
        # the limit.
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": NAMESPACE}},
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject", "s3:AbortMultipartUpload"],
                resources=[
                    f"arn:{self.partition}:s3:::{recordings_bucket_name(self)}/recordings/*"
                ],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ssm:GetParameter"],
                resources=[
                    self.format_arn(
                        service="ssm",
                        resource="parameter",
                        resource_name=WEB_ORIGIN_PARAMETER.lstrip("/"),
                    )
                ],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "transcribe:StartStreamTranscription",
                    "transcribe:StartStreamTranscriptionWebSocket",
                ],
                resources=["*"],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["polly:SynthesizeSpeech"], resources=["*"])
        )
        for statement in model_statements(self, settings.model_id, INVOKE_STREAMING):
            role.add_to_principal_policy(statement)
        acknowledge_model_grant(role, settings.model_id)

    def _grant_state(self, role: iam.IRole) -> None:
        """Read and write Caddy's certificates under the state bucket's prefix, nothing else."""
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject"],
                resources=[self.state.arn_for_objects(f"{STATE_PREFIX}*")],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[self.state.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{STATE_PREFIX}*"]}},
            )
        )

    def _schedule(self, instance: ec2.Instance, hours: LineHours) -> None:
        """EventBridge Scheduler starts the instance at opening time and stops it at closing."""
        instance_arn = self.format_arn(
            service="ec2", resource="instance", resource_name=instance.instance_id
        )
        for name, action, at in (
            ("Open", "startInstances", hours.open),
            ("Close", "stopInstances", hours.close_plus(STOP_AFTER_CLOSE_MINUTES)),
        ):
            scheduler.Schedule(
                self,
                f"{name}Line",
                description=f"{name}s the voice line ({hours})",
                schedule=scheduler.ScheduleExpression.cron(
                    minute=str(at.minute), hour=str(at.hour), time_zone=TimeZone.of(hours.zone)
                ),
                target=scheduler_targets.Universal(
                    service="ec2",
                    action=action,
                    input=scheduler.ScheduleTargetInput.from_object(
                        {"InstanceIds": [instance.instance_id]}
                    ),
                    policy_statements=[
                        iam.PolicyStatement(
                            actions=[f"ec2:{action[0].upper()}{action[1:]}"],
                            resources=[instance_arn],
                        )
                    ],
                    max_event_age=Duration.hours(1),
                    retry_attempts=10,
                ),
            )

    def _watch(
        self, host: VoiceHost, ops: AlertsTopic, hostname: str, settings: VoiceStackSettings
    ) -> None:
        """Alarms to OpsAlerts: the instance's status checks, the line seen from outside, and
        escalations that reached no supervisor."""
        instance_id = host.instance.instance_id

        def status(metric: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/EC2",
                metric_name=metric,
                dimensions_map={"InstanceId": instance_id},
                statistic="Maximum",
                period=Duration.minutes(1),
            )

        def failing(construct_id: str, metric: cloudwatch.IMetric, description: str, periods=2):
            # No data while the line is closed by its schedule: not a failure.
            return cloudwatch.Alarm(
                self,
                construct_id,
                alarm_description=description,
                metric=metric,
                threshold=1,
                evaluation_periods=periods,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )

        system = failing(
            "SystemStatusAlarm",
            status("StatusCheckFailed_System"),
            "The voice line's host failed its system status check: EC2 recovers the instance",
        )
        system.add_alarm_action(cw_actions.Ec2Action(cw_actions.Ec2InstanceAction.RECOVER))
        instance = failing(
            "InstanceStatusAlarm",
            status("StatusCheckFailed_Instance"),
            "The voice line's instance failed its status check: EC2 reboots it",
            periods=3,
        )
        instance.add_alarm_action(cw_actions.Ec2Action(cw_actions.Ec2InstanceAction.REBOOT))

        probe = PythonFunction(
            self,
            "HealthCheck",
            source_dir=LAMBDA_SRC,
            packages=["handlers", "contracts", "qa_aws"],
            requirements=LAMBDA_SRC / "requirements-probe.txt",
            handler="handlers.voice_health.lambda_handler",
            description="Calls the voice line's health check over HTTPS, as a caller would",
            memory_size=128,
            timeout=Duration.seconds(30),
            environment={
                "VOICE_HOSTNAME": hostname,
                "VOICE_HOURS": str(settings.hours or ""),
            },
        )
        events.Rule(
            self,
            "HealthCheckEvery5Minutes",
            description="The voice line's health seen from outside",
            schedule=events.Schedule.rate(Duration.minutes(5)),
            targets=[event_targets.LambdaFunction(probe.function, retry_attempts=0)],
        )

        def line(metric: str, statistic: str = "Minimum") -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace=NAMESPACE,
                metric_name=metric,
                statistic=statistic,
                period=Duration.minutes(5),
            )

        def below(construct_id: str, metric: str, threshold: float, periods: int, why: str):
            return cloudwatch.Alarm(
                self,
                construct_id,
                alarm_description=why,
                metric=line(metric),
                threshold=threshold,
                evaluation_periods=periods,
                comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )

        unhealthy = below(
            "LineDownAlarm",
            HEALTHY,
            1,
            2,
            "Callers cannot reach the voice line: https://<host>/healthz failed twice in a row "
            "(see the HealthCheck function's log for why)",
        )
        certificate = below(
            "CertificateAlarm",
            CERTIFICATE_VALID,
            1,
            2,
            "The voice line's certificate is not trusted (not issued yet, expired or for "
            "another name): browsers cannot open wss:// and no call connects",
        )
        expiring = below(
            "CertificateExpiringAlarm",
            CERTIFICATE_DAYS_LEFT,
            2,
            1,
            "The voice line's certificate expires within 2 days: Caddy's renewals are failing "
            "(short-lived IP certificates renew with 3 days left)",
        )
        # Published by the connect API on the instance when a supervisor's alert could not be
        # sent after its retries: a caller asked for a person and nobody was told.
        escalation = cloudwatch.Alarm(
            self,
            "EscalationFailedAlarm",
            alarm_description="A caller asked for a supervisor and the alert could not be "
            "published to SupervisorAlerts after retries: no supervisor was told (see the "
            "agent's log on the instance)",
            metric=line(ESCALATION_FAILED, "Sum"),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.alarms = (
            system,
            instance,
            unhealthy,
            certificate,
            expiring,
            escalation,
            probe.errors_alarm,
        )
        ops.notify(*self.alarms)
        self.health_check = probe

    def _acknowledge(self, host: VoiceHost) -> None:
        acknowledge(
            host.security_group,
            "EC23",
            "A public voice line: browsers anywhere must reach HTTPS and WebRTC media; SSH "
            "stays closed (Session Manager)",
        )
        acknowledge(
            host.role,
            "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]",
            "Session Manager replaces SSH; this AWS policy is its documented minimum",
        )
        for finding, reason in (
            ("IAM5[Resource::*]",
             "Transcribe streaming, Polly synthesis and CloudWatch PutMetricData have no "
             "resource-level permissions; PutMetricData is limited to the voice line's "
             "namespace by condition"),
            ("IAM5[Action::kms:GenerateDataKey*]",
             "Publishing to the encrypted alerts topic needs GenerateDataKey* on its key"),
            ("IAM5[Resource::arn:<AWS::Partition>:s3:::battery-smart-recordings-"
             f"<AWS::AccountId>-{self.region}/recordings/*]",
             "Egress writes one object per call under recordings/"),
        ):  # fmt: skip
            acknowledge(host.role, finding, reason)
        acknowledge(
            self.state,
            "S1",
            "Holds only Caddy's certificate store, read and written by the instance role; "
            "CloudTrail records its data access if the account enables it",
        )
        acknowledge(
            host.role,
            f"IAM5[Resource::{nag_arn(self.state)}/{STATE_PREFIX}*]",
            "Caddy's certificate files: their names are Caddy's, under one prefix",
        )
        acknowledge(
            host.instance,
            "EC29",
            "One instance by design; a replacement is a redeploy and recordings are in S3",
        )
        acknowledge(
            self.secret,
            "SMG4",
            "LiveKit reads its keys from config files rendered at boot; rotating means "
            "re-rendering and restarting the services, done by redeploying the instance",
        )
        acknowledge(
            self.health_check,
            "L1",
            "Python 3.11 is the project's pinned runtime, the same locally and in Lambda",
        )
        acknowledge(
            self.health_check,
            "IAM5[Resource::*]",
            "X-Ray trace segments have no resource-level permissions (active tracing)",
        )
