"""The policy as the LLM (offline) and as the LLM's fallback (production), frames in and out."""

from __future__ import annotations

import pytest
from pipecat.frames.frames import (
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMServiceMetadataFrame,
    LLMTextFrame,
)
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.tests.utils import SleepFrame, run_test

from voice_agent.offline_services import end_sentence, policy_llm
from voice_agent.policy import SopPolicy
from voice_agent.policy_llm import CallMetadata, PolicyFallback


@pytest.fixture
def policy(rubric) -> SopPolicy:
    return SopPolicy.load(rubric)


def context_after(caller: str) -> LLMContext:
    return LLMContext(
        messages=[
            {"role": "system", "content": "instructions"},
            {"role": "assistant", "content": "Thank you for calling Battery Smart."},
            {"role": "user", "content": caller},
        ]
    )


def fallback(policy, caller: str, timeout: float = 1.0):
    metadata = CallMetadata("call-0123456789ab", "bedrock:apac.anthropic.claude-haiku-4-5")
    return PolicyFallback(policy, context_after(caller), metadata, timeout_secs=timeout), metadata


def texts(frames) -> list[str]:
    return [f.text for f in frames if isinstance(f, LLMTextFrame)]


async def test_offline_the_policy_answers_each_turn_like_an_llm(policy):
    down, _ = await run_test(
        policy_llm(policy),
        frames_to_send=[LLMContextFrame(context=context_after("There is smoke from my battery"))],
        expected_down_frames=[
            LLMServiceMetadataFrame,
            LLMFullResponseStartFrame,
            LLMTextFrame,
            LLMFullResponseEndFrame,
        ],
    )
    assert "stop using the battery" in texts(down)[0]


async def test_an_llm_that_answers_is_passed_through_untouched(policy):
    processor, metadata = fallback(policy, "When do stations open?")
    down, _ = await run_test(
        processor,
        frames_to_send=[
            LLMFullResponseStartFrame(),
            LLMTextFrame("Stations open at six."),
            LLMFullResponseEndFrame(),
        ],
        expected_down_frames=[LLMFullResponseStartFrame, LLMTextFrame, LLMFullResponseEndFrame],
    )
    assert texts(down) == ["Stations open at six."]
    assert metadata.fallback_turns == 0 and not metadata.llm_fallback


async def test_an_llm_error_is_answered_by_the_policy_and_recorded(policy):
    # Pipecat's Bedrock service reports an error upstream and closes an empty response.
    processor, metadata = fallback(policy, "My battery is swollen")
    down, _ = await run_test(
        processor,
        frames_to_send=[LLMFullResponseStartFrame(), LLMFullResponseEndFrame()],
        expected_down_frames=[LLMFullResponseStartFrame, LLMTextFrame, LLMFullResponseEndFrame],
    )
    assert "photo of the battery" in texts(down)[0]
    assert metadata.llm_fallback and metadata.fallback_reasons == [
        "the LLM answered nothing (error)"
    ]
    assert metadata.as_dict()["llm_fallback"] is True


async def test_a_slow_llm_is_covered_at_the_deadline_and_its_late_answer_dropped(policy):
    processor, metadata = fallback(policy, "Where is my refund?", timeout=0.2)
    down, _ = await run_test(
        processor,
        frames_to_send=[
            LLMFullResponseStartFrame(),
            SleepFrame(sleep=0.5),
            LLMTextFrame("(too late)"),
            LLMFullResponseEndFrame(),
        ],
        expected_down_frames=[LLMFullResponseStartFrame, LLMTextFrame, LLMFullResponseEndFrame],
    )
    assert texts(down) == [policy.say("ask_id")]
    assert metadata.fallback_turns == 1 and "within 0.2 s" in metadata.fallback_reasons[0]


async def test_a_fallback_after_the_number_notes_it_and_claims_nothing(policy):
    context = LLMContext(
        messages=[
            {"role": "system", "content": "instructions"},
            {"role": "assistant", "content": policy.say("greeting")},
            {"role": "user", "content": "Where is my refund for the failed swap?"},
            {"role": "assistant", "content": policy.say("ask_id")},
            {"role": "user", "content": "My number is 98765 43210."},
        ]
    )
    metadata = CallMetadata("call-0123456789ab", "bedrock:apac.anthropic.claude-haiku-4-5")
    processor = PolicyFallback(policy, context, metadata, timeout_secs=1.0)
    down, _ = await run_test(
        processor,
        frames_to_send=[LLMFullResponseStartFrame(), LLMFullResponseEndFrame()],
        expected_down_frames=[LLMFullResponseStartFrame, LLMTextFrame, LLMFullResponseEndFrame],
    )
    assert texts(down) == [f"{policy.say('noted_account')} {policy.say('anything_else')}"]
    assert "verified" not in texts(down)[0] and "refund" not in texts(down)[0].lower()


@pytest.mark.parametrize(
    ("segment", "marked"),
    [(" I am not happy ", "I am not happy."), ("Is it open?", "Is it open?"), ("", "")],
)
def test_a_pause_ends_a_sentence_so_a_turn_keeps_its_clauses_apart(segment, marked):
    assert end_sentence(segment) == marked
