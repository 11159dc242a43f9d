"""The voice agent's configuration, from the environment the instance (or a developer) sets."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import Any

from contracts import voice_line
from contracts.bedrock_models import ModelError, check_model_id, default_model_id
from contracts.line_hours import HoursError, LineHours

DEFAULT_MODEL_ID = default_model_id()
DEFAULT_VOICE = "Kajal"  # Amazon Polly's neural Indian English voice
AGENT_ID = "ai-agent"  # the bot's agent id in recording keys and QA results


class SettingsError(RuntimeError):
    pass


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
    stt_language: str = "en-IN"
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

    @classmethod
    def for_local(cls) -> VoiceSettings:
        """A developer's machine: no LiveKit (SmallWebRTC instead), AWS from their profile."""
        return cls(
            livekit_url="",
            livekit_api_key="",
            livekit_api_secret="",
            region=_region(),
            model_id=_model_id(),
            voice=os.environ.get("POLLY_VOICE", DEFAULT_VOICE),
            stt_language=os.environ.get("STT_LANGUAGE", "en-IN"),
            alerts_topic_arn=os.environ.get("ALERTS_TOPIC_ARN") or None,
            support_phone=os.environ.get(voice_line.ENV_SUPPORT_PHONE) or None,
            **_limits(),
        )

    @classmethod
    def from_env(cls) -> VoiceSettings:
        missing = [
            name
            for name in ("LIVEKIT_URL", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET")
            if not os.environ.get(name)
        ]
        if missing:
            raise SettingsError(
                f"set {', '.join(missing)} (on the instance they come from Secrets Manager)"
            )
        return cls(
            livekit_url=os.environ["LIVEKIT_URL"],
            livekit_api_key=os.environ["LIVEKIT_API_KEY"],
            livekit_api_secret=os.environ["LIVEKIT_API_SECRET"],
            livekit_api_url=os.environ.get("LIVEKIT_API_URL") or None,
            region=_region(),
            model_id=_model_id(),
            voice=os.environ.get("POLLY_VOICE", DEFAULT_VOICE),
            stt_language=os.environ.get("STT_LANGUAGE", "en-IN"),
            recordings_bucket=os.environ.get("RECORDINGS_BUCKET") or None,
            alerts_topic_arn=os.environ.get("ALERTS_TOPIC_ARN") or None,
            web_origin=os.environ.get("WEB_ORIGIN") or None,
            web_origin_parameter=os.environ.get("WEB_ORIGIN_PARAMETER") or None,
            max_calls=_number("MAX_CALLS", 4, int),
            hours=_hours(),
            calls_per_minute_per_client=_number("CALLS_PER_MINUTE_PER_CLIENT", 6, int),
            max_calls_per_client=_number("MAX_CALLS_PER_CLIENT", 2, int),
            support_phone=os.environ.get(voice_line.ENV_SUPPORT_PHONE) or None,
            trusted_proxies=_proxies(),
            publish_metrics=os.environ.get(voice_line.ENV_CALL_METRICS) == "cloudwatch",
            **_limits(),
        )


def _number(name: str, default: float, kind: type = float, minimum: float = 1) -> Any:
    raw = os.environ.get(name) or None
    if raw is None:
        return kind(default)
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {raw}")
    return value


def _limits() -> dict[str, float]:
    limits = {
        "join_timeout_secs": _number(voice_line.ENV_JOIN_TIMEOUT, voice_line.JOIN_TIMEOUT_SECONDS),
        "silence_timeout_secs": _number(
            voice_line.ENV_SILENCE_TIMEOUT, voice_line.SILENCE_TIMEOUT_SECONDS
        ),
        "max_call_secs": _number(voice_line.ENV_MAX_CALL, voice_line.MAX_CALL_SECONDS),
    }
    if limits["max_call_secs"] <= limits["silence_timeout_secs"]:
        raise SettingsError(
            f"{voice_line.ENV_MAX_CALL} must be longer than {voice_line.ENV_SILENCE_TIMEOUT}"
        )
    return limits


def _proxies() -> tuple[str, ...]:
    raw = os.environ.get(voice_line.ENV_TRUSTED_PROXIES)
    if raw is None:
        return voice_line.DEFAULT_TRUSTED_PROXIES
    proxies = tuple(p.strip() for p in raw.split(",") if p.strip())
    for proxy in proxies:
        try:
            ipaddress.ip_address(proxy)
        except ValueError:
            raise SettingsError(
                f"{voice_line.ENV_TRUSTED_PROXIES} lists addresses, not {proxy!r}"
            ) from None
    return proxies


def _hours() -> str | None:
    value = os.environ.get("LINE_HOURS") or None
    if value:
        try:
            LineHours.parse(value, "LINE_HOURS")
        except HoursError as exc:
            raise SettingsError(str(exc)) from exc
    return value


def _model_id() -> str:
    region = _region()
    model_id = os.environ.get("BEDROCK_MODEL_ID") or default_model_id(region)
    try:
        check_model_id(model_id, region, "BEDROCK_MODEL_ID")
    except ModelError as exc:
        raise SettingsError(str(exc)) from exc
    return model_id


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "ap-south-1"
