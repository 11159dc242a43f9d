"""Keeps the local bot's audio in real time, both ways, when it serves several calls at once.

Three upstream shortcomings in the WebRTC audio path of the local bot (aiortc 1.16 under
Pipecat 1.14's SmallWebRTC transport) each make every 10 or 20 ms of audio wait for turns of
the event loop, one frame after another. Every call shares that loop: once a turn takes more
than a few milliseconds (a few calls on two cores), every call's audio falls behind real time
at once, by the same factor for every caller, and falls further behind the longer it goes on.

1. aiortc's `RTCRtpSender` encodes each outgoing audio frame in the loop's default thread pool
   and waits for it (a `run_in_executor` round trip, two turns at least), and Pipecat's
   `RawAudioTrack` hands it 10 ms frames: the bot's speech leaves slower than it is spoken
   (measured with 8 calls on 2 cores: 28% of real time; it sounds as if the bot stopped
   talking to everyone). The same pool serves `asyncio.to_thread` (speech recognition, each
   call's set-up), so a burst of those stalls every call's audio outright. Opus-encoding 10 ms
   takes tens of microseconds: `inline_audio_encoding` encodes audio on the loop.
   `scripts/repro_webrtc_audio_pacing.py` measures it: 59% of real time with 8 ms turns,
   99% with the workaround.

2. Pipecat's `SmallWebRTCClient.write_audio_frame` waits until the track has taken the whole
   frame before the output transport may queue the next one, so the track runs dry, and sends
   silence, whenever the loop comes back later than 10 ms: the caller hears the speech chopped
   and stretched. `audio_lookahead` lets the writer run up to `LOOKAHEAD_FRAMES` frames
   (40 ms each) ahead of the track.

3. Pipecat's SmallWebRTC input reads each caller frame through `asyncio.wait_for`, which on
   Python 3.11 wraps it in a new task (two turns of the loop) even when the frame is already
   queued: the bot hears the caller later and later (measured with 8 calls: 60-80% of real
   time). `lean_input_reads` gives that module Python 3.12's `wait_for` (a timeout around the
   await; no task, no turn when the frame is there).

`install()` applies all three, once per process, before or after calls have started (the
patched code is looked up per frame).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import types

logger = logging.getLogger(__name__)

LOOKAHEAD_FRAMES = 2  # output frames (40 ms each) queued ahead of the track: 80 ms of slack

# What aiortc 1.16's RTCRtpSender._next_encoded_frame reads: the replacement reads the same.
_SENDER_NAMES = {"_RTCRtpSender__track", "_RTCRtpSender__encoder", "_enabled", "run_in_executor"}


def inline_audio_encoding() -> bool:
    """aiortc encodes audio frames on the event loop, not in its default thread pool.

    Returns whether the workaround is in place; False (with a warning) when the installed
    aiortc's sender no longer looks like the one it was written for.
    """
    from aiortc import rtcrtpsender, rtp
    from aiortc.codecs import get_encoder
    from av import AudioFrame

    sender = rtcrtpsender.RTCRtpSender
    original = sender._next_encoded_frame
    if getattr(original, "inline_audio", False):
        return True
    if not _SENDER_NAMES.issubset(original.__code__.co_names):
        logger.warning("aiortc's RTCRtpSender changed: audio frames are encoded as it does")
        return False

    async def _next_encoded_frame(self, codec):
        if self.kind != "audio":
            return await original(self, codec)
        data = await self._RTCRtpSender__track.recv()
        if not self._enabled:
            return None  # as aiortc does: the track is read, the frame dropped
        if self._RTCRtpSender__encoder is None:
            self._RTCRtpSender__encoder = get_encoder(codec)
        encoder = self._RTCRtpSender__encoder
        if isinstance(data, AudioFrame):
            audio_level = rtp.compute_audio_level_dbov(data)
            payloads, timestamp = encoder.encode(data, False)
        else:  # an already encoded packet
            audio_level = None
            payloads, timestamp = encoder.pack(data)
        if not payloads:
            return None
        return rtcrtpsender.RTCEncodedFrame(payloads, timestamp, audio_level)

    _next_encoded_frame.inline_audio = True
    sender._next_encoded_frame = _next_encoded_frame
    return True


def audio_lookahead() -> bool:
    """Pipecat's SmallWebRTC output queues up to LOOKAHEAD_FRAMES frames ahead of the track."""
    from pipecat.transports.smallwebrtc.transport import SmallWebRTCClient

    original = SmallWebRTCClient.write_audio_frame
    if getattr(original, "lookahead", False):
        return True

    async def write_audio_frame(self, frame) -> bool:
        track = self._audio_output_track
        if not (self._can_send() and track):
            return False
        queued = self.__dict__.setdefault("_queued_audio", collections.deque())
        queued.append((track, track.add_audio_bytes(frame.audio)))
        while len(queued) > LOOKAHEAD_FRAMES:
            on_track, taken = queued.popleft()
            if on_track is track:  # a replaced track never takes what was queued on it
                await taken
        return True

    write_audio_frame.lookahead = True
    SmallWebRTCClient.write_audio_frame = write_audio_frame
    return True


async def _wait_for(awaitable, timeout):
    """`asyncio.wait_for` as Python 3.12 has it: no task, no loop turn when it is ready."""
    async with asyncio.timeout(timeout):
        return await awaitable


def lean_input_reads() -> bool:
    """Pipecat's SmallWebRTC input reads a queued frame without two turns of the event loop."""
    from pipecat.transports.smallwebrtc import transport

    if getattr(transport.asyncio, "lean_wait_for", False):
        return True
    lean = types.ModuleType("asyncio")
    lean.__dict__.update(asyncio.__dict__)
    lean.wait_for = _wait_for
    lean.lean_wait_for = True
    transport.asyncio = lean
    return True


def install() -> None:
    """All three workarounds, once per process (calling again does nothing)."""
    inline_audio_encoding()
    audio_lookahead()
    lean_input_reads()
