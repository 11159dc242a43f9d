"""The voice line's one EC2 instance: IMDSv2 only, encrypted disk, SSM instead of SSH."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

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
