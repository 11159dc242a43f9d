"""Real Converse response shapes for botocore's Stubber."""

from __future__ import annotations

from typing import Any

from botocore.stub import ANY, Stubber

from qa_engine.llm_judge import TOOL_NAME


def tool_use_response(tool_input: dict[str, Any], tool_use_id: str = "tooluse_8GwM2") -> dict:
    return {
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {"toolUse": {"toolUseId": tool_use_id, "name": TOOL_NAME, "input": tool_input}}
                ],
            }
        },
        "stopReason": "tool_use",
        "usage": {"inputTokens": 1850, "outputTokens": 410, "totalTokens": 2260},
        "metrics": {"latencyMs": 1320},
    }


def expect_converse(stubber: Stubber, response: dict, model_id: str) -> None:
    stubber.add_response(
        "converse",
        response,
        {
            "modelId": model_id,
            "system": ANY,
            "messages": ANY,
            "inferenceConfig": {"temperature": 0.0, "maxTokens": ANY},
            "toolConfig": ANY,
        },
    )


def throttle(stubber: Stubber, times: int = 1) -> None:
    for _ in range(times):
        stubber.add_client_error(
            "converse",
            service_error_code="ThrottlingException",
            service_message="Too many requests, please wait before trying again.",
            http_status_code=429,
        )


def sop(sop_id: str, triggered: bool, followed: bool, evidence=(), note: str = "") -> dict:
    return {
        "sop_id": sop_id,
        "triggered": triggered,
        "followed": followed,
        "evidence": [{"turn_index": i, "quote": q} for i, q in evidence],
        "note": note or f"{sop_id} judged.",
    }
