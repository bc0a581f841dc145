"""The voice options of ``decline-coach rehearse`` (kept light: every command line builds them)."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("voice (needs the 'voice' extra)")
    g.add_argument("--voice", action="store_true", help="speak the call: the manager talks, you answer out loud")
    g.add_argument("--audio-in", nargs="+", metavar="FILE.wav", help="your answers as recordings, one per turn")
    g.add_argument("--audio-out", metavar="DIR", help="keep the manager's lines as WAV files in DIR")


def wanted(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "voice", False) or getattr(args, "audio_in", None))
