"""The judge on Amazon Nova: greedy decoding asked for, and Nova's answers read as Nova writes them.

Nova answers Converse with the same forced tool call as Claude, but it may write its reasoning as
a `<thinking>` text block before or between tool calls, make more than one call, and report
prompt-cache counts in `usage`. The responses below are Converse's own shapes for Nova.
"""

from __future__ import annotations

import copy
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from contracts.bedrock_models import NOVA_MODEL_ID
from qa_aws.bedrock_judge import BedrockJudge, JudgeUnavailable
from qa_engine.llm_judge import TOOL_NAME
from tests.aws_lambda.bedrock_stub import expect_converse, sop, tool_use_response
from tests.aws_lambda.conftest import MODEL_ID, REGION
from tests.aws_lambda.test_qa_pipeline_e2e import SMOKE_ANSWER, SMOKE_CALL
from tests.conftest import transcribe_json

GREEDY = {"inferenceConfig": {"topK": 1}}
THINKING = (
    "<thinking>The customer reports smoke from the battery box, so S4 applies. The agent asks "
    "for the station and says the station will be informed, but never tells the customer to "
    "stop using the battery or keep away from it. I will record S4 as violated.</thinking>"
)
INCOMPLETE = {"sop_answers": [sop("S1", True, True)], "summary": "incomplete"}


def nova_response(*blocks: dict[str, Any], stop_reason: str = "tool_use") -> dict:
    return {
        "output": {"message": {"role": "assistant", "content": list(blocks)}},
        "stopReason": stop_reason,
        "usage": {
            "inputTokens": 2213,
            "outputTokens": 587,
            "totalTokens": 2800,
            "cacheReadInputTokens": 0,
            "cacheWriteInputTokens": 0,
        },
        "metrics": {"latencyMs": 1874},
    }


def tool_use(tool_input: dict, tool_use_id: str = "tooluse_20Z9zl0BQWSXjFuLKdTJcA") -> dict:
    return {"toolUse": {"toolUseId": tool_use_id, "name": TOOL_NAME, "input": tool_input}}


def expect_nova(stubber: Stubber, response: dict) -> None:
    stubber.add_response(
        "converse",
        response,
        {
            "modelId": NOVA_MODEL_ID,
            "system": ANY,
            "messages": ANY,
            "inferenceConfig": {"temperature": 0.0, "maxTokens": ANY},
            "toolConfig": ANY,
            "additionalModelRequestFields": GREEDY,
        },
    )


@pytest.fixture
def client():
    return boto3.client(
        "bedrock-runtime",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def sent(client) -> list[dict]:
    """Each Converse request as it was sent (copied: the judge reuses its message list)."""
    requests: list[dict] = []
    client.meta.events.register(
        "provide-client-params.bedrock-runtime.Converse",
        lambda params, **_: requests.append(copy.deepcopy(params)),
    )
    return requests


@pytest.fixture
def conversation(scorer):
    return scorer.parse(transcribe_json(SMOKE_CALL))


def judge_with(rubric, client, model_id: str = NOVA_MODEL_ID) -> BedrockJudge:
    return BedrockJudge(rubric, client, model_id, remaining_seconds=lambda: 300.0)


def violated(verdict) -> list[str]:
    return [c.sop_id for c in verdict.sop_checks if c.violated]


def test_nova_forced_tool_call_gives_the_verdict_with_greedy_decoding(
    rubric, client, sent, conversation
):
    judge = judge_with(rubric, client)
    with Stubber(client) as stubber:
        expect_nova(stubber, nova_response(tool_use(SMOKE_ANSWER)))
        verdict = judge.judge(conversation)
        stubber.assert_no_pending_responses()

    assert violated(verdict) == ["S4"]
    assert verdict.summary == SMOKE_ANSWER["summary"]
    s4 = next(c for c in verdict.sop_checks if c.sop_id == "S4")
    assert s4.evidence[0].quote == "There is smoke coming out of the battery box."
    (request,) = sent
    assert request["modelId"] == "apac.amazon.nova-lite-v1:0"
    assert request["additionalModelRequestFields"] == {"inferenceConfig": {"topK": 1}}
    assert request["toolConfig"]["toolChoice"] == {"tool": {"name": TOOL_NAME}}
    assert request["inferenceConfig"]["temperature"] == 0.0
    # Nova's usage, prompt-cache counts included, is tallied as input and output tokens.
    assert (judge.usage.calls, judge.usage.input_tokens, judge.usage.output_tokens) == (
        1,
        2213,
        587,
    )


def test_thinking_text_before_the_tool_call_is_ignored(rubric, client, sent, conversation):
    judge = judge_with(rubric, client)
    with Stubber(client) as stubber:
        expect_nova(stubber, nova_response({"text": THINKING}, tool_use(SMOKE_ANSWER)))
        verdict = judge.judge(conversation)
        stubber.assert_no_pending_responses()
    assert violated(verdict) == ["S4"]
    assert len(sent) == 1  # no repair turn
    assert "thinking" not in verdict.summary


def test_the_first_valid_call_among_several_is_taken(rubric, client, sent, conversation):
    judge = judge_with(rubric, client)
    response = nova_response(
        {"text": "<thinking>A first draft of the verdict.</thinking>"},
        tool_use(INCOMPLETE, "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q"),
        {"text": "<thinking>S2 to S6 are missing; a complete answer.</thinking>"},
        tool_use(SMOKE_ANSWER, "tooluse_20Z9zl0BQWSXjFuLKdTJcA"),
    )
    with Stubber(client) as stubber:
        expect_nova(stubber, response)
        verdict = judge.judge(conversation)
        stubber.assert_no_pending_responses()
    assert violated(verdict) == ["S4"]
    assert len(sent) == 1


def test_text_without_a_tool_call_gets_the_repair_turn_then_the_answer(
    rubric, client, sent, conversation
):
    judge = judge_with(rubric, client)
    text_only = nova_response({"text": THINKING}, stop_reason="end_turn")
    with Stubber(client) as stubber:
        expect_nova(stubber, text_only)
        expect_nova(
            stubber, nova_response(tool_use(SMOKE_ANSWER, "tooluse_x3Ya0KbPTQ2pfPd1C3FHmw"))
        )
        verdict = judge.judge(conversation)
        stubber.assert_no_pending_responses()

    assert violated(verdict) == ["S4"]
    first, repair = sent
    assert len(first["messages"]) == 1
    prompt, answer, instruction = repair["messages"]
    assert prompt == first["messages"][0]
    assert answer == {"role": "assistant", "content": [{"text": THINKING}]}
    assert instruction == {
        "role": "user",
        "content": [
            {
                "text": f"the answer did not call the tool. Call {TOOL_NAME} again with a "
                "corrected, complete answer."
            }
        ],
    }
    assert repair["additionalModelRequestFields"] == GREEDY
    assert judge.usage.calls == 2 and judge.usage.input_tokens == 2 * 2213


def test_text_twice_without_a_tool_call_leaves_the_judge_unavailable(rubric, client, conversation):
    judge = judge_with(rubric, client)
    with Stubber(client) as stubber:
        expect_nova(stubber, nova_response({"text": THINKING}, stop_reason="end_turn"))
        expect_nova(
            stubber, nova_response({"text": "I cannot judge this."}, stop_reason="end_turn")
        )
        with pytest.raises(JudgeUnavailable, match="did not call the tool"):
            judge.judge(conversation)
        stubber.assert_no_pending_responses()


def test_a_repair_answers_every_tool_call_and_leaves_blank_text_out(
    rubric, client, sent, conversation
):
    judge = judge_with(rubric, client)
    ids = ("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "tooluse_20Z9zl0BQWSXjFuLKdTJcA")
    first = nova_response(
        {"text": "\n"},
        tool_use(INCOMPLETE, ids[0]),
        tool_use({"summary": 3}, ids[1]),
    )
    with Stubber(client) as stubber:
        expect_nova(stubber, first)
        expect_nova(
            stubber, nova_response(tool_use(SMOKE_ANSWER, "tooluse_x3Ya0KbPTQ2pfPd1C3FHmw"))
        )
        verdict = judge.judge(conversation)
        stubber.assert_no_pending_responses()

    assert violated(verdict) == ["S4"]
    _, answer, results = sent[1]["messages"]
    assert answer["content"] == first["output"]["message"]["content"][1:]  # no blank text
    assert [r["toolResult"]["toolUseId"] for r in results["content"]] == list(ids)
    assert all(r["toolResult"]["status"] == "error" for r in results["content"])
    # The first call's problem is the one reported: too few answers, not a missing list.
    (text,) = {r["toolResult"]["content"][0]["text"] for r in results["content"]}
    assert text.startswith("the tool input is invalid: [{'type': 'too_short'")


def test_claude_requests_carry_no_nova_fields(rubric, client, sent, conversation):
    judge = judge_with(rubric, client, MODEL_ID)
    with Stubber(client) as stubber:
        # The expected parameters are exact: an extra field would fail the call.
        expect_converse(stubber, tool_use_response(SMOKE_ANSWER), MODEL_ID)
        verdict = judge.judge(conversation)
        stubber.assert_no_pending_responses()
    assert violated(verdict) == ["S4"]
    (request,) = sent
    assert request["modelId"] == "apac.anthropic.claude-haiku-4-5-20251001-v1:0"
    assert "additionalModelRequestFields" not in request
    assert set(request) == {"modelId", "system", "messages", "inferenceConfig", "toolConfig"}
