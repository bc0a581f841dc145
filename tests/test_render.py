from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.render import Renderer, RenderError, _tidy, make_env
from bot.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parent.parent


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_text_without_braces_renders_as_jinja_would_without_jinja() -> None:
    # Renderer.inline skips Jinja2 for text with no "{": every such string in the content,
    # and a few awkward ones, must come out exactly as Jinja2 (then _tidy) would give them.
    env = make_env(ROOT / "templates")
    texts = [s for p in sorted((ROOT / "dialogues").rglob("*.yaml")) for s in _strings(load_yaml(p))]
    texts += ["a\r\nb\n", "x\n\n\n\ny  \n", "  lead\n", "one\rtwo", "odd %} and #}", "\u2028z", "end\n\n"]
    renderer = Renderer(ROOT / "templates")
    plain = [t for t in texts if "{" not in t]
    assert len(plain) > 1000
    for text in plain:
        assert renderer.inline(text, {}) == _tidy(env.from_string(text).render()), text
    assert renderer._env is None  # none of them needed Jinja2


def test_templates_still_render_and_fail_as_before() -> None:
    renderer = Renderer(ROOT / "templates")
    assert renderer.inline("Hi {{ name | first_name }}.", {"name": "Dana Rivera"}) == "Hi Dana."
    assert renderer.inline("Hi {{ name }}.", {"name": "{{ 7*7 }}"}) == "Hi {{ 7*7 }}."
    with pytest.raises(RenderError) as missing:
        renderer.inline("Hi {{ name }}.", {}, origin="x.yaml:3")
    assert missing.value.missing == "name"
    with pytest.raises(RenderError, match="template syntax"):
        renderer.inline("Hi {% if %}", {}, origin="x.yaml:4")
