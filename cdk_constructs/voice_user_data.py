"""The voice instance's boot script: `templates/voice-user-data.sh` with its values filled in.

Every value goes in as one single-quoted shell word. The settings were checked at synth to
hold no quote (`stacks.settings`), and a deploy-time token resolves to an address, a name or
an ARN, none of which holds one either. `{{name}}` marks a value; a placeholder without a value,
or a value without a placeholder, is an error at synth, never a broken boot.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Token

from contracts.voice_host import APP_DIR, CADDY_DATA, RUN_DIR, VOICE_DIR

TEMPLATE = Path(__file__).resolve().parent / "templates" / "voice-user-data.sh"
COMPOSE_VERSION = "v2.32.4"
# The release's published checksums; the download is refused if it differs.
COMPOSE_SHA256 = {
    "x86_64": "ed1917fb54db184192ea9d0717bcd59e3662ea79db48bff36d3475516c480a6b",
    "aarch64": "0c4591cf3b1ed039adcd803dbbeddf757375fc08c11245b0154135f838495a2f",
}
COMPOSE_PATH = "/usr/local/lib/docker/cli-plugins/docker-compose"
SWAP_MB = 2048  # room for the agent image build and a busy hour on a 2 GB t4g.small
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def quoted(value: str) -> str:
    """`value` as one single-quoted shell word. A deploy-time token (the address, a bucket name,
    an ARN) is wrapped as it is: what it resolves to never holds a quote."""
    if Token.is_unresolved(value):
        if "'" in value:
            raise ValueError(f"cannot quote {value!r}: a quote beside a deploy-time value")
        return "'" + value + "'"
    return "'" + value.replace("'", "'\"'\"'") + "'"


@dataclass(frozen=True)
class BootValues:
    """What the boot script needs of the deploy."""

    region: str
    address: str  # the Elastic IP
    source_url: str  # s3:// URL of the agent's source asset
    secret_arn: str  # the LiveKit keys
    state_url: str  # s3:// prefix of Caddy's certificates
    arm64: bool
    render_args: Mapping[str, str]  # render.py's options: flag -> value


def render_user_data(values: BootValues, template: Path = TEMPLATE) -> str:
    arch = "aarch64" if values.arm64 else "x86_64"
    words = {
        "region": quoted(values.region),
        "address": quoted(values.address),
        "source_url": quoted(values.source_url),
        "secret_arn": quoted(values.secret_arn),
        "state_url": quoted(values.state_url),
        "render_args": " ".join(
            f"{flag} {quoted(value)}" for flag, value in values.render_args.items()
        ),
        # Constants of the product: no quoting needed, none holds a space or a quote.
        "arch": arch,
        "compose": COMPOSE_PATH,
        "compose_version": COMPOSE_VERSION,
        "compose_sha256": COMPOSE_SHA256[arch],
        "swap_mb": str(SWAP_MB),
        "voice_dir": VOICE_DIR,
        "app_dir": APP_DIR,
        "run_dir": RUN_DIR,
        "caddy_data": CADDY_DATA,
    }
    text = template.read_text()
    wanted = set(_PLACEHOLDER.findall(text))
    if wanted != set(words):
        raise ValueError(
            f"{template.name}: placeholders {sorted(wanted - set(words))} have no value, "
            f"values {sorted(set(words) - wanted)} no placeholder"
        )
    return _PLACEHOLDER.sub(lambda m: words[m.group(1)], text).rstrip("\n")
