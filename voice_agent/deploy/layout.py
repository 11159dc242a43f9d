"""Where the voice line's files live on the instance: the one source for the user data and
the rendered configs."""

from __future__ import annotations

VOICE_DIR = "/opt/voice"
APP_DIR = f"{VOICE_DIR}/app"  # the repository's files the instance needs
RUN_DIR = f"{VOICE_DIR}/run"  # rendered configs (root only)
CADDY_DATA = f"{VOICE_DIR}/caddy-data"  # certificates: restored from and backed up to S3
STATE_PREFIX = "caddy/"  # their key prefix in the state bucket
