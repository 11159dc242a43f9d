"""The functions' configuration, read once from the environment the stack sets."""

from __future__ import annotations

import os
from dataclasses import dataclass

from contracts.bedrock_models import ModelError, check_model_id, default_model_id


class ConfigError(RuntimeError):
    pass


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigError(f"environment variable {name} is not set (the stack sets it)")
    return value


@dataclass(frozen=True)
class StartQASettings:
    table_name: str
    transcripts_bucket: str
    transcribe_role_arn: str
    language_options: tuple[str, ...]
    min_duration_seconds: float

    @classmethod
    def from_env(cls) -> StartQASettings:
        return cls(
            table_name=_required("TABLE_NAME"),
            transcripts_bucket=_required("TRANSCRIPTS_BUCKET"),
            transcribe_role_arn=_required("TRANSCRIBE_ROLE_ARN"),
            language_options=tuple(
                code.strip()
                for code in os.environ.get("LANGUAGE_OPTIONS", "en-IN,hi-IN").split(",")
                if code.strip()
            ),
            min_duration_seconds=float(os.environ.get("MIN_DURATION_SECONDS", "0.5")),
        )


@dataclass(frozen=True)
class AnalyzeSettings:
    table_name: str
    topic_arn: str
    config_bucket: str
    prompts_prefix: str
    overflow_bucket: str
    judge: str  # "bedrock" or "rules"
    model_id: str
    prompts_refresh_seconds: float
    # Bedrock is not called when less than this is left: the rules judge answers instead.
    min_seconds_for_bedrock: float

    @classmethod
    def from_env(cls) -> AnalyzeSettings:
        judge = os.environ.get("JUDGE", "bedrock").strip().lower()
        if judge not in ("bedrock", "rules"):
            raise ConfigError(f"JUDGE must be 'bedrock' or 'rules', not {judge!r}")
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or ""
        model_id = os.environ.get("MODEL_ID") or default_model_id(region)
        try:
            check_model_id(model_id, region, "MODEL_ID")
        except ModelError as exc:
            raise ConfigError(str(exc)) from exc
        return cls(
            table_name=_required("TABLE_NAME"),
            topic_arn=_required("TOPIC_ARN"),
            config_bucket=_required("CONFIG_BUCKET"),
            prompts_prefix=os.environ.get("PROMPTS_PREFIX", "prompts/"),
            overflow_bucket=_required("TRANSCRIPTS_BUCKET"),
            judge=judge,
            model_id=model_id,
            prompts_refresh_seconds=float(os.environ.get("PROMPTS_REFRESH_SECONDS", "60")),
            min_seconds_for_bedrock=float(os.environ.get("MIN_SECONDS_FOR_BEDROCK", "20")),
        )
