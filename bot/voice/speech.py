"""Speaking the manager's lines with espeak-ng, in memory (``--stdout``), never through a file."""

from __future__ import annotations

import shutil
import subprocess

from bot.voice.audio import Clip, from_wav_bytes


def espeak_binary() -> str | None:
    return shutil.which("espeak-ng")


def synthesise(text: str, *, voice: str = "en-us", wpm: int = 160, pitch: int = 50) -> Clip:
    """The text spoken by espeak-ng (22,050 Hz, as it makes it). Raises OSError without espeak-ng."""
    binary = espeak_binary()
    if binary is None:
        raise OSError("espeak-ng is not installed")
    # The text goes in on stdin, so nothing a user typed can be read as an option.
    done = subprocess.run(
        [binary, "--stdout", "-v", voice, "-s", str(int(wpm)), "-p", str(int(pitch))],
        input=text.encode("utf-8"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0 or not done.stdout:
        raise OSError(done.stderr.decode("utf-8", "replace").strip() or "espeak-ng failed")
    return from_wav_bytes(_fix_streamed_header(done.stdout))


def _fix_streamed_header(data: bytes) -> bytes:
    """espeak-ng writing to a pipe leaves the RIFF and data sizes at 0x7fffffff: set them."""
    if data[:4] != b"RIFF":
        return data
    out = bytearray(data)
    out[4:8] = (len(data) - 8).to_bytes(4, "little")
    i = data.find(b"data", 12)
    if i > 0:
        out[i + 4 : i + 8] = (len(data) - i - 8).to_bytes(4, "little")
    return bytes(out)
