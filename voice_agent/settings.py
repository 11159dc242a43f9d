"""The voice agent's configuration: the only module of the agent that reads the environment.

On the instance the deploy renders it into `agent.env`; on a developer's machine it comes from
their shell. The names are `contracts.environment`'s.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict, TypeVar

from contracts import environment as env
from contracts import voice_host, voice_line
from contracts.bedrock_models import HOME_REGION, ModelError, check_model_id, default_model_id
from contracts.line_hours import HoursError, LineHours

DEFAULT_MODEL_ID = default_model_id()
DEFAULT_VOICE = "Kajal"  # Amazon Polly's neural Indian English voice
DEFAULT_STT_LANGUAGE = "en-IN"  # Transcribe streaming's Indian English
SERVICES = ("aws", "offline")
LOCAL_LLMS = ("policy", "bedrock")
LOCAL_BOT_PORT = 7860
_TRUE = ("1", "true", "yes")


N = TypeVar("N", int, float)


class SettingsError(RuntimeError):
    pass


class _Speech(TypedDict):
    region: str
    model_id: str
    voice: str
    stt_language: str


class _Limits(TypedDict):
    join_timeout_secs: float
    silence_timeout_secs: float
    max_call_secs: float


@dataclass(frozen=True)
class VoiceSettings:
    livekit_url: str  # what browsers and the bot connect to (wss://...)
    livekit_api_key: str
    livekit_api_secret: str
    region: str
    # Where the connect API creates rooms: LiveKit on the same host, or livekit_url when unset.
    livekit_api_url: str | None = None
    model_id: str = DEFAULT_MODEL_ID
    voice: str = DEFAULT_VOICE
    stt_language: str = DEFAULT_STT_LANGUAGE
    recordings_bucket: str | None = None
    alerts_topic_arn: str | None = None
    # The call page, for CORS and join links: given (a developer's page), or read at run time
    # from the SSM parameter the web stack writes, so the page can be deployed after the line.
    web_origin: str | None = "http://localhost:5173"
    web_origin_parameter: str | None = None
    max_calls: int = 4
    hours: str | None = None  # "06:00-23:00 Asia/Kolkata": calls are refused outside them
    calls_per_minute_per_client: int = 6
    max_calls_per_client: int = 2  # calls one address may hold at once (NATs share addresses)
    # Said to a caller whose supervisor could not be reached; the page shows the same number.
    support_phone: str | None = None
    # A call nobody joins frees its slot; the bot says goodbye after a silence or at the
    # longest call the line takes (seconds).
    join_timeout_secs: float = voice_line.JOIN_TIMEOUT_SECONDS
    silence_timeout_secs: float = voice_line.SILENCE_TIMEOUT_SECONDS
    max_call_secs: float = voice_line.MAX_CALL_SECONDS
    # Peers whose X-Forwarded-For names the caller (Caddy on the same host); anyone else is
    # known by their own address.
    trusted_proxies: tuple[str, ...] = voice_line.DEFAULT_TRUSTED_PROXIES
    publish_metrics: bool = False  # the instance's call counts to CloudWatch
    host: str = "127.0.0.1"  # where the connect API (or the local bot) listens
    port: int = voice_host.CONNECT_API
    # A developer's machine only: which services answer, which brain, where calls are kept.
    services: str = "aws"  # aws | offline (faster-whisper, espeak-ng, the SOP policy)
    local_llm: str = "policy"  # offline only: policy | bedrock (with the policy as fallback)
    ice_loopback: bool = False  # WebRTC offers 127.0.0.1 only
    home: Path = Path(env.AUTOQA_HOME_DEFAULT)
    # The rubric and the agent's policy; None: the app's prompts/ folder (as QA's CLI reads it).
    prompts_dir: Path | None = None

    @classmethod
    def for_local(cls, environ: Mapping[str, str] | None = None) -> VoiceSettings:
        """A developer's machine: no LiveKit (SmallWebRTC instead), AWS from their profile."""
        read = _Reader(environ)
        return cls(
            livekit_url="",
            livekit_api_key="",
            livekit_api_secret="",
            **read.speech(),
            alerts_topic_arn=read.text(env.ALERTS_TOPIC_ARN),
            support_phone=read.text(env.SUPPORT_PHONE),
            port=read.whole(env.PORT, LOCAL_BOT_PORT),
            services=read.choice(env.VOICE_SERVICES, SERVICES),
            local_llm=read.choice(env.VOICE_LLM, LOCAL_LLMS),
            ice_loopback=read.flag(env.VOICE_ICE_LOOPBACK),
            home=Path(read.text(env.AUTOQA_HOME) or env.AUTOQA_HOME_DEFAULT),
            prompts_dir=read.path(env.AUTOQA_PROMPTS_DIR),
            **read.limits(),
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> VoiceSettings:
        """The instance: LiveKit's keys and the line's settings, all from `agent.env`."""
        read = _Reader(environ)
        keys = (env.LIVEKIT_URL, env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET)
        missing = [name for name in keys if not read.text(name)]
        if missing:
            raise SettingsError(
                f"set {', '.join(missing)} (on the instance they come from Secrets Manager)"
            )
        return cls(
            livekit_url=read.required(env.LIVEKIT_URL),
            livekit_api_key=read.required(env.LIVEKIT_API_KEY),
            livekit_api_secret=read.required(env.LIVEKIT_API_SECRET),
            livekit_api_url=read.text(env.LIVEKIT_API_URL),
            **read.speech(),
            recordings_bucket=read.text(env.RECORDINGS_BUCKET),
            alerts_topic_arn=read.text(env.ALERTS_TOPIC_ARN),
            web_origin=read.text(env.WEB_ORIGIN),
            web_origin_parameter=read.text(env.WEB_ORIGIN_PARAMETER),
            max_calls=read.whole(env.MAX_CALLS, 4),
            hours=read.hours(),
            calls_per_minute_per_client=read.whole(env.CALLS_PER_MINUTE_PER_CLIENT, 6),
            max_calls_per_client=read.whole(env.MAX_CALLS_PER_CLIENT, 2),
            support_phone=read.text(env.SUPPORT_PHONE),
            trusted_proxies=read.proxies(),
            publish_metrics=read.text(env.CALL_METRICS) == voice_line.CALL_METRICS_CLOUDWATCH,
            host=read.text(env.HOST) or "127.0.0.1",
            port=read.whole(env.PORT, voice_host.CONNECT_API),
            prompts_dir=read.path(env.AUTOQA_PROMPTS_DIR),
            **read.limits(),
        )


class _Reader:
    """Typed reads of one environment, each naming the variable when its value is wrong."""

    def __init__(self, environ: Mapping[str, str] | None) -> None:
        self.environ = os.environ if environ is None else environ

    def text(self, name: str) -> str | None:
        return self.environ.get(name) or None

    def required(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise SettingsError(f"set {name}")
        return value

    def path(self, name: str) -> Path | None:
        value = self.text(name)
        return Path(value) if value else None

    def flag(self, name: str) -> bool:
        return (self.text(name) or "").lower() in _TRUE

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        value = self.text(name) or choices[0]
        if value not in choices:
            raise SettingsError(f"{name} must be {' or '.join(choices)}, not {value!r}")
        return value

    def number(self, name: str, default: float) -> float:
        return self._at_least_one(name, float(default), float)

    def whole(self, name: str, default: int) -> int:
        return self._at_least_one(name, default, int)

    def _at_least_one(self, name: str, default: N, kind: Callable[[str], N]) -> N:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = kind(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a number, not {raw!r}") from None
        if value < 1:
            raise SettingsError(f"{name} must be at least 1, not {raw}")
        return value

    def speech(self) -> _Speech:
        """The AWS voice services: where, which model, which voice, which language."""
        region = self.region()
        return _Speech(
            region=region,
            model_id=self.model_id(region),
            voice=self.text(env.POLLY_VOICE) or DEFAULT_VOICE,
            stt_language=self.text(env.STT_LANGUAGE) or DEFAULT_STT_LANGUAGE,
        )

    def limits(self) -> _Limits:
        limits = _Limits(
            join_timeout_secs=self.number(
                env.JOIN_TIMEOUT_SECONDS, voice_line.JOIN_TIMEOUT_SECONDS
            ),
            silence_timeout_secs=self.number(
                env.SILENCE_TIMEOUT_SECONDS, voice_line.SILENCE_TIMEOUT_SECONDS
            ),
            max_call_secs=self.number(env.MAX_CALL_SECONDS, voice_line.MAX_CALL_SECONDS),
        )
        if limits["max_call_secs"] <= limits["silence_timeout_secs"]:
            raise SettingsError(
                f"{env.MAX_CALL_SECONDS} must be longer than {env.SILENCE_TIMEOUT_SECONDS}"
            )
        return limits

    def proxies(self) -> tuple[str, ...]:
        raw = self.environ.get(env.TRUSTED_PROXIES)
        if raw is None:
            return voice_line.DEFAULT_TRUSTED_PROXIES
        proxies = tuple(p.strip() for p in raw.split(",") if p.strip())
        for proxy in proxies:
            try:
                ipaddress.ip_address(proxy)
            except ValueError:
                raise SettingsError(
                    f"{env.TRUSTED_PROXIES} lists addresses, not {proxy!r}"
                ) from None
        return proxies

    def hours(self) -> str | None:
        value = self.text(env.LINE_HOURS)
        if value:
            try:
                LineHours.parse(value, env.LINE_HOURS)
            except HoursError as exc:
                raise SettingsError(str(exc)) from exc
        return value

    def region(self) -> str:
        return self.text(env.AWS_REGION) or self.text(env.AWS_DEFAULT_REGION) or HOME_REGION

    def model_id(self, region: str) -> str:
        model_id = self.text(env.MODEL_ID) or default_model_id(region)
        try:
            check_model_id(model_id, region, env.MODEL_ID)
        except ModelError as exc:
            raise SettingsError(str(exc)) from exc
        return model_id
