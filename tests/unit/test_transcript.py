"""Parsing every Transcribe output shape, and refusing what is not one, clearly."""

from __future__ import annotations

import json

import pytest

from qa_engine.errors import EmptyTranscriptError, TranscriptFormatError
from qa_engine.models import Speaker
from tests.conftest import TRANSCRIBE_SAMPLES, transcribe_json

REAL_SAMPLES = {
    "02-channel-identification.json": "transcribe-channels",
    "03-speaker-identification.json": "transcribe-speakers",
    "asrOutput.json": "transcribe-speakers",
    "example-call.json": "transcribe-call-analytics",
}


@pytest.mark.parametrize(("name", "fmt"), REAL_SAMPLES.items())
def test_real_transcribe_outputs_parse_into_alternating_turns(scorer, name, fmt):
    conversation = scorer.parse((TRANSCRIBE_SAMPLES / name).read_bytes())
    assert conversation.source_format == fmt
    assert {t.speaker for t in conversation.turns} == {Speaker.AGENT, Speaker.CUSTOMER}
    for before, after in zip(conversation.turns, conversation.turns[1:], strict=False):
        assert after.start_time >= before.start_time
    assert [t.index for t in conversation.turns] == list(range(len(conversation.turns)))


def test_channel_identification_keeps_every_word_and_punctuation(scorer):
    raw = json.loads((TRANSCRIBE_SAMPLES / "02-channel-identification.json").read_bytes())
    conversation = scorer.parse(raw)
    words = sum(
        1
        for ch in raw["results"]["channel_labels"]["channels"]
        for item in ch["items"]
        if item["type"] == "pronunciation"
    )
    assert sum(len(t.text.split()) for t in conversation.turns) == words
    assert conversation.turns[0].text.startswith("She was gone out into the village")
    assert ", as she was" in conversation.turns[0].text  # punctuation attached, not spaced
    # ch_0 is the agent: its first word is at 15.09 s in this file.
    assert conversation.agent_turns()[0].start_time == pytest.approx(15.09)


def test_agent_in_asr_output_is_the_speaker_who_greets_not_spk_0(scorer):
    conversation = scorer.parse((TRANSCRIBE_SAMPLES / "asrOutput.json").read_bytes())
    first_agent = conversation.agent_turns()[0]
    assert "This is donna" in first_agent.text
    assert first_agent.start_time == pytest.approx(0.86)
    # Diarization split the caller into spk_0 and spk_2; both are the customer.
    customer_text = " ".join(t.text for t in conversation.customer_turns())
    assert "essence of oregon oil" in customer_text
    assert "This is donna" not in customer_text


def test_call_analytics_roles_come_from_participant_role(scorer):
    conversation = scorer.parse((TRANSCRIBE_SAMPLES / "example-call.json").read_bytes())
    assert conversation.turns[0].speaker is Speaker.AGENT
    assert conversation.turns[0].text.startswith("Thank you for calling Anchor Credit Union")
    assert conversation.language_code == "en-US"


@pytest.mark.parametrize("shape", ["current", "legacy"])
@pytest.mark.parametrize("variant", ["channels", "speakers"])
def test_builder_shapes_round_trip_to_the_same_conversation(scorer, shape, variant):
    turns = [("A", "Thank you for calling, this is Aman."), ("C", "Hi, my battery is dead.")]
    conversation = scorer.parse(transcribe_json(turns, variant=variant, shape=shape))
    assert [(t.speaker.value, t.text) for t in conversation.turns] == [
        ("AGENT", "Thank you for calling, this is Aman."),
        ("CUSTOMER", "Hi, my battery is dead."),
    ]


@pytest.mark.parametrize(
    ("raw", "error", "message"),
    [
        (b"not json at all", TranscriptFormatError, "not JSON"),
        (b"[1, 2]", TranscriptFormatError, "top level is not an object"),
        (b'{"hello": 1}', TranscriptFormatError, "not an Amazon Transcribe output"),
        (
            b'{"results": {"transcripts": [{"transcript": ""}], "items": []}}',
            TranscriptFormatError,
            "neither channel_labels nor speaker_labels",
        ),
    ],
)
def test_what_is_not_a_transcribe_output_gets_a_one_line_error(scorer, raw, error, message):
    with pytest.raises(error, match=message) as caught:
        scorer.parse(raw)
    assert "\n" not in str(caught.value)


def test_a_transcript_without_labels_is_refused(scorer):
    doc = json.loads(transcribe_json([("A", "hello there")], shape="legacy"))
    del doc["results"]["channel_labels"]
    with pytest.raises(TranscriptFormatError, match="ChannelIdentification or ShowSpeakerLabels"):
        scorer.parse(doc)


def test_silent_customer_channel_is_an_empty_transcript(scorer):
    with pytest.raises(EmptyTranscriptError, match="no speech from the customer"):
        scorer.parse(transcribe_json([("A", "Thank you for calling Battery Smart.")]))


def test_one_speaker_with_speaker_labels_cannot_be_split(scorer):
    raw = transcribe_json([("A", "Hello, hello, anyone there?")], variant="speakers")
    with pytest.raises(EmptyTranscriptError, match="only one speaker"):
        scorer.parse(raw)


def test_empty_transcript_is_refused(scorer):
    doc = json.loads(transcribe_json([("A", "x"), ("C", "y")]))
    for channel in doc["results"]["channel_labels"]["channels"]:
        channel["items"] = []
    doc["results"]["items"] = []
    doc["results"]["audio_segments"] = []
    with pytest.raises(EmptyTranscriptError, match="no words"):
        scorer.parse(doc)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1" + "0" * 400, "finite, non-negative time"),
        ("1_000", "not a time in seconds"),
        (10**400, "not a time in seconds"),
    ],
)
def test_times_python_would_misread_are_refused(scorer, value, message):
    doc = json.loads(transcribe_json([("A", "Hello there."), ("C", "Hi.")]))
    doc["results"]["items"][0]["start_time"] = value
    with pytest.raises(TranscriptFormatError, match=message):
        scorer.parse(doc)


def test_an_integer_past_pythons_digit_limit_is_not_json_we_read(scorer):
    raw = b'{"results": {"items": [], "x": ' + b"9" * 5000 + b"}}"
    with pytest.raises(TranscriptFormatError, match="not JSON"):
        scorer.parse(raw)


def test_call_analytics_entries_are_ordered_and_checked(scorer):
    doc = json.loads((TRANSCRIBE_SAMPLES / "example-call.json").read_bytes())
    doc["Transcript"].reverse()
    conversation = scorer.parse(doc)
    assert conversation.turns[0].text.startswith("Thank you for calling Anchor Credit Union")
    doc["Transcript"][0]["EndOffsetMillis"] = 0
    doc["Transcript"][0]["BeginOffsetMillis"] = 5000
    with pytest.raises(TranscriptFormatError, match="before it starts"):
        scorer.parse(doc)
