"""What a recording is, from its first and last bytes: format, channels, duration.

Lets the pipeline refuse an empty, tiny or non-audio object before paying for a Transcribe
job, and choose channel identification (two channels) or speaker labels (one), without
downloading the recording. Unknown values stay None rather than guessed.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass


@dataclass(frozen=True)
class AudioHeader:
    format: str | None  # wav, ogg, flac, mp4, mp3, webm; None: not audio we know
    channels: int | None = None
    duration_seconds: float | None = None

    @property
    def is_audio(self) -> bool:
        return self.format is not None


def inspect_audio(head: bytes, tail: bytes = b"", size: int | None = None) -> AudioHeader:
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return _wav(head, size)
    if head[:4] == b"OggS":
        return _ogg(head, tail)
    if head[:4] == b"fLaC":
        return _flac(head)
    if head[4:8] == b"ftyp":
        return _mp4(head + tail)
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return AudioHeader("webm")
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return _mp3(head)
    return AudioHeader(None)


def _wav(head: bytes, size: int | None) -> AudioHeader:
    pos, channels, byte_rate, data_size = 12, None, None, None
    while pos + 8 <= len(head):
        chunk, length = head[pos : pos + 4], struct.unpack("<I", head[pos + 4 : pos + 8])[0]
        if chunk == b"fmt " and pos + 16 <= len(head):
            channels = struct.unpack("<H", head[pos + 10 : pos + 12])[0]
            byte_rate = struct.unpack("<I", head[pos + 16 : pos + 20])[0]
        if chunk == b"data":
            data_size = length
            if size is not None:
                data_size = min(length, max(0, size - pos - 8))
            break
        pos += 8 + length + (length & 1)
    duration = data_size / byte_rate if data_size is not None and byte_rate else None
    return AudioHeader("wav", channels, duration)


def _ogg(head: bytes, tail: bytes) -> AudioHeader:
    channels, rate, pre_skip = None, None, 0
    opus = head.find(b"OpusHead")
    if opus >= 0 and opus + 16 <= len(head):
        channels = head[opus + 9]
        pre_skip = struct.unpack("<H", head[opus + 10 : opus + 12])[0]
        rate = 48000  # Opus granule positions always count 48 kHz samples
    vorbis = head.find(b"\x01vorbis")
    if vorbis >= 0 and vorbis + 16 <= len(head):
        channels = head[vorbis + 11]
        rate = struct.unpack("<I", head[vorbis + 12 : vorbis + 16])[0]
    duration = None
    last = (tail or head).rfind(b"OggS")
    data = tail or head
    if rate and last >= 0 and last + 14 <= len(data):
        granule = struct.unpack("<q", data[last + 6 : last + 14])[0]
        if granule >= 0:
            duration = max(0.0, (granule - pre_skip) / rate)
    return AudioHeader("ogg", channels, duration)


def _flac(head: bytes) -> AudioHeader:
    if len(head) < 26:
        return AudioHeader("flac")
    info = int.from_bytes(head[18:26], "big")
    rate = info >> 44
    channels = ((info >> 41) & 0x7) + 1
    samples = info & ((1 << 36) - 1)
    return AudioHeader("flac", channels, samples / rate if rate and samples else None)


def _mp4(data: bytes) -> AudioHeader:
    channels = duration = None
    entry = data.find(b"mp4a")
    if entry >= 0 and entry + 22 <= len(data):
        channels = struct.unpack(">H", data[entry + 20 : entry + 22])[0]
    mvhd = data.find(b"mvhd")
    if mvhd >= 0 and mvhd + 24 <= len(data):
        if data[mvhd + 4] == 1 and mvhd + 36 <= len(data):
            scale, length = struct.unpack(">IQ", data[mvhd + 24 : mvhd + 36])
        else:
            scale, length = struct.unpack(">II", data[mvhd + 16 : mvhd + 24])
        duration = length / scale if scale else None
    return AudioHeader("mp4", channels, duration)


def _mp3(head: bytes) -> AudioHeader:
    pos = 0
    if head[:3] == b"ID3" and len(head) >= 10:
        pos = 10 + (
            (head[6] & 0x7F) << 21
            | (head[7] & 0x7F) << 14
            | (head[8] & 0x7F) << 7
            | (head[9] & 0x7F)
        )
    while pos + 4 <= len(head):
        if head[pos] == 0xFF and head[pos + 1] & 0xE0 == 0xE0:
            mode = head[pos + 3] >> 6
            return AudioHeader("mp3", 1 if mode == 3 else 2)
        pos += 1
    return AudioHeader(None)
