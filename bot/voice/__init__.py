"""Voice mode for the practice call: speak the manager's lines, hear the caller's, judge delivery.

Optional: it needs the ``voice`` extra (``pip install 'decline-coach[voice]'``: pocketsphinx,
sounddevice) and, on Linux, the system's espeak-ng and PortAudio. ``missing()`` says which
of those are absent; nothing in this package is imported by the typed call.

Modules: ``audio`` (WAV, resampling, microphone), ``speech`` (espeak-ng), ``lm`` (the call's
language model), ``recognise`` (pocketsphinx), ``steady`` (misheard words and verdicts),
``delivery`` (pace, pauses, fillers), ``call`` (a call driven by speech), ``cli`` (the
``rehearse --voice`` / ``--audio-in`` front-end).
"""

from __future__ import annotations

import sys

PIP = "pip install 'decline-coach[voice]'"
APT = "sudo apt-get install espeak-ng libportaudio2"


def missing(*, speak: bool = True, microphone: bool = True) -> list[str]:
    """What voice mode lacks on this machine (empty when everything is there)."""
    import ctypes.util
    import importlib.util
    import shutil

    out = []
    if importlib.util.find_spec("pocketsphinx") is None:
        out.append("the Python package pocketsphinx")
    if microphone and importlib.util.find_spec("sounddevice") is None:
        out.append("the Python package sounddevice")
    if speak and shutil.which("espeak-ng") is None:
        out.append("espeak-ng")
    if microphone and ctypes.util.find_library("portaudio") is None and sys.platform.startswith("linux"):
        out.append("PortAudio (libportaudio2)")
    return out


def install_commands(parts: list[str]) -> tuple[str, str, list[str]]:
    """(pip command, apt-get command, anything else to install) that supply ``parts``."""
    import shutil

    pip = PIP if any("Python package" in p for p in parts) else ""
    system = [p for p in parts if "Python package" not in p]
    has_apt = bool(shutil.which("apt-get") or shutil.which("apt-get", path="/usr/bin:/bin"))
    if system and sys.platform.startswith("linux") and has_apt:
        return pip, APT, []
    return pip, "", system
