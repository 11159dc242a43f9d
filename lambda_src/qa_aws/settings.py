"""The functions' configuration: read once, when a function starts, from the environment the
stack sets (the names are `contracts.environment`'s). The only module of the functions that
reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from contracts import environment as env
from contracts.bedrock_models import ModelError, check_model_id, default_model_id
from contracts.line_hours import HoursError, LineHours
from contracts.storage import PROMPTS_PREFIX

JUDGES = ("bedrock", "rules")


class ConfigError(RuntimeError):
    pass


class _Reader:
    """Typed reads of one environment, each naming the variable when its value is wrong."""

    def __init__(self, environ: Mapping[str, str] | None) -> None:
        self.environ = os.environ if environ is None else environ

    def required(self, name: str) -> str:
        value = self.environ.get(name)
        if not value:
            raise ConfigError(f"environment variable {name} is not set (the stack sets it)")
        return value

    def text(self, name: str, default: str) -> str:
        return self.environ.get(name) or default

    def number(self, name: str, default: float) -> float:
        raw = self.environ.get(name)
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number, not {raw!r}") from None
        if value < 0:
            raise ConfigError(f"{name} must not be negative, not {raw}")
        return value

    def whole(self, name: str, default: int) -> int:
        value = self.number(name, default)
        if value != int(value) or value < 1:
            raise ConfigError(f"{name} must be a whole number of at least 1, not {value:g}")
        return int(value)

    def region(self) -> str:
        return self.environ.get(env.AWS_REGION) or self.environ.get(env.AWS_DEFAULT_REGION) or ""


@dataclass(frozen=True)
class StartQASettings:
    table_name: str
    transcripts_bucket: str
    transcribe_role_arn: str
    language_options: tuple[str, ...]
    min_duration_seconds: float
    # Deliveries of one message before it goes to the dead-letter queue: StartQA records a
    # failed call on the last one.
    max_receive_count: int

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StartQASettings:
        read = _Reader(environ)
        languages = read.text(env.LANGUAGE_OPTIONS, "en-IN,hi-IN")
        return cls(
            table_name=read.required(env.TABLE_NAME),
            transcripts_bucket=read.required(env.TRANSCRIPTS_BUCKET),
            transcribe_role_arn=read.required(env.TRANSCRIBE_ROLE_ARN),
            language_options=tuple(c.strip() for c in languages.split(",") if c.strip()),
            min_duration_seconds=read.number(env.MIN_DURATION_SECONDS, 0.5),
            max_receive_count=read.whole(env.MAX_RECEIVE_COUNT, 5),
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
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AnalyzeSettings:
        read = _Reader(environ)
        judge = read.text(env.JUDGE, "bedrock").strip().lower()
        if judge not in JUDGES:
            raise ConfigError(f"{env.JUDGE} must be 'bedrock' or 'rules', not {judge!r}")
        region = read.region()
        model_id = read.text(env.MODEL_ID, default_model_id(region))
        try:
            check_model_id(model_id, region, env.MODEL_ID)
        except ModelError as exc:
            raise ConfigError(str(exc)) from exc
        return cls(
            table_name=read.required(env.TABLE_NAME),
            topic_arn=read.required(env.TOPIC_ARN),
            config_bucket=read.required(env.CONFIG_BUCKET),
            prompts_prefix=read.text(env.PROMPTS_PREFIX, PROMPTS_PREFIX),
            overflow_bucket=read.required(env.TRANSCRIPTS_BUCKET),
            judge=judge,
            model_id=model_id,
            prompts_refresh_seconds=read.number(env.PROMPTS_REFRESH_SECONDS, 60),
            min_seconds_for_bedrock=read.number(env.MIN_SECONDS_FOR_BEDROCK, 20),
        )


@dataclass(frozen=True)
class HealthCheckSettings:
    hostname: str
    hours: LineHours | None  # None: the line never closes

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HealthCheckSettings:
        read = _Reader(environ)
        hours = read.text(env.VOICE_HOURS, "")
        try:
            parsed = LineHours.parse(hours, env.VOICE_HOURS) if hours else None
        except HoursError as exc:
            raise ConfigError(str(exc)) from exc
        return cls(hostname=read.required(env.VOICE_HOSTNAME), hours=parsed)


@dataclass(frozen=True)
class DashboardSettings:
    table_name: str
    reviews_table_name: str
    recordings_bucket: str
    transcripts_bucket: str  # very long calls keep their full transcript here
    region: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DashboardSettings:
        read = _Reader(environ)
        return cls(
            table_name=read.required(env.TABLE_NAME),
            reviews_table_name=read.required(env.REVIEWS_TABLE_NAME),
            recordings_bucket=read.required(env.RECORDINGS_BUCKET),
            transcripts_bucket=read.required(env.TRANSCRIPTS_BUCKET),
            region=read.region(),
        )
