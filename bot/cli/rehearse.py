"""``decline-coach rehearse``: practise the phone call with the coach playing the manager.

Plain mode reads the person's lines from stdin, one per turn, and prints the manager's
replies; at the end of the call (or of input) it prints the scorecard and the transcript.
``--json`` prints one document instead: persona, transcript and scorecard.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.events import Event
    from bot.rehearsal import Book, Rehearsal


def register(sub: Any) -> None:
    p = sub.add_parser(
        "rehearse",
        help="practise the phone call: the coach plays the hiring manager, then scores you",
        description=(
            "Rehearse declining by phone. The coach plays the hiring manager (or recruiter) "
            "in character, reacts to what you say, then steps out and scores the call. "
            "Type one line per turn; 'hint', 'restart' and 'end call' work at any time."
        ),
    )
    p.add_argument("--persona", "-p", default="gracious", help="who picks up (see --list)")
    p.add_argument("--difficulty", "-d", default="normal", help="easy, normal or hard")
    p.add_argument(
        "--seed", type=int, default=None,
        help="replay a call exactly (same seed and lines, same call); without it each call "
        "draws a fresh seed, shown at the start and in the scorecard",
    )
    p.add_argument("--plain", action="store_true", help="line mode (the default off a terminal)")
    p.add_argument("--json", action="store_true", help="print one JSON document at the end")
    p.add_argument("--list", action="store_true", help="list the personas and exit")
    p.add_argument("--name", help="your name, as the manager will say it")
    p.add_argument("--company", help="the company's name")
    p.add_argument("--role", help="the role you were offered")
    p.add_argument("--manager", help="the hiring manager's (or recruiter's) name")
    p.add_argument(
        "--plan",
        choices=("decline", "negotiate", "ask-for-time"),
        default="decline",
        help="decline outright, negotiate first, or ask for more time (changes the scorecard)",
    )
    p.add_argument("--reply-by", help="for --plan ask-for-time: the date you will propose")
    p.add_argument("--dialogues", metavar="DIR", help="read dialogue content from DIR")
    from bot.voice.options import add_arguments

    add_arguments(p)  # --voice, --audio-in, --audio-out (bot/voice)
    p.set_defaults(func=run)


def _load(args: argparse.Namespace) -> Book:
    from pathlib import Path

    from bot.rehearsal import default_book
    from bot.yamlfile import ContentError

    try:
        return default_book(Path(args.dialogues) if args.dialogues else None)
    except ContentError as exc:
        print(f"decline-coach: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


def run(args: argparse.Namespace) -> int:
    from bot.rehearsal import Rehearsal, RehearsalError
    from bot.render import RenderError

    book = _load(args)
    if args.list:
        return _list(book, as_json=args.json)
    from bot.text import sanitise

    # Names from the command line are user text like any other: escapes and controls removed.
    context = {
        key: (sanitise(value, limit=200).text or None) if isinstance(value, str) else value
        for key, value in {
            "name": args.name,
            "company": args.company,
            "role": args.role,
            "manager": args.manager,
            "plan": args.plan,
            "reply_by": args.reply_by,
        }.items()
    }
    seed = args.seed if args.seed is not None else fresh_seed()
    try:
        r = Rehearsal(args.persona, args.difficulty, seed, context, book=book)
    except RehearsalError as exc:
        print(f"decline-coach: {exc}", file=sys.stderr)
        return 2
    if getattr(args, "voice", False) or getattr(args, "audio_in", None):
        from bot.voice.cli import run as run_voice  # --voice, --audio-in: bot/voice

        return run_voice(r, args)
    try:
        return _play(r, as_json=args.json, interactive=sys.stdin.isatty() and not args.plain)
    except RenderError as exc:
        print(f"decline-coach: {exc}", file=sys.stderr)
        return 1


def fresh_seed() -> int:
    """A new call each time: the seed is drawn from the system and shown, so a call can be
    replayed exactly with ``--seed``."""
    import secrets

    return secrets.randbelow(1_000_000)


def _list(book: Book, *, as_json: bool) -> int:
    rows = [
        {"persona": p.id, "label": p.label, "who": p.who, "description": p.description}
        for p in book.personas.values()
    ]
    if as_json:
        print(json.dumps({"personas": rows, "difficulties": book.difficulties}, indent=2))
        return 0
    width = max(len(r["persona"]) for r in rows)
    for row in rows:
        print(f"{row['persona'].ljust(width)}  {row['description']}")
    print(f"\ndifficulties: {', '.join(book.difficulties)}")
    return 0


def _play(r: Rehearsal, *, as_json: bool, interactive: bool) -> int:
    from bot.text import sanitise

    names = _speaker_names(r)
    # Names the person says on the call ("Hi Rebecca") relabel the speakers from then on.
    show = (lambda events: None) if as_json else (lambda events: _print(events, _speaker_names(r)))
    if not as_json:
        print(f"{names.get('coach', 'Coach')}: {r.coach_text('seed')}")
    show(r.opening())
    while not r.finished:
        try:
            line = input(f"{names['user']}: " if interactive and not as_json else "")
        except EOFError:
            break
        if not interactive and not as_json:
            print(f"{names['user']}: {sanitise(line).text}")  # echo piped lines, made safe
        show(r.turn(line))
    if not r.finished:
        show(r.end())  # input ran out before the call ended: score what was said
    if as_json:
        print(json.dumps(r.to_json(), indent=2, ensure_ascii=False))
        return 0
    names = _speaker_names(r)
    print()
    print(f"{names['transcript']}:")
    for entry in r.transcript:
        print(f"  {names.get(entry['speaker'], entry['speaker'])}: {entry['text']}")
    return 0


def _speaker_names(r: Rehearsal) -> dict[str, str]:
    labels = dict((r.book.raw.get("scorecard") or {}).get("labels") or {})
    ctx = {**r.context, "who": r.persona.who}
    if "manager" not in r.known:
        ctx["manager"] = r.persona.who[:1].upper() + r.persona.who[1:]  # no made-up name
    render = r.book.renderer.inline
    names = {k: render(str(v), ctx) for k, v in (labels.get("speakers") or {}).items()}
    for key in ("you-said", "try", "transcript"):
        names[key] = str(labels.get(key) or key)
    names.setdefault("user", "You")
    return names


def _print(events: list[Event], names: dict[str, str]) -> None:
    """A call as people write one down: "Dana: ...", "Coach: ...", and the scorecard's checks
    by their titles, marked in words (``bot.plain``'s "done" / "to do", not "[ok]")."""
    from bot.events import Say, Scorecard
    from bot.plain import DONE, TO_DO

    for ev in events:
        if isinstance(ev, Say):
            who = names.get(ev.speaker, ev.speaker)
            print(f"{who}: {ev.text}")
        elif isinstance(ev, Scorecard):
            print()
            print(ev.title)
            for line in ev.lines:
                mark = DONE if line.ok else TO_DO
                print(f"  {mark}: {line.title or line.check}: {line.note}")
                if line.quote:
                    print(f'        {names["you-said"]}: "{line.quote}"')
                if line.better and not line.ok:
                    print(f'        {names["try"]}: "{line.better}"')
            print()
