"""The voice line's one EC2 instance: IMDSv2 only, encrypted disk, SSM instead of SSH, and
the role it runs with, granted one thing at a time by the methods below."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3_assets as assets
from constructs import Construct

from cdk_constructs.nag import acknowledge
from contracts.voice_host import PUBLIC_PORTS


class VoiceHost(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        instance_type: str,
        arm64: bool,
        user_data: ec2.UserData,
    ) -> None:
        super().__init__(scope, construct_id)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=1,
            nat_gateways=0,  # the instance has a public address; nothing private to route
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24
                )
            ],
            flow_logs={"all": ec2.FlowLogOptions()},
        )
        self.security_group = ec2.SecurityGroup(
            self,
            "WebRtc",
            vpc=self.vpc,
            description="Battery Smart voice line: HTTPS, WebRTC media, TURN; no SSH",
            allow_all_outbound=True,  # AWS APIs, container images, ACME
        )
        for port in PUBLIC_PORTS:
            peer_port = (
                ec2.Port.tcp_range(port.start, port.end)
                if port.protocol == "tcp"
                else ec2.Port.udp_range(port.start, port.end)
            )
            self.security_group.add_ingress_rule(ec2.Peer.any_ipv4(), peer_port, port.why)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            managed_policies=[
                # Session Manager shell access instead of SSH keys and port 22.
                iam.ManagedPolicy.from_aws_managed_policy_name("AmazonSSMManagedInstanceCore")
            ],
        )
        self.instance = ec2.Instance(
            self,
            "Instance",
            vpc=self.vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            instance_type=ec2.InstanceType(instance_type),
            machine_image=ec2.MachineImage.latest_amazon_linux2023(
                cpu_type=ec2.AmazonLinuxCpuType.ARM_64 if arm64 else ec2.AmazonLinuxCpuType.X86_64
            ),
            security_group=self.security_group,
            role=self.role,
            require_imdsv2=True,
            detailed_monitoring=True,
            user_data=user_data,
            user_data_causes_replacement=True,
            block_devices=[
                ec2.BlockDevice(
                    device_name="/dev/xvda",
                    volume=ec2.BlockDeviceVolume.ebs(
                        30, encrypted=True, volume_type=ec2.EbsDeviceVolumeType.GP3
                    ),
                )
            ],
        )
        self.elastic_ip = ec2.CfnEIP(self, "Address", domain="vpc")
        ec2.CfnEIPAssociation(
            self,
            "AddressAssociation",
            allocation_id=self.elastic_ip.attr_allocation_id,
            instance_id=self.instance.instance_id,
        )
        self._acknowledge()

    def allow_source(self, source: assets.Asset) -> None:
        """The agent's source: this one object of the CDK asset bucket, which `aws s3 cp` only
        reads (no listing, no other assets). The default bootstrap encrypts the bucket with
        SSE-KMS under the AWS managed aws/s3 key (or a key whose policy lets the account
        decrypt through S3): reading through S3 needs no KMS grant here."""
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[source.bucket.arn_for_objects(source.s3_object_key)],
            )
        )

    def allow_voice_services(self, metrics_namespace: str) -> None:
        """Transcribe streaming and Polly for the calls; call counts to CloudWatch."""
        # PutMetricData has no resource, so the namespace is the limit.
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": metrics_namespace}},
            )
        )
        self._allow_speech()
        acknowledge(
            self.role,
            "IAM5[Resource::*]",
            "Transcribe streaming, Polly synthesis and CloudWatch PutMetricData have no "
            "resource-level permissions; PutMetricData is limited to the voice line's "
            "namespace by condition",
        )

    def _allow_speech(self) -> None:
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "transcribe:StartStreamTranscription",
                    "transcribe:StartStreamTranscriptionWebSocket",
                ],
                resources=["*"],
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["polly:SynthesizeSpeech"], resources=["*"])
        )

    def allow_recording_uploads(self, bucket_name: str, prefix: str) -> None:
        """Egress writes one object per call under `prefix` of the recordings bucket (named,
        not imported: the bucket's stack deploys first and the name is known)."""
        stack = Stack.of(self)
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject", "s3:AbortMultipartUpload"],
                resources=[f"arn:{stack.partition}:s3:::{bucket_name}/{prefix}*"],
            )
        )
        shown = bucket_name.replace(stack.account, "<AWS::AccountId>")
        acknowledge(
            self.role,
            f"IAM5[Resource::arn:<AWS::Partition>:s3:::{shown}/{prefix}*]",
            f"Egress writes one object per call under {prefix}",
        )

    def allow_parameter(self, name: str) -> None:
        """Read one SSM parameter (the call page's origin)."""
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ssm:GetParameter"],
                resources=[
                    Stack.of(self).format_arn(
                        service="ssm", resource="parameter", resource_name=name.lstrip("/")
                    )
                ],
            )
        )

    def _acknowledge(self) -> None:
        acknowledge(
            self.security_group,
            "EC23",
            "A public voice line: browsers anywhere must reach HTTPS and WebRTC media; SSH "
            "stays closed (Session Manager)",
        )
        acknowledge(
            self.role,
            "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]",
            "Session Manager replaces SSH; this AWS policy is its documented minimum",
        )
        acknowledge(
            self.instance,
            "EC29",
            "One instance by design; a replacement is a redeploy and recordings are in S3",
        )
