"""Object keys and job names: where a call's ids come from.

Recordings land at `recordings/<agent_id>/<call_id>.<ext>` (LiveKit Egress writes them so).
A key with no agent folder (`recordings/<call_id>.<ext>`) is accepted with agent_id
`unknown`; deeper folders keep the last folder as the agent. Transcripts are written to
`transcripts/<agent_id>/<call_id>.json`, so the analyzer reads the same ids back.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

RECORDINGS_PREFIX = "recordings/"
TRANSCRIPTS_PREFIX = "transcripts/"
UNKNOWN_AGENT = "unknown"
AUDIO_FORMATS = {
    ".ogg": "ogg",
    ".opus": "ogg",
    ".oga": "ogg",
    ".wav": "wav",
    ".flac": "flac",
    ".mp4": "mp4",
    ".m4a": "m4a",
    ".mp3": "mp3",
    ".webm": "webm",
}
_JOB_NAME_UNSAFE = re.compile(r"[^0-9A-Za-z._-]+")
_ID_UNSAFE = re.compile(r"[^0-9A-Za-z._@-]+")


class ObjectKeyError(ValueError):
    pass


@dataclass(frozen=True)
class CallRef:
    call_id: str
    agent_id: str

    @property
    def transcript_key(self) -> str:
        return f"{TRANSCRIPTS_PREFIX}{self.agent_id}/{self.call_id}.json"


def _clean(part: str) -> str:
    return _ID_UNSAFE.sub("-", part).strip("-.")


def _split(key: str, prefix: str) -> CallRef:
    if not key.startswith(prefix):
        raise ObjectKeyError(f"key {key!r} is not under {prefix}")
    path = PurePosixPath(key[len(prefix) :])
    call_id = _clean(path.stem)
    if not call_id:
        raise ObjectKeyError(f"key {key!r} has no call id in its file name")
    agent_id = _clean(path.parent.name) if path.parent.name else UNKNOWN_AGENT
    return CallRef(call_id=call_id, agent_id=agent_id or UNKNOWN_AGENT)


def recording_ref(key: str) -> CallRef:
    return _split(key, RECORDINGS_PREFIX)


def transcript_ref(key: str) -> CallRef:
    return _split(key, TRANSCRIPTS_PREFIX)


def media_format(key: str) -> str:
    suffix = PurePosixPath(key).suffix.lower()
    if suffix not in AUDIO_FORMATS:
        raise ObjectKeyError(
            f"{suffix or 'no extension'} is not a recording format Transcribe reads"
        )
    return AUDIO_FORMATS[suffix]


def job_name(ref: CallRef, bucket: str, key: str, etag: str) -> str:
    """Deterministic per recording version, valid for Transcribe (<= 200 of [0-9A-Za-z._-])."""
    digest = hashlib.sha256(f"{bucket}/{key}#{etag}".encode()).hexdigest()[:16]
    stem = _JOB_NAME_UNSAFE.sub("-", f"qa-{ref.agent_id}-{ref.call_id}")[:180]
    return f"{stem}-{digest}"
