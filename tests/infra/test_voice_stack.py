"""VoiceStack: one hardened instance, only WebRTC's ports, least privilege, no secrets in sight."""

from __future__ import annotations

import json

import pytest

from tests.infra.conftest import cdk_context, policy_statements, resources, synth
from voice_agent.deploy.ports import PUBLIC_PORTS


def test_instance_requires_imdsv2_encrypts_its_disk_and_has_no_key_pair(voice_template):
    (instance,) = resources(voice_template, "AWS::EC2::Instance").values()
    props = instance["Properties"]
    assert "KeyName" not in props
    assert props["InstanceType"] == "t3.medium"
    (device,) = props["BlockDeviceMappings"]
    assert device["Ebs"]["Encrypted"] is True and device["Ebs"]["VolumeType"] == "gp3"
    (template,) = resources(voice_template, "AWS::EC2::LaunchTemplate").values()
    metadata = template["Properties"]["LaunchTemplateData"]["MetadataOptions"]
    assert metadata["HttpTokens"] == "required"


def test_network_is_public_only_with_no_nat_and_an_elastic_ip(voice_template):
    voice_template.resource_count_is("AWS::EC2::NatGateway", 0)
    voice_template.resource_count_is("AWS::EC2::EIP", 1)
    voice_template.resource_count_is("AWS::EC2::EIPAssociation", 1)
    voice_template.resource_count_is("AWS::EC2::FlowLog", 1)
    for subnet in resources(voice_template, "AWS::EC2::Subnet").values():
        assert subnet["Properties"]["MapPublicIpOnLaunch"] is True


def test_ingress_is_exactly_the_webrtc_port_plan_and_never_ssh(voice_template):
    (group,) = resources(voice_template, "AWS::EC2::SecurityGroup").values()
    ingress = group["Properties"]["SecurityGroupIngress"]
    opened = {(r["IpProtocol"], r["FromPort"], r["ToPort"]) for r in ingress}
    assert opened == {(p.protocol, p.start, p.end) for p in PUBLIC_PORTS}
    assert all(r["CidrIp"] == "0.0.0.0/0" and r["Description"] for r in ingress)
    assert not any(r["FromPort"] <= 22 <= r["ToPort"] for r in ingress)


def test_instance_role_is_least_privilege(voice_template):
    statements = policy_statements(voice_template, "HostRole")
    by_action = {}
    for s in statements:
        for action in s["Action"] if isinstance(s["Action"], list) else [s["Action"]]:
            by_action.setdefault(action, []).append(s["Resource"])
    assert "bedrock:InvokeModel" in by_action
    assert "foundation-model/anthropic.claude-3-haiku-20240307-v1:0" in json.dumps(
        by_action["bedrock:InvokeModel"]
    )
    assert by_action["s3:PutObject"] and "/recordings/*" in json.dumps(by_action["s3:PutObject"])
    assert "battery-smart-recordings-" in json.dumps(by_action["s3:PutObject"])
    assert set(by_action) >= {
        "sns:Publish",
        "polly:SynthesizeSpeech",
        "transcribe:StartStreamTranscriptionWebSocket",
        "secretsmanager:GetSecretValue",
    }
    wildcard = {a for a, res in by_action.items() if "*" in res}
    assert wildcard <= {
        "polly:SynthesizeSpeech",
        "transcribe:StartStreamTranscription",
        "transcribe:StartStreamTranscriptionWebSocket",
    }
    assert not any(a.endswith(":*") or a == "*" for a in by_action)
    assert "s3:DeleteObject" not in by_action and "dynamodb:PutItem" not in by_action


def test_no_secret_in_the_template_or_user_data(voice_template):
    (secret,) = resources(voice_template, "AWS::SecretsManager::Secret").values()
    generate = secret["Properties"]["GenerateSecretString"]
    assert generate["GenerateStringKey"] == "api_secret"
    assert "SecretString" not in secret["Properties"]
    (instance,) = resources(voice_template, "AWS::EC2::Instance").values()
    user_data = json.dumps(instance["Properties"]["UserData"])
    assert "secretsmanager get-secret-value" in user_data
    assert "api_secret" not in user_data and "LIVEKIT_API_SECRET" not in user_data
    assert "docker compose up -d --build" in user_data
    assert "render.py" in user_data and ".sslip.io" not in user_data  # derived from the IP


def test_outputs_give_the_web_page_its_runtime_config(voice_template):
    outputs = voice_template.to_json()["Outputs"]
    assert {"ConnectApiUrl", "LiveKitUrl", "Hostname", "InstanceId"} <= set(outputs)
    assert "/api/connect" in json.dumps(outputs["ConnectApiUrl"])
    assert "wss://" in json.dumps(outputs["LiveKitUrl"])
    assert ".sslip.io" in json.dumps(outputs["Hostname"])


def test_a_domain_of_ones_own_replaces_sslip():
    template = synth(cdk_context(**{"voice:domain": "voice.batterysmart.example"}), "VoiceStack")[1]
    outputs = template.to_json()["Outputs"]
    assert outputs["LiveKitUrl"]["Value"] == "wss://voice.batterysmart.example"


def test_graviton_instances_are_refused_until_images_are_shown_arm64():
    with pytest.raises(Exception, match="arm64"):
        synth(cdk_context(**{"voice:instance_type": "t4g.medium"}), "VoiceStack")
