"""Drafting the messages a decline needs, from ``dialogues/drafts.yaml`` and ``templates/drafts``.

The registry (which kinds exist, what each needs, sample values, reason sentences and
closing lines) is content; this module is the mechanism: clean the values, work out who the
message is addressed to, check nothing required is missing, render in the sandbox with the
values as *data*, and critique the result before anyone sees it.

The conversation engine calls :func:`load_kinds`, :func:`kind_for_reason` and
:func:`render_draft` with its slots; the ``draft`` command calls the same functions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.events import Draft
from bot.render import Renderer, RenderError
from bot.text import sanitise
from bot.yamlfile import ContentError, load_yaml

#: Every value a draft may use, with the ``draft`` command's flag for it.
FLAGS: dict[str, str] = {
    "name": "--name",
    "company": "--company",
    "role": "--role",
    "manager": "--manager",
    "recruiter": "--recruiter",
    "interviewer": "--interviewer",
    "honorific": "--honorific",
    "reason": "--reason",
    "appreciated": "--appreciated",
    "open_to": "--open-to",
    "date": "--date",
    "new_terms": "--new-terms",
    "phone": "--phone",
    "offer_figure": "--offer",
    "target_figure": "--target",
    "walk_away_figure": "--walk-away",
    "counter_figure": "--their-figure",
    "pay_period": "--period",
    "why": "--why",
    "negotiable": "--negotiable",
    "decided_on": "--declined-on",
}

#: Conversation slot names that mean one of the values above.
SLOT_ALIASES: dict[str, str] = {
    "deadline": "date",
    "new_date": "date",
    "user_name": "name",
    "your_name": "name",
    "hiring_manager": "manager",
    "liked": "appreciated",
    "open": "open_to",
}

#: Reasons the engine may hold, and the decline letter each one picks.
REASON_KINDS: dict[str, str] = {
    "another-offer": "decline-another-offer",
    "fit": "decline-fit",
    "compensation": "decline-compensation",
    "relocation": "decline-relocation",
    "family": "decline-relocation",
    "commute": "decline-relocation",
    "culture": "decline-fit",
    "schedule": "decline-fit",
    "growth": "decline-growth",
    "personal": "decline-personal",
    "counteroffer": "decline-counteroffer",
}
NEGOTIABLE_KIND = "decline-compensation-open"
PEOPLE = ("manager", "recruiter", "interviewer")
TONES_DEFAULT = ("formal", "warm")

_HONORIFIC = re.compile(r"^(mr|mrs|ms|miss|mx|dr|prof|professor|sir|dame)\.?\s+", re.IGNORECASE)
_VALUE_LIMIT = 300


class MissingValue(Exception):
    """A draft needs values nobody gave. ``names`` are value names, ``flags`` their CLI flags.

    Each entry may be an alternative ("manager or recruiter") when either would do.
    """

    def __init__(self, kind: str, missing: list[tuple[str, ...]]) -> None:
        self.kind = kind
        self.missing = missing
        self.names = [" or ".join(group) for group in missing]
        self.flags = [
            " or ".join(FLAGS.get(n, "--" + n.replace("_", "-")) for n in group)
            for group in missing
        ]
        parts = [f"{name} (use {flag})" for name, flag in zip(self.names, self.flags, strict=True)]
        word = "a value" if len(parts) == 1 else "values"
        super().__init__(f"the '{kind}' draft is missing {word}: " + "; ".join(parts))


class UnknownKind(Exception):
    def __init__(self, kind: str, known: list[str]) -> None:
        self.kind = kind
        self.known = known
        super().__init__(f"no draft kind called '{kind}' (see `decline-coach draft --list`)")


class BadValue(Exception):
    """A value outside the allowed set (an unknown tone or reason)."""


@dataclass(frozen=True)
class DraftKind:
    id: str
    title: str
    description: str
    template: str
    to: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    optional: Mapping[str, str] = field(default_factory=dict)
    sample: Mapping[str, str] = field(default_factory=dict)
    reads_reason: bool = False
    registry: Registry | None = field(default=None, compare=False, repr=False)
    line: int = 0  # where drafts.yaml defines it


@dataclass(frozen=True)
class Registry:
    """Everything in drafts.yaml besides the kinds: tones, reason lines, closing lines."""

    tones: tuple[str, ...]
    reasons: Mapping[str, Mapping[str, str]]
    open_to: Mapping[str, Mapping[str, Any]]


def _err(path: Path, node: Any, message: str) -> ContentError:
    return ContentError(path, getattr(node, "line", None), message)


def _str_map(node: Any, path: Path, what: str) -> dict[str, str]:
    if node is None:
        return {}
    if not isinstance(node, dict):
        raise _err(path, node, f"{what} must be a block of 'name: value' lines")
    return {str(k): "" if v is None else str(v) for k, v in node.items()}


def _str_list(node: Any, path: Path, what: str) -> tuple[str, ...]:
    if node is None:
        return ()
    if isinstance(node, str):
        return (node,)
    if not isinstance(node, list):
        raise _err(path, node, f"{what} must be a list, like [name, company]")
    return tuple(str(v) for v in node)


def load_kinds(dialogues_dir: str | Path | None = None) -> dict[str, DraftKind]:
    """Read drafts.yaml: every kind by id, in the order written."""
    if dialogues_dir is None:
        from bot.paths import dialogues_dir as default_dir

        dialogues_dir = default_dir()
    return dict(_load_kinds(str(Path(dialogues_dir) / "drafts.yaml")))


@lru_cache(maxsize=4)
def _load_kinds(path_str: str) -> tuple[tuple[str, DraftKind], ...]:
    path = Path(path_str)
    data = load_yaml(path, "Drafts")
    if not isinstance(data, dict) or not isinstance(data.get("kinds"), list):
        raise ContentError(path, None, "drafts.yaml needs a 'kinds:' list")
    tones = _str_list(data.get("tones"), path, "tones") or TONES_DEFAULT
    reasons_node = data.get("reasons") or {}
    reasons: dict[str, dict[str, str]] = {}
    for rid, spec in reasons_node.items():
        spec_map = _str_map(spec, path, f"reason '{rid}'")
        for tone in tones:
            if not spec_map.get(tone):
                raise _err(path, spec, f"reason '{rid}' has no '{tone}' sentence")
        reasons[str(rid)] = spec_map
    if "general" not in reasons:
        raise _err(
            path, reasons_node, "reasons need a 'general' entry (used when no reason is known)"
        )
    open_node = data.get("open_to") or {}
    open_to: dict[str, dict[str, Any]] = {}
    for oid, spec in open_node.items():
        if not isinstance(spec, dict):
            raise _err(path, spec, f"open_to '{oid}' must be a block")
        for tone in tones:
            if not spec.get(tone):
                raise _err(path, spec, f"open_to '{oid}' has no '{tone}' sentence")
        open_to[str(oid)] = {**spec, "match": [str(m).lower() for m in spec.get("match") or ()]}
    if "stay-in-touch" not in open_to:
        raise _err(path, open_node, "open_to needs a 'stay-in-touch' entry (the default closing)")
    registry = Registry(tones=tones, reasons=reasons, open_to=open_to)
    out: list[tuple[str, DraftKind]] = []
    seen: set[str] = set()
    for node in data["kinds"]:
        if not isinstance(node, dict):
            raise _err(path, node, "each kind must be a block starting with 'id:'")
        for key in ("id", "title", "description", "template"):
            if not node.get(key):
                raise ContentError(path, getattr(node, "line", None), f"this kind has no '{key}'")
        kid = str(node["id"])
        if kid in seen:
            raise ContentError(path, getattr(node, "line", None), f"kind '{kid}' is defined twice")
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", kid):
            raise ContentError(
                path,
                getattr(node, "line", None),
                f"kind id '{kid}' should be lower case words joined by hyphens",
            )
        seen.add(kid)
        to = _str_list(node.get("to"), path, "to")
        requires = _str_list(node.get("requires"), path, "requires")
        optional = _str_map(node.get("optional"), path, "optional")
        sample = _str_map(node.get("sample"), path, "sample")
        for value in (*to, *requires, *optional, *sample):
            if value not in FLAGS:
                raise ContentError(
                    path,
                    getattr(node, "line", None),
                    f"kind '{kid}' uses unknown value '{value}' (known: {', '.join(FLAGS)})",
                )
        out.append(
            (
                kid,
                DraftKind(
                    id=kid,
                    title=str(node["title"]),
                    description=str(node["description"]),
                    template=str(node["template"]),
                    to=to,
                    requires=requires,
                    optional=optional,
                    sample=sample,
                    reads_reason="reason" in optional or "reason" in requires,
                    registry=registry,
                    line=getattr(node, "line", 0) or 0,
                ),
            )
        )
    return tuple(out)


def kind_for_reason(reason: str, negotiable: bool = False) -> str:
    """The decline email for a reason; compensation + negotiable picks the one that opens a door."""
    key = _reason_key(reason)
    if key == "compensation" and negotiable:
        return NEGOTIABLE_KIND
    if key not in REASON_KINDS:
        raise BadValue(f"unknown reason '{reason}' (known: {', '.join(REASON_KINDS)})")
    return REASON_KINDS[key]


def _reason_key(reason: str) -> str:
    return "-".join(str(reason).strip().lower().replace("_", " ").split())


# --------------------------------------------------------------------------- values


def clean_values(values: Mapping[str, Any]) -> dict[str, str]:
    """Slots or flags in, clean strings out: aliases folded, text sanitised, blanks dropped."""
    out: dict[str, str] = {}
    for key, raw in values.items():
        if raw is None or isinstance(raw, bool):
            continue
        name = SLOT_ALIASES.get(key, key)
        if name not in FLAGS:
            continue
        if isinstance(raw, list | tuple):
            raw = raw[0] if raw else ""
        text = sanitise(str(raw), limit=_VALUE_LIMIT).text.strip()
        if text and name not in out:
            out[name] = text
    return out


def _split_person(full: str) -> tuple[str, str]:
    """("Ms.", "Dana Rivera") from "Ms. Dana Rivera"; ("", "Dana Rivera") without a title."""
    m = _HONORIFIC.match(full)
    if not m:
        return "", full
    rest = full[m.end() :].strip()
    if not rest:
        return "", full
    title = m.group(1)
    title = title[0].upper() + title[1:].lower()
    if title.lower() in ("mr", "mrs", "ms", "mx", "dr", "prof"):
        title += "."
    return title, rest


def _missing(
    kind: DraftKind, values: Mapping[str, str], unknown_ok: frozenset[str] = frozenset()
) -> list[tuple[str, ...]]:
    missing: list[tuple[str, ...]] = []
    if kind.to and not any(values.get(p) for p in kind.to) and not set(kind.to) & unknown_ok:
        missing.append(kind.to)
    for name in kind.requires:
        if not values.get(name) and name not in unknown_ok:
            missing.append((name,))
    return missing


def build_context(
    kind: DraftKind, tone: str, values: Mapping[str, Any], renderer: Renderer
) -> dict[str, Any]:
    """The template's context: the values (as data) plus greeting forms and shared lines."""
    registry = kind.registry
    assert registry is not None
    if tone not in registry.tones:
        raise BadValue(f"unknown tone '{tone}' (choose {' or '.join(registry.tones)})")
    clean = clean_values(values)
    # Facts the person chose not to give ("skip" at the manager's name): the message is
    # written without them ("Hi there,", "the offer") instead of refusing to be written.
    unknown_ok = frozenset(str(v) for v in values.get("unknown_ok") or ())
    missing = _missing(kind, clean, unknown_ok)
    if missing:
        raise MissingValue(kind.id, missing)
    ctx: dict[str, Any] = {name: "" for name in FLAGS}
    ctx.update({k: v for k, v in kind.optional.items()})
    honorifics: dict[str, str] = {}
    for person in PEOPLE:
        if clean.get(person):
            honorifics[person], clean[person] = _split_person(clean[person])
    ctx.update(clean)
    ctx["tone"] = tone
    ctx["name"] = _split_person(ctx["name"])[1] if ctx["name"] else ""
    addressee = next((p for p in kind.to if clean.get(p)), None)
    if addressee:
        full = clean[addressee]
        title = clean.get("honorific") or honorifics.get(addressee, "")
        if title:
            title = _split_person(title + " x")[0] or title
        ctx["to"] = full
        ctx["to_first"] = full.split()[0]
        # Formal address ("Ms. Rivera") only when the person gave a title; otherwise the
        # first name, as people write to someone they have met ("Dear Dana Rivera" reads
        # like a mail merge).
        ctx["to_formal"] = f"{title} {full.split()[-1]}" if title else full.split()[0]
    elif unknown_ok & set(kind.to):
        ctx["to"] = ""
        ctx["to_first"], ctx["to_formal"] = "there", "Hiring Manager"
    else:
        ctx["to"] = ctx["to_first"] = ctx["to_formal"] = ""
    reason = _reason_key(ctx.get("reason") or "") or "general"
    if reason not in registry.reasons and not kind.reads_reason:
        reason = "general"
    if reason not in registry.reasons:
        known = ", ".join(r for r in registry.reasons if r != "general")
        raise BadValue(f"unknown reason '{ctx.get('reason')}' (use --reason with one of: {known})")
    ctx["reason"] = reason
    ctx["since_months"] = _months_since(clean.get("decided_on", ""), values.get("today"))
    origin = f"drafts.yaml reasons.{reason}.{tone}"
    ctx["reason_line"] = renderer.inline(registry.reasons[reason][tone], ctx, origin=origin)
    option = _open_option(registry, ctx.get("open_to") or "")
    ctx["door_line"] = renderer.inline(
        str(registry.open_to[option][tone]), ctx, origin=f"drafts.yaml open_to.{option}.{tone}"
    )
    return ctx


def _months_since(when: str, today: Any = None) -> int | None:
    """Whole months from an ISO date (or "2025-06") to today; None if unknown or in the future."""
    import datetime as dt

    if not when:
        return None
    text = str(when).strip()
    try:
        start = dt.date.fromisoformat(text if len(text) > 7 else text + "-01")
    except ValueError:
        return None
    try:
        now = dt.date.fromisoformat(str(today)) if today else dt.date.today()
    except ValueError:
        now = dt.date.today()
    months = (now.year - start.year) * 12 + now.month - start.month - (now.day < start.day)
    return months if months >= 0 else None


def _open_option(registry: Registry, open_to: str) -> str:
    words = open_to.lower()
    if words:
        for option, spec in registry.open_to.items():
            if any(m and m in words for m in spec.get("match", ())):
                return option
    return "stay-in-touch"


# --------------------------------------------------------------------------- rendering


def render_text(
    kind: DraftKind, tone: str, values: Mapping[str, Any], renderer: Renderer | None = None
) -> str:
    """The draft's text, not yet critiqued."""
    renderer = renderer or _default_renderer()
    ctx = build_context(kind, tone, values, renderer)
    try:
        text = renderer.file(kind.template, ctx)
        if not ctx.get("role"):
            # "the {{ role }} offer" with no role given reads "the offer".
            text = re.sub(r"(?<=\S) {2,}(?=\S)", " ", text)
        return text
    except RenderError as exc:
        if exc.missing and exc.missing in FLAGS:
            raise MissingValue(kind.id, [(exc.missing,)]) from exc
        raise


def render_draft(
    kind: DraftKind | str,
    tone: str,
    values: Mapping[str, Any],
    renderer: Renderer | None = None,
) -> Draft:
    """Render one draft and critique it: the Draft event carries the findings and the score.

    ``values`` may be the conversation's slots (``name``, ``company``, ``role``, ``manager``,
    ``recruiter``, ``interviewer``, ``reason``, ``appreciated``, ``open_to``,
    ``deadline``/``new_date``, ...). Raises :class:`MissingValue` naming what is missing.
    """
    from bot.critic import critique

    if isinstance(kind, str):
        kinds = load_kinds()
        if kind not in kinds:
            raise UnknownKind(kind, list(kinds))
        kind = kinds[kind]
    text = render_text(kind, tone, values, renderer)
    chosen = bool(_reason_key(str(values.get("reason") or "")))
    result = critique(text, kind=kind.id, reason_chosen=chosen)
    # A check this kind reports but does not score (the figure in a counter-proposal) is a
    # note about the draft, not a problem with it.
    findings: list[Any] = []
    for f in result.findings:
        if f.check in result.unscored:
            if any(g.check == f.check for g in findings):
                continue  # one note per unscored check is enough
            f = replace(f, ok=True, suggestion="")
        findings.append(f)
    return Draft(
        kind=kind.id,
        tone=tone,
        title=kind.title,
        text=text,
        findings=tuple(findings),
        score=result.score,
    )


def review_draft(text: str, *, kind: str | None = None) -> Draft:
    """Critique text the person pasted or edited, as a Draft event (tone "own")."""
    from bot.critic import critique

    clean = sanitise(text, multiline=True).text
    result = critique(clean, kind=kind)
    return Draft(
        kind=kind or "own",
        tone="own",
        title="Your draft",
        text=clean,
        findings=tuple(result.findings),
        score=result.score,
    )


def sample_problems(
    dialogues_dir: str | Path | None = None, renderer: Renderer | None = None
) -> list[tuple[str, int, str]]:
    """(file, line, message) for every kind whose sample, in any tone, fails to render, leaves
    something unfilled, or does not pass every check of the critic."""
    from bot.critic import critique

    problems: list[tuple[str, int, str]] = []
    kinds = load_kinds(dialogues_dir)
    dialogues = Path(dialogues_dir) if dialogues_dir else None
    drafts_file = str(dialogues / "drafts.yaml") if dialogues else "dialogues/drafts.yaml"
    renderer = renderer or _default_renderer()
    for kind in kinds.values():
        assert kind.registry is not None
        if not kind.sample:
            problems.append((drafts_file, kind.line, f"kind '{kind.id}' has no sample values"))
            continue
        where = str(renderer.templates / kind.template) if renderer.templates else kind.template
        for tone in kind.registry.tones:
            try:
                text = render_text(kind, tone, kind.sample, renderer)
            except (MissingValue, BadValue) as exc:
                problems.append((drafts_file, kind.line, f"{kind.id} ({tone}) sample: {exc}"))
                continue
            except RenderError as exc:
                problems.append((where, 0, f"{kind.id} ({tone}): {exc}"))
                continue
            result = critique(text, kind=kind.id)
            for finding in result.findings:
                if not finding.ok and finding.check not in result.unscored:
                    message = f"{tone} sample fails the {finding.check} check: {finding.message}"
                    problems.append((where, 0, message))
    return problems


def check_content(content: Any, renderer: Renderer) -> list[Any]:
    """Hook for ``decline-coach check`` (see bot/check.py)."""
    from bot.check import Problem

    found = sample_problems(content.dialogues, renderer)
    return [Problem(f, line, msg) for f, line, msg in found]


@lru_cache(maxsize=1)
def _default_renderer() -> Renderer:
    from bot.render import default_renderer

    return default_renderer()


__all__ = [
    "FLAGS",
    "BadValue",
    "DraftKind",
    "MissingValue",
    "UnknownKind",
    "build_context",
    "check_content",
    "clean_values",
    "kind_for_reason",
    "load_kinds",
    "render_draft",
    "review_draft",
    "sample_problems",
]
