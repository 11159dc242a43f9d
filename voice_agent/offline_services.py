"""Voice services with no cloud: faster-whisper STT, espeak-ng TTS, the SOP policy as the LLM.

The same `build_call_pipeline` runs with them, so an offline call exercises every processor a
production call does. The speech model is the QA engine's bundled tiny.en (no hub download),
loaded once per process and shared by every call.
"""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import threading
import wave
from collections.abc import AsyncGenerator

from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.frames.frames import ErrorFrame, Frame, TranscriptionFrame, TTSAudioRawFrame
from pipecat.services.settings import LLMSettings, TTSSettings
from pipecat.services.tts_service import TTSService
from pipecat.services.whisper.stt import WhisperSTTService
from pipecat.transcriptions.language import Language
from pipecat.turns.user_stop.speech_timeout_user_turn_stop_strategy import (
    SpeechTimeoutUserTurnStopStrategy,
)
from pipecat.turns.user_turn_strategies import UserTurnStrategies

from autoqa.transcriber import DOMAIN_HOTWORDS, bundled_model_path
from voice_agent.pipeline import VoiceServices
from voice_agent.policy import SopPolicy
from voice_agent.policy_llm import PolicyLLMService

_DEVANAGARI = re.compile(r"[\u0900-\u097F]")
_models: dict[str, object] = {}
_models_lock = threading.Lock()


class OfflineServiceError(RuntimeError):
    """An offline voice service cannot run here; the message says what to install."""


def shared_whisper_model(path: str):
    """One WhisperModel per process: calls share it (CTranslate2 serves concurrent calls)."""
    from faster_whisper import WhisperModel

    with _models_lock:
        if path not in _models:
            _models[path] = WhisperModel(path, device="cpu", compute_type="int8", num_workers=2)
        return _models[path]


class GreedyWhisper:
    """The shared model, decoding greedily: deterministic, and fast enough for a live turn.

    Pipecat's defaults (beam search, temperature fallback) re-decode hard stretches of
    synthetic speech several times over; on a call that is seconds of silence for the caller.
    """

    def __init__(self, model) -> None:
        self._model = model
        self.supported_languages = getattr(model, "supported_languages", None)

    def transcribe(self, audio, **kwargs):
        return self._model.transcribe(
            audio,
            beam_size=1,
            temperature=0.0,
            condition_on_previous_text=False,
            without_timestamps=True,
            **kwargs,
        )


class LocalWhisperSTTService(WhisperSTTService):
    """Pipecat's faster-whisper STT on the bundled model, loaded once for all calls."""

    def __init__(self, model_path: str | None = None, **kwargs) -> None:
        self._model_path = model_path or bundled_model_path()
        super().__init__(
            device="cpu",
            compute_type="int8",
            settings=WhisperSTTService.Settings(
                model=self._model_path,
                language=Language.EN,
                hotwords=DOMAIN_HOTWORDS,
            ),
            **kwargs,
        )

    def _load(self) -> None:
        self._model = GreedyWhisper(shared_whisper_model(self._model_path))

    async def run_stt(self, audio: bytes) -> AsyncGenerator[Frame, None]:
        async for frame in super().run_stt(audio):
            if isinstance(frame, TranscriptionFrame):
                frame.text = end_sentence(frame.text)
            yield frame


def end_sentence(text: str) -> str:
    """A segment ends where the caller paused: that is a sentence end, so mark it.

    The user aggregator joins a turn's segments with spaces; unmarked, "I am not happy" and
    "I want your manager" would read as one clause, and "not" would negate the request.
    """
    text = text.strip()
    return text if not text or text[-1] in ".?!।" else f"{text}."


# How espeak-ng should spell a word to say it right (a TTS lexicon, as Polly's lexicons are).
PRONUNCIATIONS = {"Asha": "Aasha"}


class EspeakTTSService(TTSService):
    """Text to speech with espeak-ng (Debian's `espeak-ng`): English, or Hindi for Devanagari."""

    def __init__(self, *, voice: str = "en-us+f2", hindi_voice: str = "hi", rate: int = 150, **kw):
        super().__init__(
            push_start_frame=True,
            push_stop_frames=True,
            settings=TTSSettings(model="espeak-ng", voice=voice, language="en"),
            **kw,
        )
        if shutil.which("espeak-ng") is None:
            raise OfflineServiceError(
                "espeak-ng is not installed: apt-get install espeak-ng (offline voice)"
            )
        self._voice = voice
        self._hindi_voice = hindi_voice
        self._rate = rate

    def can_generate_metrics(self) -> bool:
        return True

    async def run_tts(self, text: str, context_id: str) -> AsyncGenerator[Frame | None, None]:
        voice = self._hindi_voice if _DEVANAGARI.search(text) else self._voice
        for word, spoken in PRONUNCIATIONS.items():
            text = re.sub(rf"\b{word}\b", spoken, text)
        process = await asyncio.create_subprocess_exec(
            "espeak-ng", "-v", voice, "-s", str(self._rate), "--stdout", text,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        wav, err = await process.communicate()
        if process.returncode != 0 or not wav:
            yield ErrorFrame(error=f"espeak-ng failed: {err.decode(errors='replace').strip()}")
            return
        with wave.open(io.BytesIO(wav)) as w:
            rate, pcm = w.getframerate(), w.readframes(w.getnframes())
        pcm = await self._resampler.resample(pcm, rate, self.sample_rate)
        await self.start_tts_usage_metrics(text)
        await self.stop_ttfb_metrics()
        for i in range(0, len(pcm), self.chunk_size):
            yield TTSAudioRawFrame(pcm[i : i + self.chunk_size], self.sample_rate, 1, context_id)


def policy_llm(policy: SopPolicy) -> PolicyLLMService:
    settings = LLMSettings(
        model="sop-policy",
        system_instruction=None,
        temperature=None,
        max_tokens=None,
        top_p=None,
        top_k=None,
        frequency_penalty=None,
        presence_penalty=None,
        seed=None,
        filter_incomplete_user_turns=False,
        user_turn_completion_config=None,
    )
    return PolicyLLMService(policy, settings=settings)


# The caller's turn ends 0.4 s into a pause (VAD), plus 0.2 s in which they may go on: the
# pause between two spoken sentences (about 0.35 s) does not cut a turn in two, and the answer
# still starts well within a second. Pipecat's default smart-turn model judges synthetic
# voices' sentences incomplete and waits seconds.
VAD_STOP_SECS = 0.4
USER_SPEECH_TIMEOUT = 0.2


def offline_services(policy: SopPolicy, model_path: str | None = None) -> VoiceServices:
    return VoiceServices(
        stt=LocalWhisperSTTService(model_path),
        llm=policy_llm(policy),
        tts=EspeakTTSService(),
        vad=SileroVADAnalyzer(params=VADParams(stop_secs=VAD_STOP_SECS)),
        turn_strategies=UserTurnStrategies(
            stop=[SpeechTimeoutUserTurnStopStrategy(user_speech_timeout=USER_SPEECH_TIMEOUT)]
        ),
    )
