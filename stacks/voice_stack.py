"""VoiceStack: LiveKit, Egress, Caddy and the Pipecat agent on one EC2 instance.

Recordings go to QaPipelineStack's bucket (`recordings/<agent_id>/<call_id>.ogg`), which is
where Auto-QA picks them up; supervisor invites go to its `SupervisorAlerts` topic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import CfnOutput, Fn, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3_assets as assets
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from constructs import Construct

from cdk_constructs.bedrock_access import model_arns
from cdk_constructs.nag import acknowledge
from cdk_constructs.voice_host import VoiceHost
from stacks.qa_pipeline_stack import recordings_bucket_name

REPO = Path(__file__).resolve().parents[1]
APP_DIR = "/opt/voice/app"
COMPOSE_VERSION = "v2.32.4"
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
    "!prompts",
    "!prompts/**",
    "**/__pycache__",
    "**/.*",
]


@dataclass(frozen=True)
class VoiceSettings:
    instance_type: str = "t3.medium"
    model_id: str = "anthropic.claude-3-haiku-20240307-v1:0"
    domain: str | None = None
    acme_email: str | None = None
    web_origin: str = "http://localhost:5173"
    max_calls: int = 4

    @classmethod
    def from_context(cls, scope: Construct) -> VoiceSettings:
        def ctx(name: str, default):
            value = scope.node.try_get_context(name)
            return default if value in (None, "") else value

        d = cls()
        settings = cls(
            instance_type=str(ctx("voice:instance_type", d.instance_type)),
            model_id=str(ctx("qa:model_id", d.model_id)),
            domain=ctx("voice:domain", None),
            acme_email=ctx("voice:acme_email", None),
            web_origin=str(ctx("voice:web_origin", d.web_origin)),
            max_calls=int(ctx("voice:max_calls", d.max_calls)),
        )
        if settings.instance_type.startswith(("t4g.", "c7g.", "m7g.", "c6g.", "m6g.")):
            raise ValueError(
                "voice:instance_type: Graviton (arm64) instances need every image in "
                "voice_agent/deploy/templates/docker-compose.yml shown to have an arm64 build; "
                "until then use an x86_64 type such as t3.medium"
            )
        return settings


class VoiceStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alerts_topic: sns.ITopic,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        settings = VoiceSettings.from_context(self)
        recordings = recordings_bucket_name(self)
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
        user_data = ec2.UserData.for_linux()
        host = VoiceHost(self, "Host", instance_type=settings.instance_type, user_data=user_data)
        address = host.elastic_ip.attr_public_ip
        hostname = settings.domain or Fn.join(
            "", [Fn.join("-", Fn.split(".", address)), ".sslip.io"]
        )
        render_args = [
            "--out /opt/voice/run",
            f"--hostname {settings.domain}" if settings.domain else f"--public-ip {address}",
            "--secret-json /opt/voice/secret.json",
            f"--region {self.region}",
            f"--model-id {settings.model_id}",
            f"--recordings-bucket {recordings}",
            f"--alerts-topic-arn {alerts_topic.topic_arn}",
            f"--web-origin {settings.web_origin}",
            f"--max-calls {settings.max_calls}",
            f"--app-dir {APP_DIR}",
        ]
        if settings.acme_email:
            render_args.append(f"--acme-email {settings.acme_email}")
        user_data.add_commands(
            "set -euo pipefail",
            "dnf install -y docker python3 unzip",
            "systemctl enable --now docker",
            "mkdir -p /usr/local/lib/docker/cli-plugins /opt/voice",
            "curl -fsSL -o /usr/local/lib/docker/cli-plugins/docker-compose "
            f"https://github.com/docker/compose/releases/download/{COMPOSE_VERSION}/"
            "docker-compose-linux-x86_64",
            "chmod +x /usr/local/lib/docker/cli-plugins/docker-compose",
            f"aws s3 cp {source.s3_object_url} /opt/voice/app.zip",
            f"rm -rf {APP_DIR} && unzip -q /opt/voice/app.zip -d {APP_DIR}",
            # The secret is read here, at boot, with the instance role; never templated in.
            "umask 077",
            f"aws secretsmanager get-secret-value --region {self.region} --secret-id "
            f"{secret.secret_arn} --query SecretString --output text > /opt/voice/secret.json",
            f"python3 {APP_DIR}/voice_agent/deploy/render.py " + " ".join(render_args),
            "rm -f /opt/voice/secret.json",
            "cd /opt/voice/run && docker compose up -d --build",
        )

        role = host.role
        secret.grant_read(role)
        source.grant_read(role)
        alerts_topic.grant_publish(role)
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject", "s3:AbortMultipartUpload"],
                resources=[f"arn:{self.partition}:s3:::{recordings}/recordings/*"],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "transcribe:StartStreamTranscription",
                    "transcribe:StartStreamTranscriptionWebSocket",
                ],
                resources=["*"],
            )
        )
        role.add_to_policy(iam.PolicyStatement(actions=["polly:SynthesizeSpeech"], resources=["*"]))
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                resources=model_arns(self, settings.model_id),
            )
        )
        self.host = host
        self.secret = secret
        self.hostname = hostname
        CfnOutput(self, "Hostname", value=hostname)
        CfnOutput(self, "ConnectApiUrl", value=Fn.join("", ["https://", hostname, "/api/connect"]))
        CfnOutput(self, "LiveKitUrl", value=Fn.join("", ["wss://", hostname]))
        CfnOutput(self, "InstanceId", value=host.instance.instance_id)
        self._acknowledge(host)

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
             "Transcribe streaming and Polly synthesis have no resource-level permissions"),
            ("IAM5[Action::kms:GenerateDataKey*]",
             "Publishing to the encrypted alerts topic needs GenerateDataKey* on its key"),
            ("IAM5[Action::s3:GetObject*]", "Read access to the agent's source asset only"),
            ("IAM5[Action::s3:GetBucket*]", "Read access to the agent's source asset only"),
            ("IAM5[Action::s3:List*]", "Read access to the agent's source asset only"),
            ("IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-"
             f"{self.region}/*]", "The CDK asset bucket holds the agent's source asset"),
            ("IAM5[Resource::arn:<AWS::Partition>:s3:::battery-smart-recordings-"
             f"<AWS::AccountId>-{self.region}/recordings/*]",
             "Egress writes one object per call under recordings/"),
        ):  # fmt: skip
            acknowledge(host.role, finding, reason)
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
