"""Voice services with no cloud: faster-whisper STT, espeak-ng TTS, the SOP policy as the LLM.

The same `build_call_pipeline` runs with them, so an offline call exercises every processor a
production call does. The speech model is the QA engine's bundled tiny.en (no hub download),
loaded once per process and shared by every call.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import shutil
import subprocess
import threading
import wave
from collections.abc import AsyncGenerator
from dataclasses import dataclass

import numpy as np
from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADParams, VADState
from pipecat.frames.frames import ErrorFrame, Frame, TranscriptionFrame, TTSAudioRawFrame
from pipecat.services.settings import LLMSettings, TTSSettings
from pipecat.services.tts_service import TTSService
from pipecat.services.whisper.stt import WhisperSTTService
from pipecat.transcriptions.language import Language
from pipecat.turns.user_stop.speech_timeout_user_turn_stop_strategy import (
    SpeechTimeoutUserTurnStopStrategy,
)
from pipecat.turns.user_turn_strategies import UserTurnStrategies

from speech import DOMAIN_HOTWORDS, bundled_model_path
from voice_agent.pipeline import VoiceServices
from voice_agent.policy import SopPolicy
from voice_agent.policy_llm import PolicyLLMService
from voice_agent.smallwebrtc_audio import install as keep_webrtc_audio_in_real_time

_DEVANAGARI = re.compile(r"[\u0900-\u097F]")
_models: dict[str, object] = {}
_models_lock = threading.Lock()


class OfflineServiceError(RuntimeError):
    """An offline voice service cannot run here; the message says what to install."""


# Whisper pads every turn to a 30 s window, so a turn costs the same ~0.45 CPU-seconds however
# short (tiny.en, int8), and more threads per transcription buy little. CTranslate2 runs each
# transcription on `cpu_threads` threads and `num_workers` transcriptions at once: more
# runnable threads than cores would take CPU from the event loop that carries every call's
# audio. One thread per transcription, as many at once as there are cores (at most 4).
WHISPER_WORKERS = max(1, min(4, os.cpu_count() or 1))


# Short encoder windows for a live turn (mel frames, 10 ms each): see `GreedyWhisper`.
FULL_WINDOW_FRAMES = 3000
WINDOW_STEP_FRAMES = 1000
WINDOW_MARGIN_FRAMES = 100


@dataclass(frozen=True)
class HeardSegment:
    """What Pipecat's Whisper service reads of a faster-whisper segment."""

    text: str
    no_speech_prob: float


def shared_whisper_model(path: str):
    """One WhisperModel per process: calls share it (CTranslate2 serves concurrent calls)."""
    from faster_whisper import WhisperModel

    with _models_lock:
        if path not in _models:
            _models[path] = WhisperModel(
                path,
                device="cpu",
                compute_type="int8",
                cpu_threads=1,
                num_workers=WHISPER_WORKERS,
            )
        return _models[path]


def warm_up(model_path: str | None = None) -> None:
    """Loads the shared speech model and runs it once, so the first call does not wait for it.

    Loading takes a second or more, and on a fresh bot the first calls' set-ups all wait for
    it (each holding a thread of the event loop's default pool while they do).
    """
    model = GreedyWhisper(shared_whisper_model(model_path or bundled_model_path()))
    segments, _ = model.transcribe(np.zeros(16000, dtype=np.float32), language="en")
    list(segments)


class GreedyWhisper:
    """The shared model, decoding greedily over a window cut to the turn's length.

    Whisper's encoder is trained on 30 s windows and faster-whisper pads every turn to one, so
    a two-second turn costs as much as thirty: 0.53 s on one core (tiny.en, int8), most of a
    turn's latency. CTranslate2's encoder takes a shorter window (as whisper.cpp's `audio_ctx`
    does): the turn plus `WINDOW_MARGIN_FRAMES` of silence, rounded up to `WINDOW_STEP_FRAMES`
    (10 s for most turns). `make bench-stt` measures both ways over 150 spoken lines: a quarter
    of the time per turn and no more word errors. A turn too long for a short window is
    transcribed the usual way. Decoding is greedy with no temperature fallback: deterministic,
    and Pipecat's defaults (beam search, fallback) re-decode hard stretches of synthetic
    speech several times over, which on a call is seconds of silence for the caller.
    """

    def __init__(self, model, *, short_window: bool = True) -> None:
        self._model = model
        self._short_window = short_window
        self.supported_languages = getattr(model, "supported_languages", None)

    def transcribe(self, audio, *, language=None, hotwords=None, initial_prompt=None, **kwargs):
        features = self._model.feature_extractor(audio)
        frames = features.shape[-1]
        window = -(-(frames + WINDOW_MARGIN_FRAMES) // WINDOW_STEP_FRAMES) * WINDOW_STEP_FRAMES
        if not self._short_window or window >= FULL_WINDOW_FRAMES:
            return self._model.transcribe(
                audio,
                language=language,
                hotwords=hotwords,
                initial_prompt=initial_prompt,
                beam_size=1,
                temperature=0.0,
                condition_on_previous_text=False,
                without_timestamps=True,
                **kwargs,
            )
        return [self._decode(features, window, language, hotwords, initial_prompt)], None

    def _decode(self, features, window, language, hotwords, initial_prompt) -> HeardSegment:
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        model = self._model
        padded = np.pad(features, ((0, 0), (0, window - features.shape[-1])))
        encoded = model.encode(padded)
        tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe",
            language=str(language or "en"),
        )  # fmt: skip
        previous = tokenizer.encode(" " + initial_prompt.strip()) if initial_prompt else []
        prompt = model.get_prompt(tokenizer, previous, without_timestamps=True, hotwords=hotwords)
        # A turn says at most about 6 tokens a second: more is a decoding loop, cut short.
        longest = len(prompt) + 16 + 6 * features.shape[-1] // 100
        result = model.model.generate(
            encoded,
            [prompt],
            beam_size=1,
            max_length=min(longest, model.max_length),
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
        )[0]
        text = tokenizer.decode(result.sequences_ids[0]).strip()
        return HeardSegment(text=f" {text}" if text else "", no_speech_prob=result.no_speech_prob)


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
        # Not asyncio.create_subprocess_exec: on uvloop (uvicorn's loop) that forks the whole
        # process, and fork runs numpy's OpenBLAS atfork handler, which deadlocks when a
        # speech-recognition thread is multiplying matrices at that moment: the event loop
        # stops inside fork holding the GIL, and every call on the bot goes silent for good
        # (scripts/repro_uvloop_fork_openblas.py). `subprocess` in a worker thread uses vfork,
        # which runs no atfork handlers, and keeps the loop free while espeak-ng speaks.
        done = await asyncio.to_thread(
            subprocess.run,
            ["espeak-ng", "-v", voice, "-s", str(self._rate), "--stdout", text],
            capture_output=True,
        )
        wav, err = done.stdout, done.stderr
        if done.returncode != 0 or not wav:
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


class InlineSileroVAD(SileroVADAnalyzer):
    """Silero VAD run on the event loop instead of a thread of its own.

    Pipecat sends every 20 ms of the caller's audio to the analyzer's thread and waits for the
    answer: at least two turns of the event loop per frame, one frame after another. With a
    few calls sharing the loop a turn takes over 10 ms, the analysis falls behind real time
    and the bot hears the end of every turn later and later. The model itself takes about
    0.3 ms per frame, so the loop loses far less by running it.
    """

    async def analyze_audio(self, buffer: bytes) -> VADState:
        return self._run_analyzer(buffer)


def offline_services(policy: SopPolicy, model_path: str | None = None) -> VoiceServices:
    """The offline service set for one call of the local bot (SmallWebRTC).

    Also puts the WebRTC audio workarounds in place (once per process; see
    `voice_agent.smallwebrtc_audio`): offline services are what a bot serving several
    simulated calls at once runs on.
    """
    keep_webrtc_audio_in_real_time()
    return VoiceServices(
        stt=LocalWhisperSTTService(model_path),
        llm=policy_llm(policy),
        tts=EspeakTTSService(),
        vad=InlineSileroVAD(params=VADParams(stop_secs=VAD_STOP_SECS)),
        turn_strategies=UserTurnStrategies(
            stop=[SpeechTimeoutUserTurnStopStrategy(user_speech_timeout=USER_SPEECH_TIMEOUT)]
        ),
    )
