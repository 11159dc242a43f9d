"""One pipeline builder for every transport: LiveKit in production, SmallWebRTC locally.

transport.input -> handoff gate -> STT -> call limits -> user context -> escalation watcher
    -> LLM -> thinking filter [-> policy fallback] -> TTS -> transport.output [-> recorder]
    -> assistant context

With a policy given and a real LLM, the policy answers whenever the LLM fails or is too slow;
with the policy as the LLM (offline), there is nothing to fall back from.

The caller reaches the bot by voice only: Pipecat's RTVI handler, which would turn a data
message into a turn (or end the bot), is off, and the caller's token cannot send data. What
the bot acts on is what the recording holds, so QA sees all of it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pipecat.adapters.llm.schemas.function_schema import FunctionSchema
from pipecat.adapters.llm.schemas.tools_schema import ToolsSchema
from pipecat.frames.frames import OutputTransportMessageUrgentFrame, TTSSpeakFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.task import PipelineParams, PipelineTask
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import (
    LLMContextAggregatorPair,
    LLMUserAggregatorParams,
)
from pipecat.processors.frame_processor import FrameProcessor
from pipecat.services.llm_service import FunctionCallParams

from contracts import health_metrics, voice_line
from qa_engine.rubric import Rubric
from voice_agent import instructions
from voice_agent.call_limits import MAX_LENGTH, NOT_JOINED, SILENCE, CallLimits, Limits
from voice_agent.escalation import EscalationDetector, escalation_message
from voice_agent.instructions import ESCALATION_NOTICE, GREETING, system_prompt
from voice_agent.policy import Language, SopPolicy
from voice_agent.policy_llm import CallMetadata, PolicyFallback, PolicyLLMService
from voice_agent.processors import (
    EscalationState,
    EscalationWatcher,
    HandoffGate,
    ThinkingFilter,
    last_user_text,
)

ESCALATION_TOOL = "request_human_supervisor"
HANDOFF_LINE = "A supervisor has joined the call and will help you from here."
HANDBACK_LINE = "The supervisor has left the call. I am still here; how else can I help you?"
OnEvent = Callable[..., None]  # (metric name, reason=None): counted for CloudWatch


@dataclass
class VoiceServices:
    stt: Any
    llm: Any
    tts: Any
    vad: Any | None = None
    turn_strategies: Any | None = None  # Pipecat's default (a smart-turn model) when None


@dataclass
class CallPipeline:
    task: PipelineTask
    context: LLMContext
    gate: HandoffGate
    escalation: EscalationState
    metadata: CallMetadata | None = None
    limits: CallLimits | None = None

    def finished_metadata(self) -> dict[str, Any] | None:
        if self.metadata is None:
            return None
        self.metadata.escalated = self.escalation.escalated
        finished = self.metadata.as_dict()
        finished["escalation_failures"] = self.escalation.failures
        finished[voice_line.ENDED_BY_LIMIT] = self.limits.reached if self.limits else None
        return finished

    async def greet(self) -> None:
        """The first thing a caller hears: the greeting script of SOP S1."""
        if self.limits is not None:
            self.limits.caller_joined()
        self.context.add_message({"role": "assistant", "content": GREETING})
        await self.task.queue_frames([TTSSpeakFrame(GREETING, append_to_context=False)])

    async def human_joined(self) -> None:
        await self.task.queue_frames([TTSSpeakFrame(HANDOFF_LINE)])
        self.gate.human_joined()
        if self.limits is not None:
            self.limits.handed_over()

    async def human_left(self) -> None:
        """The supervisor hung up and the caller is still here: the bot takes the call back,
        and a new request for a supervisor sends a new alert."""
        self.gate.human_left()
        self.escalation.supervisor_left()
        if self.limits is not None:
            self.limits.handed_back()
        await self.task.queue_frames([TTSSpeakFrame(HANDBACK_LINE)])


def build_call_pipeline(
    *,
    transport: Any,
    services: VoiceServices,
    rubric: Rubric,
    call_id: str,
    escalate: Callable[[str], Awaitable[None]],
    policy: SopPolicy | None = None,
    llm_name: str = "llm",
    recorder: FrameProcessor | None = None,
    fallback_timeout_secs: float = 4.0,
    limits: Limits | None = None,
    support_phone: str | None = None,
    on_event: OnEvent = lambda _name, reason=None: None,
) -> CallPipeline:
    state = EscalationState(call_id, escalate)
    tools = ToolsSchema(
        standard_tools=[
            FunctionSchema(
                name=ESCALATION_TOOL,
                description="Connect the caller to a human supervisor when they ask for one.",
                properties={"reason": {"type": "string", "description": "what the caller said"}},
                required=["reason"],
            )
        ]
    )
    context = LLMContext(
        messages=[{"role": "system", "content": system_prompt(rubric)}], tools=tools
    )
    aggregators = LLMContextAggregatorPair(
        context,
        user_params=LLMUserAggregatorParams(
            vad_analyzer=services.vad,
            **(
                {"user_turn_strategies": services.turn_strategies}
                if services.turn_strategies
                else {}
            ),
        ),
    )

    def language(said: str) -> Language:
        return policy.language(said) if policy is not None and said else "en"

    def unreachable(said: str) -> str:
        return instructions.supervisor_unreachable(support_phone, language(said))

    async def on_tool_call(params: FunctionCallParams) -> None:
        reason = str(params.arguments.get("reason", "asked for a supervisor"))
        announced = state.escalated
        if await state.request(reason):
            if not announced:
                await params.llm.push_frame(
                    OutputTransportMessageUrgentFrame(message=escalation_message(call_id))
                )
            result = {"status": "supervisor alerted", "say": ESCALATION_NOTICE}
        else:
            result = {"status": "no supervisor could be reached", "say": unreachable(reason)}
        await params.result_callback(result)

    services.llm.register_function(ESCALATION_TOOL, on_tool_call)
    gate = HandoffGate()
    watcher = EscalationWatcher(EscalationDetector(rubric), state, unreachable)

    def goodbye(reason: str) -> str | None:
        if reason == NOT_JOINED or (reason == MAX_LENGTH and gate.stepped_back):
            return None  # nobody to say it to, or the humans are talking
        key = "silence_goodbye" if reason == SILENCE else "time_limit_goodbye"
        said = last_user_text(context.get_messages())
        if policy is not None:
            return policy.say(key, language(said))
        return (
            instructions.SILENCE_GOODBYE if reason == SILENCE else instructions.TIME_LIMIT_GOODBYE
        )

    def limit_reached(reason: str) -> None:
        if reason == NOT_JOINED:
            on_event(health_metrics.CALLS_NOT_JOINED)
        else:
            on_event(health_metrics.CALLS_ENDED_BY_LIMIT, reason)

    call_limits = CallLimits(limits or Limits(), goodbye, limit_reached)
    state.on_change.append(call_limits.waiting_for_human)
    offline = isinstance(services.llm, PolicyLLMService)
    metadata = CallMetadata(call_id, "policy" if offline else llm_name)
    fallback = (
        [PolicyFallback(policy, context, metadata, timeout_secs=fallback_timeout_secs)]
        if policy is not None and not offline
        else []
    )
    pipeline = Pipeline(
        [
            transport.input(),
            gate,
            services.stt,
            call_limits,
            aggregators.user(),
            watcher,
            services.llm,
            ThinkingFilter(),  # a model's <thinking> notes are never spoken
            *fallback,
            services.tts,
            transport.output(),
            *([recorder] if recorder is not None else []),
            aggregators.assistant(),
        ]
    )
    task = PipelineTask(
        pipeline,
        params=PipelineParams(enable_metrics=True),
        enable_rtvi=False,  # no data message from the caller steers or ends the bot
        idle_timeout_secs=None,  # the call limits end silent calls, with a goodbye
    )
    return CallPipeline(
        task=task,
        context=context,
        gate=gate,
        escalation=state,
        metadata=metadata,
        limits=call_limits,
    )
