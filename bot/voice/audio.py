"""Audio as plain data: 16-bit mono PCM in memory, read from and written to WAV only when asked.

No numpy: clips are a few seconds long, and the standard library's ``array`` and ``wave``
are enough to read, resample, join and measure them. Capturing from a microphone needs the
``sounddevice`` package and the system's PortAudio (``capture_line``).
"""

from __future__ import annotations

import array
import io
import math
import wave
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

RATE = 16000  # what the acoustic model was trained on


@dataclass(frozen=True)
class Clip:
    """Mono 16-bit PCM at ``rate`` samples a second."""

    pcm: bytes
    rate: int = RATE

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.rate

    def at(self, rate: int = RATE) -> Clip:
        return self if rate == self.rate else Clip(resample(self.pcm, self.rate, rate), rate)

    def wav_bytes(self) -> bytes:
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.rate)
            w.writeframes(self.pcm)
        return buf.getvalue()


def from_wav_bytes(data: bytes) -> Clip:
    with wave.open(io.BytesIO(data), "rb") as w:
        return _from_wave(w)


def read_wav(path: str | Path) -> Clip:
    with wave.open(str(path), "rb") as w:
        return _from_wave(w)


def write_wav(path: str | Path, clip: Clip) -> None:
    Path(path).write_bytes(clip.wav_bytes())


def _from_wave(w: wave.Wave_read) -> Clip:
    width, channels, rate = w.getsampwidth(), w.getnchannels(), w.getframerate()
    frames = w.readframes(w.getnframes())
    if width != 2:
        raise ValueError(f"expected 16-bit samples, got {8 * width}-bit")
    if channels > 1:
        a = array.array("h")
        a.frombytes(frames)
        frames = array.array("h", (sum(a[i : i + channels]) // channels for i in range(0, len(a), channels))).tobytes()
    return Clip(frames, rate)


def resample(pcm: bytes, rate: int, to: int) -> bytes:
    """Linear-interpolation resampling, with a short moving average first when going down."""
    a = array.array("h")
    a.frombytes(pcm)
    if not a:
        return b""
    src: array.array[int] | list[int] = a
    if to < rate:  # crude low-pass: average over the source samples one output step spans
        k = max(1, round(rate / to))
        if k > 1:
            acc, window, smooth = 0, [0] * k, []
            for i, s in enumerate(a):
                acc += s - window[i % k]
                window[i % k] = s
                smooth.append(acc // k)
            src = smooth
    n = int(len(src) * to / rate)
    step = rate / to
    out = array.array("h", bytes(2 * n))
    last = len(src) - 1
    for i in range(n):
        x = i * step
        j = int(x)
        f = x - j
        s0 = src[j]
        s1 = src[j + 1] if j < last else s0
        out[i] = int(s0 + (s1 - s0) * f)
    return out.tobytes()


def silence(seconds: float, rate: int = RATE) -> Clip:
    return Clip(bytes(2 * int(seconds * rate)), rate)


def join(clips: list[Clip], rate: int = RATE) -> Clip:
    return Clip(b"".join(c.at(rate).pcm for c in clips), rate)


def speech_span(clip: Clip, *, frame: float = 0.02, floor_db: float = -40.0) -> tuple[float, float]:
    """Start and end (seconds) of the part louder than ``floor_db`` below the clip's peak frame."""
    a = array.array("h")
    a.frombytes(clip.pcm)
    n = max(1, int(frame * clip.rate))
    energies = []
    for i in range(0, len(a), n):
        chunk = a[i : i + n]
        energies.append(math.sqrt(sum(s * s for s in chunk) / max(1, len(chunk))))
    peak = max(energies, default=0.0)
    if peak <= 0:
        return 0.0, 0.0
    limit = peak * 10 ** (floor_db / 20)
    loud = [i for i, e in enumerate(energies) if e > limit]
    if not loud:
        return 0.0, 0.0
    return loud[0] * frame, (loud[-1] + 1) * frame


# -- devices ------------------------------------------------------------------------------------


def play(clip: Clip) -> bool:
    """Play a clip on the default output; False when there is no sound device to play on."""
    try:
        import sounddevice as sd

        a = array.array("h")
        a.frombytes(clip.pcm)
        sd.play(a, clip.rate, blocking=True)
        return True
    except Exception:  # no PortAudio, no device, busy device: the line is shown as text anyway
        return False


def capture_line(
    *,
    max_seconds: float = 60.0,
    trailing_silence: float = 1.2,
    on_speech: Callable[[bytes], None] | None = None,
) -> Clip | None:
    """Record one answer from the default microphone: from the first speech to a pause.

    The audio stays in memory. Returns None when no microphone can be opened. ``on_speech``
    gets each piece of speech as it is heard (for text shown while the person speaks).
    """
    try:
        import sounddevice as sd
    except Exception:  # the package, or the system's PortAudio, is missing
        return None
    frame = int(0.03 * RATE)

    def frames() -> Iterator[bytes]:
        with sd.RawInputStream(samplerate=RATE, channels=1, dtype="int16", blocksize=frame) as stream:
            for _ in range(int(max_seconds / 0.03)):
                data, _overflowed = stream.read(frame)
                yield bytes(data)

    try:
        return endpoint(frames(), trailing_silence=trailing_silence, on_speech=on_speech)
    except Exception:  # no input device, device busy
        return None


def endpoint(
    chunks: Iterable[bytes],
    *,
    trailing_silence: float = 1.2,
    on_speech: Callable[[bytes], None] | None = None,
) -> Clip:
    """The first stretch of speech in a stream of 16 kHz PCM, ending at a pause.

    Uses pocketsphinx's voice-activity endpointer; the stream is read only as far as needed.
    ``on_speech`` gets each piece of speech as soon as the endpointer lets it through.
    """
    from pocketsphinx import Endpointer

    ep = Endpointer(window=trailing_silence, sample_rate=RATE)
    size = ep.frame_bytes
    got: list[bytes] = []
    pending = b""
    for chunk in chunks:
        pending += chunk
        while len(pending) >= size:
            piece, pending = pending[:size], pending[size:]
            speech = ep.process(piece)
            if speech is not None:
                got.append(speech)
                if on_speech is not None:
                    on_speech(speech)
            elif got and not ep.in_speech:
                return Clip(b"".join(got), RATE)
    tail = ep.end_stream(pending) if pending else None
    if tail is not None and got:
        got.append(tail)
        if on_speech is not None:
            on_speech(tail)
    return Clip(b"".join(got), RATE)
