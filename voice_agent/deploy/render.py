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
from pathlib import Path
from string import Template

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ports

TEMPLATES = Path(__file__).resolve().parent / "templates"
FILES = ("docker-compose.yml", "livekit.yaml", "egress.yaml", "Caddyfile", "agent.env")
SECRET_FILES = ("livekit.yaml", "egress.yaml", "agent.env")


def sslip_hostname(public_ip: str) -> str:
    """A hostname that resolves to the IP with no domain of one's own: 13-235-1-2.sslip.io."""
    return f"{public_ip.replace('.', '-')}.sslip.io"


def values(**given: str) -> dict[str, str]:
    port_values = {
        "livekit_http": ports.LIVEKIT_HTTP,
        "rtc_tcp": ports.RTC_TCP,
        "rtc_udp_start": ports.RTC_UDP_START,
        "rtc_udp_end": ports.RTC_UDP_END,
        "turn_udp": ports.TURN_UDP,
        "redis": ports.REDIS,
        "connect_api": ports.CONNECT_API,
        "egress_health": ports.EGRESS_HEALTH,
    }
    return {**{k: str(v) for k, v in port_values.items()}, **given}


def render(out: Path, mapping: dict[str, str]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in FILES:
        text = Template((TEMPLATES / name).read_text()).substitute(mapping)
        path = out / name
        path.write_text(text)
        if name in SECRET_FILES:
            os.chmod(path, 0o600)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--hostname", help="domain name; default: <ip>.sslip.io from --public-ip")
    p.add_argument("--public-ip")
    p.add_argument("--secret-json", type=Path, required=True, help='{"api_key", "api_secret"}')
    p.add_argument("--region", required=True)
    p.add_argument("--model-id", required=True)
    p.add_argument("--recordings-bucket", required=True)
    p.add_argument("--alerts-topic-arn", required=True)
    p.add_argument("--web-origin", required=True)
    p.add_argument("--acme-email", default="")
    p.add_argument("--max-calls", default="4")
    p.add_argument("--app-dir", required=True)
    args = p.parse_args(argv)
    if not (args.hostname or args.public_ip):
        p.error("give --hostname or --public-ip")
    secret = json.loads(args.secret_json.read_text())
    mapping = values(
        hostname=args.hostname or sslip_hostname(args.public_ip),
        api_key=secret["api_key"],
        api_secret=secret["api_secret"],
        region=args.region,
        model_id=args.model_id,
        recordings_bucket=args.recordings_bucket,
        alerts_topic_arn=args.alerts_topic_arn,
        web_origin=args.web_origin,
        global_options=f"{{\n\temail {args.acme_email}\n}}\n" if args.acme_email else "",
        max_calls=args.max_calls,
        app_dir=args.app_dir,
    )
    for path in render(args.out, mapping):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
