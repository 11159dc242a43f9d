"""Where a call's objects live and what they are named: key layouts with their build and parse
functions, the audio formats Transcribe reads, and Transcribe job names.

Recordings land at `recordings/<agent_id>/<call_id>.<ext>` (LiveKit Egress writes them so).
A key with no agent folder (`recordings/<call_id>.<ext>`) is accepted with agent_id
`unknown`; deeper folders keep the last folder as the agent.

Ids must be safe where Transcribe and S3 keys need them (Transcribe's OutputKey takes only
`[a-zA-Z0-9-_.!*'()/]`), and different names must never share an id. A name of at most 128
characters of `[0-9A-Za-z._-]`, not starting or ending with `-` or `.`, is its own id; any
other name becomes a readable slug plus a short hash of the name (`call 7004` ->
`call-7004-<8 hex>`), so `call 7004.wav` and `call-7004.wav` stay two calls.

- `call_id` is the safe id of the file name's stem (the row's key).
- `agent_id` is the agent folder's name as written (the row keeps it); `agent_key` is its safe
  id. Transcripts are written to `transcripts/<agent_key>/<call_id>.json`, and the analyzer
  reads the original agent id back from the call's row.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

# Recordings bucket: one object per call, written by Egress (or uploaded for QA by hand).
RECORDINGS_PREFIX = "recordings/"
# Transcripts bucket: Transcribe's output, and full transcripts too big for a table row.
TRANSCRIPTS_PREFIX = "transcripts/"
RESULTS_PREFIX = "results/"
# Config bucket: the rubric, the judge's prompt and the agent's policy (`prompts/` in the repo).
PROMPTS_PREFIX = "prompts/"
TRANSCRIPT_SUFFIX = ".json"
# What LiveKit Egress records: OGG (Opus), agent on the left channel, caller on the right.
EGRESS_SUFFIX = ".ogg"
# Beside each recording the bot writes `<recording without extension>.meta.json`.
METADATA_SUFFIX = ".meta.json"
UNKNOWN_AGENT = "unknown"
# Transcribe's job names: the prefix scopes IAM and the job-failed rule to QA's own jobs.
JOB_PREFIX = "qa-"
JOB_STEM_CHARS = 180  # the readable part, before `-<16 hex>`
# Recording file suffix -> Transcribe's MediaFormat.
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
# Recording file suffix -> the media type a browser plays it as (the dashboard's player).
AUDIO_MEDIA_TYPES = {
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".oga": "audio/ogg",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".mp4": "audio/mp4",
    ".m4a": "audio/mp4",
    ".mp3": "audio/mpeg",
    ".webm": "audio/webm",
}
MAX_ID_CHARS = 128  # a safe name longer than this is shortened (slug plus hash)
MAX_SLUG_CHARS = 96
HASH_CHARS = 8
_JOB_NAME_UNSAFE = re.compile(r"[^0-9A-Za-z._-]+")
_ID_UNSAFE = re.compile(r"[^0-9A-Za-z._-]+")


class ObjectKeyError(ValueError):
    pass


def safe_id(name: str) -> str:
    """`name` if it is safe as it stands, else a readable slug plus a short hash of `name`.

    Injective: two different names never get the same id (a safe name has no hash suffix
    unless it was given one; a hashed id carries the hash of the exact original).
    Idempotent: the id of an id is itself.
    """
    slug = _ID_UNSAFE.sub("-", name).strip("-.")
    if slug == name and len(name) <= MAX_ID_CHARS:
        return name
    slug = slug[:MAX_SLUG_CHARS].rstrip("-.")
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:HASH_CHARS]
    return f"{slug}-{digest}" if slug else digest


@dataclass(frozen=True)
class CallRef:
    call_id: str
    agent_id: str

    @property
    def agent_key(self) -> str:
        return safe_id(self.agent_id)

    @property
    def transcript_key(self) -> str:
        return f"{TRANSCRIPTS_PREFIX}{self.agent_key}/{self.call_id}{TRANSCRIPT_SUFFIX}"


AUDIO_SUFFIXES = tuple(AUDIO_FORMATS)


def recording_key(agent_id: str, call_id: str, suffix: str = EGRESS_SUFFIX) -> str:
    """`recordings/<agent_id>/<call_id><suffix>`: the layout Egress writes and QA parses."""
    if suffix.lower() not in AUDIO_FORMATS:
        raise ObjectKeyError(f"{suffix or 'no extension'} is not a recording format")
    for name, value in (("agent id", agent_id), ("call id", call_id)):
        if not value or "/" in value or value != value.strip():
            raise ObjectKeyError(f"{name} {value!r} cannot be a key's folder or file name")
    return f"{RECORDINGS_PREFIX}{agent_id}/{call_id}{suffix}"


def metadata_key(recording: str) -> str:
    """`recordings/ai-agent/call-1.ogg` -> `recordings/ai-agent/call-1.meta.json`."""
    folder, _, name = recording.rpartition("/")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{folder}/{stem}{METADATA_SUFFIX}" if folder else f"{stem}{METADATA_SUFFIX}"


def overflow_transcript_key(agent_id: str, call_id: str, source_version: str | None) -> str:
    """Where a result too big for its table row keeps its full transcript: one object per
    transcript version, so a late event cannot replace a newer text."""
    folder = f"{RESULTS_PREFIX}{safe_id(agent_id)}/{call_id}"
    if source_version:
        folder = f"{folder}/{hashlib.sha256(source_version.encode()).hexdigest()[:16]}"
    return f"{folder}/transcript.txt"


def _split(key: str, prefix: str) -> CallRef:
    if not key.startswith(prefix):
        raise ObjectKeyError(f"key {key!r} is not under {prefix}")
    path = PurePosixPath(key[len(prefix) :])
    if not path.stem.strip():
        raise ObjectKeyError(f"key {key!r} has no call id in its file name")
    agent = path.parent.name if path.parent.name.strip() else UNKNOWN_AGENT
    return CallRef(call_id=safe_id(path.stem), agent_id=agent)


def recording_ref(key: str) -> CallRef:
    return _split(key, RECORDINGS_PREFIX)


def transcript_ref(key: str) -> CallRef:
    """The ids in a transcript key: the call id, and the agent's safe id (`agent_key`)."""
    return _split(key, TRANSCRIPTS_PREFIX)


def media_format(key: str) -> str:
    suffix = PurePosixPath(key).suffix.lower()
    if suffix not in AUDIO_FORMATS:
        raise ObjectKeyError(
            f"{suffix or 'no extension'} is not a recording format Transcribe reads"
        )
    return AUDIO_FORMATS[suffix]


def job_name(ref: CallRef, bucket: str, key: str, version: str) -> str:
    """Deterministic per recording version, valid for Transcribe (<= 200 of [0-9A-Za-z._-])."""
    digest = hashlib.sha256(f"{bucket}/{key}#{version}".encode()).hexdigest()[:16]
    stem = _JOB_NAME_UNSAFE.sub("-", f"{JOB_PREFIX}{ref.agent_key}-{ref.call_id}")
    stem = stem[:JOB_STEM_CHARS]
    return f"{stem}-{digest}"
