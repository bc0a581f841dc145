"""`decline-coach advise`: which tricky situation a description is, and what to do about it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.cli.common import add_content_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "advise",
        help="recognise a tricky situation from a description and advise on it",
        description=(
            'Describe what happened ("they came back with more money after I said no") and get '
            "the matching scenario, the advice, the questions that tailor it and the draft."
        ),
    )
    p.add_argument("text", nargs="*", help="the description, in your own words")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--jsonl", action="store_true", help="advise on each stdin line; one JSON object a line"
    )
    add_content_args(p)
    p.set_defaults(func=run)


def _print_text(result: dict[str, Any], labels: dict[str, str]) -> None:
    advice = result["advice"]
    if result.get("ask"):
        ask = result["ask"]
        print("scenario: " + " or ".join(o["scenario"] for o in ask["options"]) + "  (asks which)")
        print()
        print(ask["question"])
        for n, option in enumerate(ask["options"], 1):
            print(f"  {n}. {option['title']}")
        return
    if result["scenario"] is None:
        what = f"FAQ: {result['faq']}" if result.get("faq") else "none fits"
        print(f"scenario: (none: {what})")
    else:
        note = "  (close call, see also below)" if result.get("ambiguous") else ""
        print(f"scenario: {result['scenario']}  score {result['score']:.1f}{note}")
        for alt in result["alternatives"]:
            print(f"  also:   {alt['scenario']} {alt['score']:.1f}")
    print()
    print(advice["title"])
    for point in advice["points"]:
        print(f"  - {point}")
    if advice.get("questions"):
        print()
        asked = [labels.get(q, q.replace("_", " ")) for q in advice["questions"]]
        print("To tailor this, the chat asks about: " + ", ".join(asked))
    if advice.get("draft"):
        print(f"Draft to write: decline-coach draft --kind {advice['draft']}")
    if advice.get("next_steps"):
        print()
        print("Next steps")
        for step in advice["next_steps"]:
            print(f"  - {step}")


def _answer(lib: Any, text: str, renderer: Any) -> dict[str, Any]:
    """As the chat does (bot.scenario_actions: the FAQ interrupt runs before the scenario one):
    a question the FAQ covers gets its answer, unless a situation is described more surely."""
    from bot.scenarios import advise

    fid, fscore = lib.faq_match(text) if len(text.split()) >= 3 else (None, 0.0)
    if fid is not None:
        det = lib.detect(text)
        if not (det.scenario is not None and det.score > fscore and lib.confident(det, text)):
            out = det.to_dict()
            entry = lib.faq[fid]
            out.update(scenario=None, ambiguous=False, alternatives=[], faq=fid, faq_score=round(fscore, 1))
            out["advice"] = {"title": entry.question, "points": [entry.answer.strip()]}
            return out
    return advise(lib, text, renderer)


def run(args: argparse.Namespace) -> int:
    from bot.content import load_content
    from bot.render import Renderer
    from bot.scenarios import ScenarioLibrary
    from bot.text import sanitise
    from bot.yamlfile import ContentError

    if not args.text and not args.jsonl:
        print("decline-coach advise: give a TEXT, or --jsonl to read stdin", file=sys.stderr)
        return 2
    try:
        content = load_content(args.dialogues, args.templates)
        lib = ScenarioLibrary.load(content)
    except ContentError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    renderer = Renderer(content.templates)
    if args.jsonl:
        for line in sys.stdin:
            text = sanitise(line).text
            if not text:
                continue
            print(json.dumps(_answer(lib, text, renderer), ensure_ascii=False), flush=False)
        return 0
    text = sanitise(" ".join(args.text)).text
    result = _answer(lib, text, renderer)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_text(result, {name: slot.label for name, slot in content.slots.items()})
    return 0
