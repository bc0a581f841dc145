"""Plain text for each event: the line-mode front-end and the Markdown transcript use this.

Plain mode is also the screen-reader mode, so everything is words in reading order: no
box drawing, and bars are followed by their numbers.
"""

from __future__ import annotations

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
                lines += [f"  x {f.check}: {f.message}" for f in failed]
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
            mark = "ok" if line.ok else "x "
            lines.append(f"  [{mark}] {line.check}: {line.note}")
            if line.quote:
                lines.append(f'        you said: "{line.quote}"')
            if line.better and not line.ok:
                lines.append(f'        try: "{line.better}"')
        return "\n".join(lines)
    if isinstance(event, End):
        return event.text
    return ""


def transcript_markdown(transcript: list[dict[str, str]], title: str = "decline-coach conversation") -> str:
    names = {"coach": "Coach", "user": "You", "manager": "Hiring manager"}
    out = [f"# {title}", ""]
    for entry in transcript:
        who = names.get(entry.get("speaker", ""), entry.get("speaker", "").title())
        text = entry.get("text", "")
        if entry.get("speaker") == "user":
            out.append(f"**{who}:** {text}")
        else:
            body = "\n".join(("    " + ln) if ln.startswith(("  ", "---")) else ln for ln in text.splitlines())
            out.append(f"**{who}:** {body}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
