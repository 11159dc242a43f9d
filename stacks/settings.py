"""The CDK app's settings: every context value (`cdk.json`, `cdk -c key=value`), typed and
checked once in `app.py`, then handed to each stack as keyword props.

A field's alias is its context key. An empty value means "not set" (the default applies). A
bad value stops the synth with one line that names the key, before any stack is built.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from aws_cdk import aws_ec2 as ec2
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from contracts import voice_host
from contracts.bedrock_models import HOME_REGION, check_model_id, default_model_id
from contracts.line_hours import HoursError, LineHours
from contracts.voice_line import MAX_CALL_SECONDS, SILENCE_TIMEOUT_SECONDS

REPO = Path(__file__).resolve().parents[1]
ACCOUNT_VARIABLE = "CDK_DEFAULT_ACCOUNT"  # set by the CDK CLI from the caller's credentials
# The instance stops this long after closing time: new calls are refused from closing time on,
# and calls in progress reach their maximum length first.
STOP_AFTER_CLOSE_MINUTES = 15
CERTIFICATES = ("ip", "sslip-zerossl")
INSTANCE_TYPE = re.compile(r"[a-z][a-z0-9-]*\.[a-z0-9]+")
HOSTED_ZONE_ID = re.compile(r"[A-Z0-9]{1,32}")
MODEL_ID = re.compile(r"[A-Za-z0-9.:/_-]+")  # an id, a profile id or an ARN
# Cognito's sign-in domain prefix: https://<prefix>.auth.<region>.amazoncognito.com
DOMAIN_PREFIX = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
RESERVED_IN_PREFIX = ("aws", "amazon", "cognito")


class SettingsError(ValueError):
    """A context value the app cannot be built with; the message names the key."""


def _whole(value: object) -> int:
    """A whole number: cdk.json gives an int, `-c` a string; a bool or "4; reboot" is neither."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"must be a whole number, not {value!r}")
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"must be a whole number, not {value!r}") from None


def _between(low: int, high: int, unit: str) -> Callable[[int], int]:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(f"must be {low} to {high} {unit}, not {value}")
        return value

    return check


def _shaped(test: Callable[[str], bool], what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not test(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return check


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def _text(value: object) -> object:
    """A number where text is expected (`"web:support_phone": 918045678900`) is its digits."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Whole = Annotated[int, BeforeValidator(_whole)]
Hostname = Annotated[
    str,
    AfterValidator(
        _shaped(voice_host.is_hostname, f"a host name (e.g. {voice_host.HOSTNAME_EXAMPLE})")
    ),
]
Email = Annotated[
    str,
    AfterValidator(
        _shaped(voice_host.is_email, f"an e-mail address (e.g. {voice_host.EMAIL_EXAMPLE})")
    ),
]
Phone = Annotated[
    str,
    BeforeValidator(_text),
    AfterValidator(
        _shaped(
            voice_host.is_phone,
            "a phone number: 6 to 20 digits, spaces, +, -, ( or ) "
            f"(e.g. {voice_host.PHONE_EXAMPLE})",
        )
    ),
]


class _Section(BaseModel):
    """Context keys as aliases; unset and empty values leave the default."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _unset_is_default(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            return {k: v for k, v in data.items() if v is not None and v != ""}
        return data

    @classmethod
    def context_keys(cls) -> list[str]:
        return [field.alias or name for name, field in cls.model_fields.items()]


class QaSettings(_Section):
    """`qa:*`: the Auto-QA pipeline (the model is the app's `model_id`)."""

    judge: Annotated[Literal["bedrock", "rules"], BeforeValidator(_lower)] = Field(
        "bedrock", alias="qa:judge"
    )
    alert_email: Email | None = Field(None, alias="qa:alert_email")
    recording_retention_days: Annotated[Whole, AfterValidator(_between(1, 3650, "days"))] = Field(
        90, alias="qa:recording_retention_days"
    )
    transcript_retention_days: Annotated[Whole, AfterValidator(_between(1, 3650, "days"))] = Field(
        365, alias="qa:transcript_retention_days"
    )
    language_options: str = Field("en-IN,hi-IN", alias="qa:language_options")
    # SQS event sources take a maximum concurrency of 2 to 1000.
    analyze_max_concurrency: Annotated[Whole, AfterValidator(_between(2, 1000, "functions"))] = (
        Field(5, alias="qa:analyze_max_concurrency")
    )
    start_max_concurrency: Annotated[Whole, AfterValidator(_between(2, 1000, "functions"))] = Field(
        10, alias="qa:start_max_concurrency"
    )


class OpsSettings(_Section):
    """`ops:*`: who hears the alarms."""

    alert_email: Email | None = Field(None, alias="ops:alert_email")


class WebSettings(_Section):
    """`web:*`: the call page."""

    # The number callers are given when no supervisor can be reached; the page shows it too.
    support_phone: Phone | None = Field(None, alias="web:support_phone")
    dist_dir: Path = Field(REPO / "frontend" / "dist", alias="web:dist_dir")


def _domain_prefix(value: str) -> str:
    if not DOMAIN_PREFIX.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a Cognito domain prefix: 1 to 63 lowercase letters, digits and "
            "hyphens, not starting or ending with a hyphen (e.g. battery-smart-supervisors)"
        )
    reserved = [word for word in RESERVED_IN_PREFIX if word in value]
    if reserved:
        raise ValueError(
            f"{value!r} contains {reserved[0]!r}: Cognito refuses a domain prefix with 'aws', "
            "'amazon' or 'cognito' in it"
        )
    return value


DomainPrefix = Annotated[str, BeforeValidator(_text), AfterValidator(_domain_prefix)]


class DashboardSettings(_Section):
    """`dashboard:*`: the supervisors' dashboard and its sign-in."""

    # The sign-in pages live at https://<prefix>.auth.<region>.amazoncognito.com. A prefix is
    # unique among every account's in the region; unset, it is `battery-smart-<account id>`.
    domain_prefix: DomainPrefix | None = Field(None, alias="dashboard:domain_prefix")

    def domain_prefix_for(self, account: str) -> str:
        """The prefix set, else one unique to the account (`account` may be a deploy-time
        token): two deployments in one account and region need a prefix of their own."""
        return self.domain_prefix or f"battery-smart-{account}"


class VoiceLineSettings(_Section):
    """`voice:*`: the voice line's instance, certificate, capacity, hours and call limits.

    Every value the instance's shell or configs receive has the shape of what it names, so
    none can carry a quote, `$(...)`, `;` or a newline into the user data."""

    instance_type: str = Field("t4g.small", alias="voice:instance_type")
    domain: Hostname | None = Field(None, alias="voice:domain")
    hosted_zone_id: str | None = Field(None, alias="voice:hosted_zone_id")
    hosted_zone_name: Hostname | None = Field(None, alias="voice:hosted_zone_name")
    # Without a domain: "ip" (Let's Encrypt's short-lived certificate for the Elastic IP) or
    # "sslip-zerossl" (<ip>.sslip.io from ZeroSSL, needs acme_email).
    certificate: str = Field("ip", alias="voice:certificate")
    acme_email: Email | None = Field(None, alias="voice:acme_email")
    max_calls: Annotated[Whole, AfterValidator(_between(1, 50, "calls"))] = Field(
        4, alias="voice:max_calls"
    )
    hours: LineHours | None = Field(None, alias="voice:hours")
    silence_timeout_seconds: Annotated[Whole, AfterValidator(_between(10, 600, "seconds"))] = Field(
        SILENCE_TIMEOUT_SECONDS, alias="voice:silence_timeout_seconds"
    )
    max_call_minutes: Annotated[Whole, AfterValidator(_between(1, 120, "minutes"))] = Field(
        MAX_CALL_SECONDS // 60, alias="voice:max_call_minutes"
    )

    model_config = ConfigDict(arbitrary_types_allowed=True)

    @model_validator(mode="before")
    @classmethod
    def _parse_hours(cls, data: Any) -> Any:
        hours = data.get("voice:hours") if isinstance(data, Mapping) else None
        if isinstance(hours, str) and hours:
            try:
                return {**data, "voice:hours": LineHours.parse(hours)}
            except HoursError as exc:
                raise ValueError(str(exc)) from None
        return data

    @model_validator(mode="after")
    def _consistent(self) -> VoiceLineSettings:
        if not INSTANCE_TYPE.fullmatch(self.instance_type):
            raise ValueError(
                f"voice:instance_type {self.instance_type!r} is not an EC2 instance type "
                "(e.g. t4g.small)"
            )
        if self.hosted_zone_id is not None and not HOSTED_ZONE_ID.fullmatch(self.hosted_zone_id):
            raise ValueError(
                f"voice:hosted_zone_id {self.hosted_zone_id!r} is not a Route 53 zone id "
                "(e.g. Z0123456789ABCDEFGHIJ)"
            )
        if self.certificate not in CERTIFICATES:
            raise ValueError(
                f"voice:certificate must be one of {', '.join(CERTIFICATES)}, "
                f"not {self.certificate!r}"
            )
        if not self.domain and self.certificate == "sslip-zerossl" and not self.acme_email:
            raise ValueError(
                "voice:certificate sslip-zerossl needs voice:acme_email (ZeroSSL's ACME "
                "account is made from it)"
            )
        if self.hosted_zone_id and not (self.domain and self.hosted_zone_name):
            raise ValueError(
                "voice:hosted_zone_id needs voice:domain and voice:hosted_zone_name "
                "(e.g. voice.example.com in example.com)"
            )
        self._check_hours()
        if self.silence_timeout_seconds >= self.max_call_seconds:
            raise ValueError(
                f"voice:silence_timeout_seconds {self.silence_timeout_seconds} must be shorter "
                f"than voice:max_call_minutes ({self.max_call_minutes} minutes)"
            )
        return self

    def _check_hours(self) -> None:
        if self.hours is None:
            return
        if self.hours.closed_minutes < 2 * STOP_AFTER_CLOSE_MINUTES:
            raise ValueError(
                f"voice:hours {str(self.hours)!r}: the line must be closed at least "
                f"{2 * STOP_AFTER_CLOSE_MINUTES} minutes a day (the instance stops "
                f"{STOP_AFTER_CLOSE_MINUTES} minutes after closing); leave voice:hours unset "
                "for a line that never closes"
            )
        if self.max_call_minutes > STOP_AFTER_CLOSE_MINUTES:
            raise ValueError(
                f"voice:max_call_minutes {self.max_call_minutes} is longer than the "
                f"{STOP_AFTER_CLOSE_MINUTES} minutes the instance runs after closing time "
                "(voice:hours): a call taken just before closing would be cut off"
            )

    @property
    def max_call_seconds(self) -> int:
        return self.max_call_minutes * 60

    @property
    def arm64(self) -> bool:
        return ec2.InstanceType(self.instance_type).architecture == ec2.InstanceArchitecture.ARM_64


class AppSettings(BaseModel):
    """Everything a deploy is configured by."""

    model_config = ConfigDict(frozen=True)

    region: str = HOME_REGION
    account: str | None = None
    # `qa:model_id`: the judge's and the bot's Bedrock model (a profile id for Haiku 4.5).
    model_id: str
    qa: QaSettings
    ops: OpsSettings
    voice: VoiceLineSettings
    web: WebSettings
    dashboard: DashboardSettings

    @classmethod
    def from_context(
        cls, context: Callable[[str], Any], environ: Mapping[str, str] | None = None
    ) -> AppSettings:
        """`context` is `app.node.try_get_context`; the account comes from the CDK CLI."""
        environ = os.environ if environ is None else environ
        region = str(context("region") or HOME_REGION)
        model_id = str(context("qa:model_id") or default_model_id(region))
        check_model_id(model_id, region, "qa:model_id")  # ModelError names what to use
        if not MODEL_ID.fullmatch(model_id):
            raise SettingsError(f"qa:model_id {model_id!r} is not a Bedrock model id")

        def section(kind: type[_Section]) -> Any:
            values = {key: context(key) for key in kind.context_keys()}
            try:
                return kind.model_validate(values)
            except ValidationError as exc:
                raise SettingsError(_first_error(exc)) from None

        return cls(
            region=region,
            account=environ.get(ACCOUNT_VARIABLE) or None,
            model_id=model_id,
            qa=section(QaSettings),
            ops=section(OpsSettings),
            voice=section(VoiceLineSettings),
            web=section(WebSettings),
            dashboard=section(DashboardSettings),
        )


def _first_error(exc: ValidationError) -> str:
    """One line naming the context key: "voice:max_calls must be 1 to 50 calls, not 0"."""
    error = exc.errors()[0]
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "value_error":
        message = str(error["ctx"]["error"])
    else:
        message = f"{error['msg'][0].lower()}{error['msg'][1:]}, not {error['input']!r}"
    return f"{key} {message}" if key and not message.startswith(key) else message
