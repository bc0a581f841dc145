"""``dialogues/voice.yaml``: what voice mode says and how it judges delivery."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.render import Renderer
from bot.yamlfile import ContentError, LineDict, load_yaml

MEASURES = ("rate", "pauses", "stretch", "share", "fillers")


@dataclass
class VoiceContent:
    raw: Mapping[str, Any]
    path: str
    renderer: Renderer = field(default_factory=lambda: Renderer(None))

    def say(self, source: str, where: str, **context: Any) -> str:
        return self.renderer.inline(source, context, origin=f"{self.path}:{where}")

    def prompt(self, key: str, **context: Any) -> str:
        return self.say(str((self.raw.get("prompts") or {}).get(key) or ""), f"prompts.{key}", **context)

    @property
    def delivery(self) -> Mapping[str, Any]:
        return self.raw.get("delivery") or {}

    def measure(self, name: str) -> Mapping[str, Any]:
        return (self.delivery.get("measures") or {}).get(name) or {}

    @property
    def uncertain_below(self) -> float:
        return float(self.raw.get("uncertain-below", 0.5))

    @property
    def doubt_kinds(self) -> tuple[str, ...]:
        return tuple(str(k) for k in self.raw.get("benefit-of-doubt") or ())

    @property
    def manager_voice(self) -> tuple[str, int]:
        v = self.raw.get("manager-voice") or {}
        return str(v.get("voice") or "en-us"), int(v.get("wpm") or 160)


def load_voice(dialogues: Path | None = None) -> VoiceContent:
    from bot.paths import dialogues_dir

    path = (Path(dialogues) if dialogues else dialogues_dir()) / "voice.yaml"
    raw = load_yaml(path, "Voice")
    if not isinstance(raw, dict):
        raise ContentError(path, None, "voice.yaml should be a block of 'key: value' lines")
    measures = (raw.get("delivery") or {}).get("measures") or {}
    for name in MEASURES:
        if name not in measures:
            raise ContentError(path, None, f"delivery.measures is missing '{name}'")
    return VoiceContent(raw, str(path))


def check_voice(dialogues: Path | None = None) -> VoiceContent:
    """Load ``voice.yaml`` and render every line once with sample values (for ``check``)."""
    content = load_voice(dialogues)
    if content.path and not Path(content.path).exists():
        return content
    sample = {
        "missing": ["espeak-ng"], "pip": "pip", "apt": "apt-get", "other": [], "text": "thank you",
        "words": ["um"], "folder": "out", "value": 1, "name": "Sam Taylor", "company": "Northwind",
        "role": "Analyst", "manager": "Dana Rivera",
    }
    lines: list[tuple[str, Any]] = [(k, content.raw.get(k)) for k in ("install", "install-app")]
    lines += [(f"prompts.{k}", v) for k, v in (content.raw.get("prompts") or {}).items()]
    lines += [("delivery.title", content.delivery.get("title"))]
    for name in MEASURES:
        for key, v in content.measure(name).items():
            if isinstance(v, str):
                lines.append((f"delivery.measures.{name}.{key}", v))
    lines += [("phrases", v) for v in content.raw.get("phrases") or ()]
    for where, source in lines:
        try:
            content.say(str(source or ""), where, **sample)
        except Exception as exc:
            raise ContentError(content.path, _line(content.raw, where), f"{where}: {exc}") from None
    for pattern in (content.raw.get("fillers") or {}).get("patterns") or ():
        try:
            re.compile(str(pattern))
        except re.error as exc:
            raise ContentError(content.path, _line(content.raw, "fillers"), f"fillers: bad pattern: {exc}") from None
    return content


def _line(raw: Any, where: str) -> int | None:
    return raw.line_of(where.split(".")[0]) if isinstance(raw, LineDict) else None


@lru_cache(maxsize=4)
def _cached(folder: str) -> VoiceContent:
    return load_voice(Path(folder))


def default_voice(dialogues: Path | None = None) -> VoiceContent:
    from bot.paths import dialogues_dir

    return _cached(str(Path(dialogues) if dialogues else dialogues_dir()))
