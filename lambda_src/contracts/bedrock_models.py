"""The Bedrock models the judge and the voice bot call: the one default, the ids Bedrock has
retired (synth refuses them), and where a cross-region inference profile routes requests,
which is what IAM must allow.

A model is named by a foundation-model id (`anthropic.claude-haiku-4-5-20251001-v1:0`), a
cross-region inference profile id (the same id after a geography: `apac.`, `us.`, `eu.`,
`global.`, ...) or an ARN. Models launched since late 2024 are reached in most regions only
through a profile, so the default is one.
"""

from __future__ import annotations

from dataclasses import dataclass

CLAUDE_HAIKU_4_5 = "anthropic.claude-haiku-4-5-20251001-v1:0"
NOVA_LITE = "amazon.nova-lite-v1:0"
HOME_REGION = "ap-south-1"  # Mumbai: where Battery Smart's stacks deploy by default


@dataclass(frozen=True)
class Geography:
    prefix: str  # "apac"
    source_prefixes: tuple[str, ...]  # the regions a profile of this geography is called from


# A profile is called from a region of its geography and routes within it (IAM: see
# cdk_constructs/bedrock_access.py); a global profile is called from anywhere.
GEOGRAPHIES = {
    g.prefix: g
    for g in (
        Geography("apac", ("ap-",)),
        Geography("us", ("us-",)),
        Geography("eu", ("eu-",)),
        Geography("jp", ("ap-northeast-1", "ap-northeast-3")),
        Geography("au", ("ap-southeast-2", "ap-southeast-4")),
        Geography("global", ("",)),
    )
}
_DEFAULT_GEOGRAPHY = (("ap-", "apac"), ("us-", "us"), ("eu-", "eu"))


def default_model_id(region: str = HOME_REGION) -> str:
    """Claude Haiku 4.5 through the profile of the region's geography (APAC for Mumbai)."""
    geography = next((g for p, g in _DEFAULT_GEOGRAPHY if region.startswith(p)), "global")
    return f"{geography}.{CLAUDE_HAIKU_4_5}"


DEFAULT_MODEL_ID = default_model_id()
# Amazon Nova answers the same Converse request (forced tool use); for accounts whose credits
# do not cover third-party models.
NOVA_MODEL_ID = f"apac.{NOVA_LITE}"


@dataclass(frozen=True)
class Retired:
    date: str | None  # the end-of-life date in Bedrock's model lifecycle tables, where known
    replacement: str


# Bedrock answers these with "This model version has reached the end of its life".
RETIRED = {
    model: Retired(date, DEFAULT_MODEL_ID)
    for model, date in (
        ("anthropic.claude-instant-v1", None),
        ("anthropic.claude-v2", None),
        ("anthropic.claude-v2:1", None),
        ("anthropic.claude-3-sonnet-20240229-v1:0", None),
        ("anthropic.claude-3-opus-20240229-v1:0", None),
        ("anthropic.claude-3-5-sonnet-20240620-v1:0", None),
        ("anthropic.claude-3-7-sonnet-20250219-v1:0", "2026-04-28"),
        ("anthropic.claude-3-5-haiku-20241022-v1:0", "2026-06-19"),
        ("anthropic.claude-3-5-sonnet-20241022-v2:0", "2026-07-30"),
        ("anthropic.claude-3-haiku-20240307-v1:0", "2026-09-10"),
    )
}


class ModelError(ValueError):
    """A model id that cannot work: retired, or a profile called from outside its geography."""


@dataclass(frozen=True)
class ModelRef:
    """What IAM needs to know of a model id: the profile (if any) and the foundation model."""

    model_id: str
    profile: str | None  # the inference profile id, e.g. "apac.anthropic.claude-..."
    foundation_model: str | None  # e.g. "anthropic.claude-haiku-4-5-20251001-v1:0"
    geography: Geography | None
    arn: str | None = None  # the id as given, when it was an ARN

    @property
    def is_profile_arn(self) -> bool:
        """An application inference profile's ARN: a profile whose model is not in its name."""
        return bool(self.arn and ":application-inference-profile/" in self.arn)

    @property
    def retired(self) -> Retired | None:
        return RETIRED.get(self.foundation_model or "")


def parse_model_id(model_id: str) -> ModelRef:
    model_id = model_id.strip()
    if not model_id:
        raise ModelError("the model id is empty")
    arn = None
    if model_id.startswith("arn:"):
        arn = model_id
        parts = model_id.split(":", 5)
        resource = parts[5] if len(parts) == 6 else ""
        kind, _, name = resource.partition("/")
        if kind == "foundation-model" and name:
            return ModelRef(model_id, None, name, None, arn)
        if kind != "inference-profile" or not name:
            # An application inference profile or a provisioned model: opaque ids, allowed as is.
            return ModelRef(model_id, None, None, None, arn)
        model_id = name
    prefix, _, rest = model_id.partition(".")
    geography = GEOGRAPHIES.get(prefix)
    if geography is not None and rest:
        return ModelRef(model_id, model_id, rest, geography, arn)
    return ModelRef(model_id, None, model_id, None, arn)


def check_model_id(model_id: str, region: str, setting: str = "model id") -> ModelRef:
    """The parsed id, or ModelError with one line that names what to use instead."""
    ref = parse_model_id(model_id)
    retired = ref.retired
    if retired is not None:
        when = f" on {retired.date}" if retired.date else ""
        raise ModelError(
            f"{setting} {model_id!r} reached end of life in Amazon Bedrock{when}; "
            f"use {_in_geography(retired.replacement, region)!r} instead"
        )
    geography = ref.geography
    if geography is not None and region and not region.startswith(geography.source_prefixes):
        raise ModelError(
            f"{setting} {model_id!r} is a {geography.prefix} inference profile, which {region} "
            f"cannot call; use {default_model_id(region)!r}"
        )
    return ref


def is_nova(model_id: str) -> bool:
    return (parse_model_id(model_id).foundation_model or "").startswith("amazon.nova")


def _in_geography(replacement: str, region: str) -> str:
    return default_model_id(region) if replacement == DEFAULT_MODEL_ID else replacement
