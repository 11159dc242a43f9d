"""The S3 object an event names, and reading exactly that version of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

SEQUENCER_WIDTH = 32


def ordering_key(sequencer: str | None) -> str | None:
    """S3's event sequencer as a string that sorts in event order.

    AWS: sequencers of one key are hex strings of varying length; compare them after padding
    the shorter with leading zeros. Padded to a fixed width (upper case), plain string order is
    event order, which DynamoDB condition expressions can compare.
    """
    if not sequencer:
        return None
    value = sequencer.strip().upper()
    return value.rjust(max(SEQUENCER_WIDTH, len(value)), "0")


@dataclass(frozen=True)
class S3Object:
    bucket: str
    key: str
    etag: str
    size: int  # the parser's model has a float; DynamoDB and ranges want an int
    version_id: str | None = None  # set when the bucket is versioned ("null" is not a version)
    sequencer: str | None = None  # ordering_key() of the event's sequencer

    @property
    def version(self) -> str:
        """The object version this event is about: the version id, else the ETag."""
        return self.version_id or self.etag


class ObjectChangedError(Exception):
    """The key no longer holds the object the event names (a newer one replaced it)."""


def read_object(s3: Any, obj: S3Object) -> bytes:
    """The bytes of the very object version the event names, never a newer object's.

    Versioned bucket: GetObject with the event's VersionId. Otherwise: GetObject only if the
    ETag still matches (IfMatch), else ObjectChangedError.
    """
    conditions: dict[str, str] = {}
    if obj.version_id:
        conditions["VersionId"] = obj.version_id
    elif obj.etag:
        conditions["IfMatch"] = '"' + obj.etag.strip('"') + '"'
    try:
        response = s3.get_object(Bucket=obj.bucket, Key=obj.key, **conditions)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "PreconditionFailed":
            raise ObjectChangedError(f"{obj.key} no longer has ETag {obj.etag}") from exc
        raise
    return response["Body"].read()
