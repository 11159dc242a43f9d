"""Renders the instance's configs from the templates, the hostname and the LiveKit secret.

Run by the instance's user data at boot (the secret is read there, never written into the
template or the user data):

    python3 render.py --out DIR --hostname H --secret-json FILE --region R ...
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from string import Template

# Run as a script on the instance: the contracts the agent shares are beside it in the app.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lambda_src"))
from contracts import voice_host, voice_line
from contracts.voice_host import CADDY_DATA, STATE_PREFIX

TEMPLATES = Path(__file__).resolve().parent / "templates"
FILES = (
    "docker-compose.yml",
    "livekit.yaml",
    "egress.yaml",
    "Caddyfile",
    "agent.env",
    "caddy-state.service",
    "caddy-state.timer",
)
# Read by root (Docker Compose, LiveKit): owner only.
SECRET_FILES = ("livekit.yaml", "agent.env")
# Read inside a container that runs as its own user (Egress runs as `egress`): readable by
# all, protected by the rendered folder, which only root may enter.
SHARED_SECRET_FILES = ("egress.yaml",)


LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory"
ZEROSSL = "https://acme.zerossl.com/v2/DV90"
CERTIFICATES = ("ip", "sslip-zerossl")


def sslip_hostname(public_ip: str) -> str:
    """A hostname that resolves to the IP with no domain of one's own: 13-235-1-2.sslip.io."""
    return f"{public_ip.replace('.', '-')}.sslip.io"


def tls_values(
    *, public_ip: str, hostname: str | None, certificate: str, acme_email: str
) -> dict[str, str]:
    """Where the line is reached and how Caddy gets its certificate.

    - A domain of one's own: Let's Encrypt, with ZeroSSL as Caddy's fallback when an e-mail
      is given.
    - "ip": Let's Encrypt's short-lived (6-day) certificate for the Elastic IP itself. It
      depends on no one else's DNS and the IP has its own rate limit. Browsers connect to
      the IP without a server name, so Caddy is told which certificate to present.
    - "sslip-zerossl": <ip>.sslip.io from ZeroSSL's ACME endpoint, which shares no limit
      with the other users of sslip.io (Let's Encrypt's for it is often exhausted).
    """
    options: list[str] = [f"email {acme_email}"] if acme_email else []
    tls_block = ""
    if hostname:
        address = hostname
    elif certificate == "ip":
        address = public_ip
        options.append(f"default_sni {public_ip}")
        tls_block = (
            f"\ttls {{\n\t\tissuer acme {{\n\t\t\tdir {LETS_ENCRYPT}\n"
            "\t\t\tprofile shortlived\n\t\t}\n\t}\n"
        )
    elif certificate == "sslip-zerossl":
        if not acme_email:
            raise ValueError("the sslip-zerossl certificate needs --acme-email")
        address = sslip_hostname(public_ip)
        options.append(f"cert_issuer acme {ZEROSSL}")
    else:
        raise ValueError(f"certificate must be one of {CERTIFICATES}, not {certificate!r}")
    global_options = "{\n" + "".join(f"\t{o}\n" for o in options) + "}\n" if options else ""
    return {
        "hostname": address,
        "site_address": address,
        "tls_block": tls_block,
        "global_options": global_options,
    }


def checked(test: Callable[[str], bool], what: str) -> Callable[[str], str]:
    """An argparse type: the value as given (empty: not given), or an error naming what it
    should have been."""

    def check(value: str) -> str:
        if value and not test(value):
            raise argparse.ArgumentTypeError(f"{value!r} is not {what}")
        return value

    return check


def seconds(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of seconds")
    return int(value)


def call_limits(silence_timeout: int, max_call_seconds: int) -> dict[str, str]:
    """What the agent's calls are held to (`contracts.voice_line`): a call nobody joins frees
    its slot, the bot says goodbye after a silence and at the longest call."""
    if max_call_seconds <= silence_timeout:
        raise ValueError("--max-call-seconds must be longer than --silence-timeout")
    return {
        "join_timeout": str(voice_line.JOIN_TIMEOUT_SECONDS),
        "silence_timeout": str(silence_timeout),
        "max_call_seconds": str(max_call_seconds),
        # Caddy, on this host, is the only peer whose X-Forwarded-For names the caller.
        "trusted_proxies": ",".join(voice_line.DEFAULT_TRUSTED_PROXIES),
    }


def values(**given: str) -> dict[str, str]:
    port_values = {
        "livekit_http": voice_host.LIVEKIT_HTTP,
        "rtc_tcp": voice_host.RTC_TCP,
        "rtc_udp_start": voice_host.RTC_UDP_START,
        "rtc_udp_end": voice_host.RTC_UDP_END,
        "turn_udp": voice_host.TURN_UDP,
        "redis": voice_host.REDIS,
        "connect_api": voice_host.CONNECT_API,
        "egress_health": voice_host.EGRESS_HEALTH,
    }
    return {**{k: str(v) for k, v in port_values.items()}, **given}


def render(out: Path, mapping: dict[str, str]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    written = []
    for name in FILES:
        text = Template((TEMPLATES / name).read_text()).substitute(mapping)
        path = out / name
        path.write_text(text)
        if name in SECRET_FILES:
            os.chmod(path, 0o600)
        elif name in SHARED_SECRET_FILES:
            os.chmod(path, 0o644)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--public-ip", required=True, help="the Elastic IP")
    p.add_argument(
        "--hostname",
        type=checked(voice_host.is_hostname, "a host name"),
        help="a domain of one's own pointing at the Elastic IP",
    )
    p.add_argument("--certificate", choices=CERTIFICATES, default="ip", help="without a domain")
    p.add_argument("--secret-json", type=Path, required=True, help='{"api_key", "api_secret"}')
    p.add_argument("--region", required=True)
    p.add_argument("--model-id", required=True)
    p.add_argument("--recordings-bucket", required=True)
    p.add_argument("--alerts-topic-arn", required=True)
    p.add_argument("--state-bucket", required=True, help="where Caddy's certificates are kept")
    p.add_argument("--web-origin-parameter", required=True, help="SSM parameter with the page")
    p.add_argument(
        "--acme-email", default="", type=checked(voice_host.is_email, "an e-mail address")
    )
    p.add_argument("--hours", default="", help='e.g. "06:00-23:00 Asia/Kolkata"; none: always')
    p.add_argument("--max-calls", default="4")
    p.add_argument("--app-dir", required=True)
    p.add_argument(
        "--support-phone",
        default="",
        type=checked(voice_host.is_phone, "a phone number"),
        help="said to a caller no supervisor could be reached for (the page shows it too)",
    )
    p.add_argument(
        "--silence-timeout",
        type=seconds,
        default=voice_line.SILENCE_TIMEOUT_SECONDS,
        help="seconds of silence before the bot says goodbye",
    )
    p.add_argument(
        "--max-call-seconds",
        type=seconds,
        default=voice_line.MAX_CALL_SECONDS,
        help="the longest call; the bot says goodbye then",
    )
    args = p.parse_args(argv)
    secret = json.loads(args.secret_json.read_text())
    try:
        tls = tls_values(
            public_ip=args.public_ip,
            hostname=args.hostname,
            certificate=args.certificate,
            acme_email=args.acme_email,
        )
        limits = call_limits(args.silence_timeout, args.max_call_seconds)
    except ValueError as exc:
        p.error(str(exc))
    mapping = values(
        **tls,
        api_key=secret["api_key"],
        api_secret=secret["api_secret"],
        region=args.region,
        model_id=args.model_id,
        recordings_bucket=args.recordings_bucket,
        alerts_topic_arn=args.alerts_topic_arn,
        state_bucket=args.state_bucket,
        caddy_data=CADDY_DATA,
        state_prefix=STATE_PREFIX,
        web_origin_parameter=args.web_origin_parameter,
        line_hours=args.hours,
        max_calls=args.max_calls,
        app_dir=args.app_dir,
        support_phone=args.support_phone,
        **limits,
    )
    for path in render(args.out, mapping):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
