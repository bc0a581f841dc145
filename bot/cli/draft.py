"""`decline-coach draft`: write any message the moment needs, without a conversation.

    decline-coach draft --list
    decline-coach draft --kind decline-another-offer --tone warm --company Acme \\
        --role "Data Analyst" --manager "Ms. Dana Rivera" --name "Sam Lee"
    decline-coach draft --reason compensation --negotiable ...   # picks the decline letter

Values are data: whatever is typed appears literally. A missing value is an error naming
it and its flag (exit 2), never a ``[Company]`` gap in the letter.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

# value name -> (flag, help); the flags match bot.drafts.FLAGS
_VALUE_FLAGS = (
    ("name", "--name", "your name, for the sign-off"),
    ("company", "--company", "the company that made the offer"),
    ("role", "--role", "the job title"),
    ("manager", "--manager", 'the hiring manager, e.g. "Ms. Dana Rivera"'),
    ("recruiter", "--recruiter", "the recruiter's name"),
    ("interviewer", "--interviewer", "an interviewer's name (repeat for one note each)"),
    ("honorific", "--honorific", "title for the formal greeting (Ms., Mr., Dr.)"),
    ("appreciated", "--appreciated", "what you appreciated about them (optional)"),
    ("open_to", "--open-to", "what you're open to: staying in touch, future roles, referrals"),
    ("date", "--date", "the date you'll answer by (ask-for-time)"),
    ("new_terms", "--new-terms", "what changed in a reopened offer"),
    ("phone", "--phone", "a number to leave in a voicemail"),
    ("offer_figure", "--offer", 'their offer, e.g. "$120,000 a year" (counter-proposal)'),
    ("target_figure", "--target", 'the figure you ask for, e.g. "$138,000" (counter-proposal)'),
    ("walk_away_figure", "--walk-away", "the lowest figure you'd accept (call notes only)"),
    ("counter_figure", "--their-figure", "what they came back with (accept-in-writing)"),
    ("why", "--why", "one or two reasons the figure is fair (counter-proposal)"),
    ("decided_on", "--declined-on", "when you declined, e.g. 2025-06-12 (reconnect)"),
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "draft",
        help="write a decline email, call script, note, ... from the values you give",
        description=(
            "Render any draft the coach can write, without a conversation. The draft goes to "
            "stdout; a note for each check it fails goes to stderr (--json gives the whole review)."
        ),
    )
    p.add_argument("--list", action="store_true", help="list the kinds of draft and exit")
    p.add_argument("--kind", metavar="KIND", help="which draft (see --list)")
    p.add_argument("--tone", default="formal", metavar="TONE", help="formal (default) or warm")
    p.add_argument(
        "--reason",
        metavar="REASON",
        help="why you're declining: another-offer, fit, compensation, relocation, family, "
        "growth, personal, counteroffer (without --kind, picks the decline email)",
    )
    p.add_argument(
        "--negotiable",
        action="store_true",
        help="with --reason compensation or a phone script: say you'd talk if there is flexibility",
    )
    for name, flag, help_text in _VALUE_FLAGS:
        if name == "interviewer":
            p.add_argument(flag, dest=name, action="append", metavar="NAME", help=help_text)
        else:
            p.add_argument(flag, dest=name, metavar="TEXT", help=help_text)
    p.add_argument(
        "--sample", action="store_true", help="fill values you did not give from the kind's sample"
    )
    p.add_argument("--json", action="store_true", help="print the draft and its critique as JSON")
    p.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"decline-coach draft: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from bot import drafts
    from bot.events import to_dict
    from bot.render import RenderError
    from bot.yamlfile import ContentError

    try:
        kinds = drafts.load_kinds()
    except ContentError as exc:
        return _fail(f"{exc}\nrun `decline-coach check` for a full report")
    if args.list:
        width = max(len(k) for k in kinds)
        for kind in kinds.values():
            print(f"{kind.id:<{width}}  {kind.title}")
            print(f"{'':<{width}}  {kind.description}")
        return 0
    kind_id = args.kind
    if not kind_id:
        if not args.reason:
            return _fail("say which draft with --kind KIND (see --list), or give --reason")
        try:
            kind_id = drafts.kind_for_reason(args.reason, negotiable=args.negotiable)
        except drafts.BadValue as exc:
            return _fail(str(exc))
    elif args.negotiable and kind_id == "decline-compensation":
        kind_id = drafts.NEGOTIABLE_KIND
    if kind_id not in kinds:
        return _fail(f"no draft kind called '{kind_id}'; choose one of: {', '.join(kinds)}")
    kind = kinds[kind_id]
    values: dict[str, Any] = {}
    if args.sample:
        values.update(kind.sample)
    for name, _flag, _help in _VALUE_FLAGS:
        given = getattr(args, name, None)
        if given:
            values[name] = given
    if args.reason:
        values["reason"] = args.reason
    if args.negotiable:
        values["negotiable"] = "yes"
    people = args.interviewer or [None]
    if args.interviewer and "interviewer" not in kind.to:
        people = [args.interviewer[0]]
    rendered = []
    for person in people:
        if person is not None:
            values["interviewer"] = person
        try:
            rendered.append(drafts.render_draft(kind, args.tone, values))
        except drafts.MissingValue as exc:
            return _fail(str(exc))
        except drafts.BadValue as exc:
            return _fail(str(exc))
        except (RenderError, ContentError) as exc:
            return _fail(f"could not write this draft: {exc}")
    if args.json:
        docs = [to_dict(d) for d in rendered]
        doc: Any = docs[0] if len(docs) == 1 else {"drafts": docs}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    for i, draft in enumerate(rendered):
        if i:
            print("\n" + "-" * 40 + "\n")
        print(draft.text)
        for finding in draft.findings:
            if not finding.ok:
                quote = f' ("{finding.quote}")' if finding.quote else ""
                print(f"note: {finding.check}: {finding.message}{quote}", file=sys.stderr)
    return 0
