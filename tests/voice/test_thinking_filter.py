"""A model's `<thinking>` notes never reach text-to-speech, however the stream splits them.

Amazon Nova, asked with tools it may call, writes its reasoning as `<thinking>...</thinking>`
before its answer or its tool call; Pipecat's Bedrock service streams that text like any other.
"""

from __future__ import annotations

import pytest
from pipecat.frames.frames import (
    InterruptionFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
)
from pipecat.processors.frame_processor import FrameProcessor
from pipecat.tests.utils import run_test

from voice_agent.pipeline import VoiceServices, build_call_pipeline
from voice_agent.policy import SopPolicy
from voice_agent.processors import ThinkingFilter
from voice_agent.services import aws_services

NOVA_REPLY = (
    "<thinking>The caller reports smoke from the battery. SOP S4 applies: tell them to stop "
    "using it and keep away, then ask which station.</thinking>\n"
    "Please stop using the battery and keep away from it. Which station did you swap at?"
)
SPOKEN = "\nPlease stop using the battery and keep away from it. Which station did you swap at?"


def response(*chunks: str) -> list:
    return [
        LLMFullResponseStartFrame(),
        *(LLMTextFrame(c) for c in chunks),
        LLMFullResponseEndFrame(),
    ]


def chunked(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def spoken_per_response(frames) -> list[str]:
    """The text each response passes on, response by response."""
    said: list[str] = []
    for frame in frames:
        if isinstance(frame, LLMFullResponseStartFrame):
            said.append("")
        elif isinstance(frame, LLMTextFrame):
            said[-1] += frame.text
    return said


async def run(*frames) -> list:
    down, _ = await run_test(ThinkingFilter(), frames_to_send=list(frames))
    return list(down)


async def test_a_reply_without_tags_passes_frame_for_frame():
    sent = response("Thank you for calling ", "Battery Smart. ", "Is the battery < 5 km away?")
    down = await run(*sent)
    assert down == sent  # the same frames, in order, unchanged


async def test_the_thinking_span_is_removed_and_the_answer_kept():
    down = await run(*response(NOVA_REPLY))
    assert spoken_per_response(down) == [SPOKEN]


async def test_tags_split_anywhere_over_the_stream_are_still_removed():
    # One response per chunk size: chunks of 1 character split every tag at every place.
    frames = [
        f for size in range(1, len(NOVA_REPLY) + 1) for f in response(*chunked(NOVA_REPLY, size))
    ]
    down = await run(*frames)
    assert spoken_per_response(down) == [SPOKEN] * len(NOVA_REPLY)
    assert not any(
        "thinking" in f.text or "SOP" in f.text for f in down if isinstance(f, LLMTextFrame)
    )


async def test_text_outside_the_tags_passes_in_the_chunk_it_came_in():
    down = await run(
        *response(
            "Sure. <thi",
            "nking>The caller wants a supervisor; call the tool.</thin",
            "king>I am connecting ",
            "you now.",
        )
    )
    assert [f.text for f in down if isinstance(f, LLMTextFrame)] == [
        "Sure. ",
        "I am connecting ",
        "you now.",
    ]


async def test_several_spans_and_other_capitals_are_removed():
    down = await run(
        *response(
            "<thinking>a</thinking>Yes. <Thinking>b", "</THINKING>Done.<thinking>c</thinking>"
        )
    )
    assert spoken_per_response(down) == ["Yes. Done."]


async def test_an_unclosed_span_is_dropped_at_the_end_of_the_response():
    down = await run(
        *response("<thinking>I should call request_human_supervisor", " with the reason"),
        *response("Hello, how can I help?"),
    )
    assert spoken_per_response(down) == ["", "Hello, how can I help?"]
    assert sum(isinstance(f, LLMFullResponseEndFrame) for f in down) == 2


@pytest.mark.parametrize(
    ("chunks", "spoken"),
    [
        (("Your swap is at 5", "<", "3 km"), "Your swap is at 5<3 km"),
        (("The code is <th",), "The code is <th"),  # held for a tag, spoken at the end
        (("I was <thinkin", "g of a swap"), "I was <thinking of a swap"),
        (("a <thinkingcap> b",), "a <thinkingcap> b"),
    ],
)
async def test_text_that_only_looks_like_a_tag_is_spoken(chunks, spoken):
    down = await run(*response(*chunks))
    assert spoken_per_response(down) == [spoken]


async def test_an_interruption_inside_a_span_starts_the_next_reply_clean():
    down = await run(
        LLMFullResponseStartFrame(),
        LLMTextFrame("<thinking>The caller said"),
        InterruptionFrame(),
        *response("Yes, go ahead."),
    )
    assert [f.text for f in down if isinstance(f, LLMTextFrame)] == ["Yes, go ahead."]


async def test_skip_tts_and_context_flags_are_kept_on_filtered_text():
    frame = LLMTextFrame("<thinking>x</thinking>Noted.")
    frame.skip_tts = True
    frame.append_to_context = False
    down = await run(LLMFullResponseStartFrame(), frame, LLMFullResponseEndFrame())
    (text,) = [f for f in down if isinstance(f, LLMTextFrame)]
    assert (text.text, text.skip_tts, text.append_to_context) == ("Noted.", True, False)


class _Transport:
    def __init__(self) -> None:
        self._input, self._output = FrameProcessor(name="in"), FrameProcessor(name="out")

    def input(self) -> FrameProcessor:
        return self._input

    def output(self) -> FrameProcessor:
        return self._output


def _flatten(processor) -> list:
    found = []
    for child in processor.processors:
        found.append(child)
        found.extend(_flatten(child))
    return found


async def test_the_filter_sits_between_the_llm_and_the_fallback_and_tts(
    settings, rubric, monkeypatch
):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    aws = aws_services(settings)
    services = VoiceServices(stt=aws.stt, llm=aws.llm, tts=aws.tts)

    async def escalate(_reason: str) -> None:
        return None

    call = build_call_pipeline(
        transport=_Transport(),
        services=services,
        rubric=rubric,
        call_id="call-0123456789ab",
        escalate=escalate,
        policy=SopPolicy.load(rubric),
    )
    order = [type(p).__name__ for p in _flatten(call.task._pipeline)]
    llm = order.index("AWSBedrockLLMService")
    assert order[llm + 1 : llm + 4] == ["ThinkingFilter", "PolicyFallback", "AWSPollyTTSService"]
