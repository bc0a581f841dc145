"""``decline-coach rehearse --voice`` and ``--audio-in FILE.wav...``: the call, spoken.

``--voice`` speaks the manager's lines and listens to the microphone: press Enter and
speak, or type a line instead at any prompt; what was heard is shown and can be corrected
by typing before it counts. ``--audio-in`` runs the call from recorded answers, one WAV
file per turn, with no prompts. ``--audio-out DIR`` keeps the manager's lines as WAV files;
nothing else is ever written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli.rehearse import _print, _speaker_names  # one printer for the typed and the spoken call
from bot.events import Event
from bot.voice.options import add_arguments, wanted

__all__ = ["add_arguments", "run", "wanted"]


def run(rehearsal: Any, args: argparse.Namespace) -> int:
    from bot import voice
    from bot.voice.content import default_voice

    dialogues = Path(args.dialogues) if getattr(args, "dialogues", None) else None
    content = default_voice(dialogues)
    live = not args.audio_in
    parts = voice.missing(speak=live or bool(args.audio_out), microphone=live)
    if parts:
        pip, apt, other = voice.install_commands(parts)
        print(content.say(str(content.raw.get("install") or ""), "install", missing=parts, pip=pip, apt=apt,
                          other=other), file=sys.stderr)
        return 2
    files = [Path(f) for f in args.audio_in or ()]
    for f in files:
        if not f.is_file():
            print(f"decline-coach: no such file: {f}", file=sys.stderr)
            return 2
    from bot.voice import audio
    from bot.voice.call import VoiceCall, build_recogniser
    from bot.voice.speech import espeak_binary, synthesise

    name, wpm = content.manager_voice

    def speak(text: str) -> audio.Clip | None:
        if espeak_binary() is None:
            return None
        try:
            return synthesise(text, voice=name, wpm=wpm)
        except OSError:
            return None

    played = {"ok": True}

    def play(clip: audio.Clip) -> bool:
        if played["ok"]:
            played["ok"] = audio.play(clip)
            if not played["ok"] and not args.json:
                print(content.prompt("no-speaker"))
        return played["ok"]

    call = VoiceCall(
        rehearsal,
        build_recogniser(rehearsal, content),
        content,
        speak=speak,
        play=play if live else None,
        audio_out=Path(args.audio_out) if args.audio_out else None,
    )
    names = _speaker_names(rehearsal)
    quiet = bool(args.json)
    # With --json, stdout holds the one JSON document: prompts and notes go to stderr.
    note = sys.stderr if quiet else sys.stdout

    def ask(prompt: str) -> str:
        print(prompt, end="", file=note, flush=True)
        return input()

    def show(events: list[Event]) -> None:
        if not quiet:
            _print(events, names)

    show(call.opening())
    pending = list(files)
    heard_log: list[dict[str, Any]] = []
    while not rehearsal.finished:
        if not live:
            if not pending:
                break
            heard = call.hear(audio.read_wav(pending.pop(0)))
            text = heard[1].text
            if not quiet:
                _show_heard(content, heard)
                print(f"{names['user']}: {text}")
        else:
            try:
                typed = ask(content.prompt("speak"))
            except EOFError:
                break
            if typed.strip():
                show(call.turn(typed))
                continue
            print(content.prompt("listening"), file=note)
            clip = audio.capture_line()
            if clip is None:
                print(content.prompt("no-microphone"), file=note)
                continue
            heard = call.hear(clip)
            _show_heard(content, heard, note)
            try:
                fix = ask(content.prompt("correct"))
            except EOFError:
                fix = ""
            text = fix.strip() or heard[1].text
        heard_log.append(_heard_dict(heard, text))
        show(call.turn(text, heard))
    if not rehearsal.finished:
        show(call.end())
    card = call.delivery_card()
    if args.audio_out and not quiet:
        print(content.prompt("saved", folder=args.audio_out))
    if quiet:
        doc = rehearsal.to_json()
        doc["voice"] = {
            "heard": heard_log,
            "delivery": call.delivery().to_dict(),
            "delivery_scorecard": [
                {"check": s.check, "ok": s.ok, "note": s.note} for s in (card.lines if card else ())
            ],
        }
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return 0
    if card is not None:
        _print([card], names)
    print(f"{names['transcript']}:")
    for entry in rehearsal.transcript:
        print(f"  {names.get(entry['speaker'], entry['speaker'])}: {entry['text']}")
    return 0


def _show_heard(content: Any, heard: Any, out: Any = None) -> None:
    h, st = heard
    if not h.text:
        print(content.prompt("nothing"), file=out)
        return
    print(content.prompt("heard", text=h.text), file=out)
    if st.uncertain:
        print(content.prompt("unsure", words=list(dict.fromkeys(st.uncertain))), file=out)


def _heard_dict(heard: Any, said: str) -> dict[str, Any]:
    h, st = heard
    return {
        "heard": h.text,
        "said": said,
        "model": h.model,
        "steadied": st.changed,
        "doubted": list(st.doubted),
        "words": [{"word": w.text, "start": round(w.start, 2), "end": round(w.end, 2),
                   "confidence": round(w.confidence, 3)} for w in h.words],
        "audio_seconds": round(h.seconds, 2),
    }
