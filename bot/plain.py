"""Plain text for each event: the line-mode front-end and the Markdown transcript use this.

Plain mode is also the screen-reader mode, so everything is words in reading order: no
box drawing, and bars are followed by their numbers.
"""

from __future__ import annotations

import re

from bot.events import (
    Advice,
    Choices,
    Comparison,
    Draft,
    End,
    Event,
    Notice,
    Say,
    Scorecard,
)

BAR_WIDTH = 20
# Checklist marks as words: a screen reader says "done" and "to do" plainly, where "[ok]" and
# "[x ]" are read as punctuation (and many people read [x] as ticked).
DONE = "done"
TO_DO = "to do"


def bar(value: float, maximum: float = 100.0, width: int = BAR_WIDTH) -> str:
    filled = round(max(0.0, min(value, maximum)) / maximum * width) if maximum else 0
    return "#" * filled + "." * (width - filled)


def format_event(event: Event) -> str:
    if isinstance(event, Say):
        return event.text
    if isinstance(event, Choices):
        return "\n".join(f"  {i}) {c.label}" for i, c in enumerate(event.options, 1))
    if isinstance(event, Notice):
        return f"[{event.level}] {event.text}"
    if isinstance(event, Draft):
        lines = [f"--- {event.title} ({event.tone}) ---", event.text, "---"]
        if event.findings:
            failed = [f for f in event.findings if not f.ok]
            if failed:
                lines.append("Review notes:")
                lines += [f"  {TO_DO}: {f.check}: {f.message}" for f in failed]
            else:
                lines.append(f"Review: passes all {len(event.findings)} checks.")
        return "\n".join(lines)
    if isinstance(event, Advice):
        head = event.title
        return "\n".join([head, *(f"  - {p}" for p in event.points)])
    if isinstance(event, Comparison):
        width = max((len(r.name) for r in event.rows), default=0)
        lines = [event.title]
        for row in event.rows:
            lines.append(f"  {row.name.ljust(width)}  {bar(row.score)}  {row.score:5.1f}")
        if event.note:
            lines.append(event.note)
        return "\n".join(lines)
    if isinstance(event, Scorecard):
        lines = [event.title]
        for line in event.lines:
            mark = DONE if line.ok else TO_DO
            lines.append(f"  {mark}: {line.title or line.check}: {line.note}")
            if line.quote:
                lines.append(f'        you said: "{line.quote}"')
            if line.better and not line.ok:
                lines.append(f'        try: "{line.better}"')
        return "\n".join(lines)
    if isinstance(event, End):
        return event.text
    return ""


_LIST_ITEM = re.compile(rf"^ {{2,}}(- |\d+\) |{DONE}: |{TO_DO}: )")
_MARKDOWN_ITEM = re.compile(r"^(- |\d+\. )")
_DRAFT_HEAD = re.compile(r"^--- (.+) ---$")


def transcript_markdown(transcript: list[dict[str, str]], title: str = "decline-coach conversation") -> str:
    """The conversation as Markdown: who said what, lists as lists, drafts quoted."""
    names = {"coach": "Coach", "user": "You", "manager": "Hiring manager"}
    out = [f"# {title}", ""]
    for entry in transcript:
        speaker = entry.get("speaker", "")
        who = names.get(speaker, speaker.title())
        text = entry.get("text", "")
        if speaker == "user":
            lines = text.splitlines() or [""]
            if len(lines) == 1:
                out.append(f"**{who}:** {_inline(lines[0])}")
            else:  # a pasted letter: quoted, its paragraphs kept
                out.append(f"**{who}:**")
                out.append("")
                out += [f"> {_inline(ln)}" if ln.strip() else ">" for ln in lines]
        else:
            body = _event_markdown(text)
            if body and (not body[0] or _MARKDOWN_ITEM.match(body[0])):
                out.append(f"**{who}:**")
                out += body if not body[0] else ["", *body]
            else:
                out.append(f"**{who}:** {body[0] if body else ''}")
                out += body[1:]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _inline(line: str) -> str:
    # A line a person typed that Markdown would read as a heading, rule or list stays text.
    return "\\" + line if re.match(r"^\s*([#>*+-]|\d+[.)]\s|=+\s*$)", line) else line


def _event_markdown(text: str) -> list[str]:
    """The plain lines of the coach's events as Markdown lines."""
    out: list[str] = []
    lines = text.splitlines()
    draft_end = -1  # the index of the line closing the draft being quoted
    in_list = False
    for i, line in enumerate(lines):
        if i < draft_end:
            out.append(f"> {line}" if line.strip() else ">")
            continue
        if i == draft_end:
            out.append("")
            continue
        head = _DRAFT_HEAD.match(line)
        closing = [j for j in range(i + 1, len(lines)) if lines[j] == "---"] if head else []
        if closing:
            # The draft runs to the last "---": a letter may hold a line of dashes itself.
            draft_end, in_list = closing[-1], False
            out += ["", f"*{head.group(1)}*", ""]  # type: ignore[union-attr]
            continue
        item = _LIST_ITEM.match(line)
        if item:
            if not in_list and out and out[-1]:
                out.append("")  # a list starts after a blank line
            in_list = True
            marker = item.group(1)
            rest = line[item.end() :]
            number = re.match(r"(\d+)\) ", marker)
            if number:
                out.append(f"{number.group(1)}. {rest}")
            elif marker == "- ":
                out.append(f"- {rest}")
            else:
                out.append(f"- {marker}{rest}")
            continue
        if in_list and line.startswith("    ") and line.strip():
            out.append("  " + line.strip())  # more about the item above
            continue
        if in_list and line.strip():
            out.append("")  # the list ends before the next paragraph
        in_list = False
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return out
