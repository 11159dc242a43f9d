"""Object keys, job names, audio headers, and the LLM judge's schema and evidence checks."""

from __future__ import annotations

import json
import re

import pytest

from contracts.storage import ObjectKeyError, job_name, recording_ref, safe_id, transcript_ref
from qa_aws.bedrock_judge import is_retryable
from qa_engine.audio_header import inspect_audio
from qa_engine.llm_judge import JudgeAnswer, QuoteRef, answer_to_verdict, tool_config
from tests.aws_lambda.bedrock_stub import sop
from tests.conftest import REPO, transcribe_json
from tests.integration.audio_tools import decode_stereo, encode

JOB_NAME = re.compile(r"^[0-9A-Za-z._-]{1,200}$")
# What Transcribe accepts in an OutputKey.
OUTPUT_KEY = re.compile(r"^[a-zA-Z0-9\-_.!*'()/]{1,1024}$")
HASHED = r"-[0-9a-f]{8}"


@pytest.mark.parametrize(
    ("key", "call_id", "agent_id", "agent_key"),
    [
        ("recordings/agent-17/call-0042.ogg", "call-0042", "agent-17", "agent-17"),
        ("recordings/agent-7/call-42.ogg", "call-42", "agent-7", "agent-7"),
        ("recordings/call-0042.ogg", "call-0042", "unknown", "unknown"),
        ("recordings/a/call_1.v2.wav", "call_1.v2", "a", "a"),
        (
            "recordings/region/north/agent 9/call 1.ogg",
            "call-1" + HASHED,
            "agent 9",
            "agent-9" + HASHED,
        ),
        (
            "recordings/ops@north = team/क्रम 1/call-9.ogg",
            "call-9",
            "क्रम 1",
            "1" + HASHED,
        ),
        ("recordings/ops@north = team/कॉल 12.ogg", "12" + HASHED, "ops@north = team", None),
    ],
)
def test_ids_come_from_the_recording_key(key, call_id, agent_id, agent_key):
    ref = recording_ref(key)
    assert re.fullmatch(call_id, ref.call_id)
    assert ref.agent_id == agent_id  # as written: the row keeps it
    assert re.fullmatch(agent_key or r"ops-north-team" + HASHED, ref.agent_key)
    assert OUTPUT_KEY.match(ref.transcript_key)
    back = transcript_ref(ref.transcript_key)
    assert (back.call_id, back.agent_key) == (ref.call_id, ref.agent_key)


def test_different_file_names_never_share_a_call_id():
    names = ["call 7004", "call-7004", "call_7004", "call--7004", "call-7004-", ".call-7004"]
    names += ["कॉल 7004", "कॉल 7005", "क्रम", "@", "=", "call 7004 ", "x" * 200, "x" * 201]
    ids = [recording_ref(f"recordings/a/{n}.wav").call_id for n in names]
    assert len(set(ids)) == len(ids)
    assert recording_ref("recordings/a/call-7004.wav").call_id == "call-7004"
    assert recording_ref("recordings/a/call 7004.wav").call_id.startswith("call-7004-")
    for i in ids:
        assert JOB_NAME.match(i) and safe_id(i) == i  # safe as it stands, and stable
    agents = [recording_ref(f"recordings/{a}/c.wav").agent_key for a in ("a b", "a-b", "a@b")]
    assert len(set(agents)) == 3 and "a-b" in agents


def test_keys_outside_the_prefix_are_refused():
    with pytest.raises(ObjectKeyError):
        recording_ref("uploads/call.ogg")


def test_job_names_are_valid_and_deterministic_per_version():
    ref = recording_ref("recordings/agent:17/call#42 (copy).ogg")
    a = job_name(ref, "bucket", "recordings/agent:17/call#42 (copy).ogg", "etag1")
    assert JOB_NAME.match(a)
    assert a == job_name(ref, "bucket", "recordings/agent:17/call#42 (copy).ogg", "etag1")
    assert a != job_name(ref, "bucket", "recordings/agent:17/call#42 (copy).ogg", "etag2")
    long_ref = recording_ref("recordings/a/" + "x" * 400 + ".ogg")
    assert JOB_NAME.match(job_name(long_ref, "b", "k", "e"))
    assert OUTPUT_KEY.match(long_ref.transcript_key)
    odd = recording_ref("recordings/ops@north = team/क्रम 1/call-9.ogg")
    assert JOB_NAME.match(job_name(odd, "b", "recordings/ops@north = team/क्रम 1/call-9.ogg", "e"))


@pytest.fixture(scope="module")
def stereo():
    return decode_stereo(REPO / "samples" / "call_01_swap_price.ogg")[:, : 16000 * 3]


@pytest.mark.parametrize(
    ("codec", "container", "fmt"),
    [("pcm_s16le", "wav", "wav"), ("flac", "flac", "flac"), ("aac", "mp4", "mp4")],
)
def test_audio_headers_give_format_channels_and_duration(tmp_path, stereo, codec, container, fmt):
    for channels in (2, 1):
        path = encode(stereo[:channels], tmp_path / f"x{channels}.{container}", codec, container)
        data = path.read_bytes()
        header = inspect_audio(data[:65536], data[-65536:], len(data))
        assert header.format == fmt
        assert header.channels == channels
        assert header.duration_seconds == pytest.approx(3.0, abs=0.1)


def test_ogg_opus_header_of_an_egress_style_recording():
    data = (REPO / "samples" / "call_01_swap_price.ogg").read_bytes()
    header = inspect_audio(data[:65536], data[-65536:], len(data))
    assert (header.format, header.channels) == ("ogg", 2)
    assert header.duration_seconds == pytest.approx(33.9, abs=0.2)


def test_non_audio_is_recognised():
    assert not inspect_audio(b"%PDF-1.7 ...").is_audio
    assert not inspect_audio(b"").is_audio


def test_tool_schema_is_self_contained_and_forced():
    config = tool_config()
    schema = config["tools"][0]["toolSpec"]["inputSchema"]["json"]
    assert "$ref" not in json.dumps(schema) and "$defs" not in schema
    assert set(schema["required"]) == {"sop_answers", "summary"}
    assert config["toolChoice"] == {"tool": {"name": "record_qa_verdict"}}


def test_evidence_must_be_in_the_transcript_and_wrong_turn_numbers_are_fixed(scorer, rubric):
    conversation = scorer.parse(
        transcribe_json([("A", "Hello, Battery Smart."), ("C", "My battery is smoking badly.")])
    )
    answer = JudgeAnswer(
        sop_answers=[
            sop("S1", True, False, [(0, "Hello, Battery Smart.")]),
            sop("S2", True, True),
            sop("S3", False, True),
            sop("S4", True, False, [(0, "my battery is SMOKING")]),  # wrong turn, other case
            sop("S5", True, False, [(1, "I want your manager")]),  # not said
            sop("S6", False, True),
        ],
        summary="Smoke reported.",
    )
    verdict = answer_to_verdict(answer, conversation, rubric)
    s4 = next(c for c in verdict.sop_checks if c.sop_id == "S4")
    assert s4.violated and s4.evidence[0].turn_index == 1
    assert s4.evidence[0].quote == "My battery is smoking"  # the transcript's own words
    s5 = next(c for c in verdict.sop_checks if c.sop_id == "S5")
    assert not s5.violated
    assert any("S5" in w for w in verdict.warnings)


def test_answers_must_cover_every_sop_once():
    answer = JudgeAnswer(
        sop_answers=[sop(s, False, True) for s in ("S1", "S1", "S3", "S4", "S5", "S6")],
        summary="x",
    )
    assert answer.missing_sops() == ["S1", "S2"]
    with pytest.raises(ValueError):
        QuoteRef(turn_index=-1, quote="x")


def test_what_is_retried():
    from botocore.exceptions import ClientError, ReadTimeoutError

    def error(code: str, status: int) -> ClientError:
        return ClientError(
            {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Converse"
        )

    assert is_retryable(error("ThrottlingException", 429))
    assert is_retryable(error("InternalServerException", 500))
    assert is_retryable(error("SomethingNew", 503))
    assert is_retryable(ReadTimeoutError(endpoint_url="https://bedrock"))
    assert not is_retryable(error("ValidationException", 400))
    assert not is_retryable(error("AccessDeniedException", 403))
