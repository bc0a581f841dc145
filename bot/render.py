"""Speaking through Jinja2 templates, safely.

Every template renders in a sandbox with ``StrictUndefined``: a missing value is an error
that names it, never an empty gap or a ``[Company]`` placeholder. User text only ever
arrives as *data* in the context, never as template source, so a company called
``{{ 7*7 }}`` is printed literally.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

# Jinja2 is imported when a template first needs it: most of what the coach says (its first
# prompt included) is plain text, which renders as itself.


class RenderError(Exception):
    """A template could not be rendered; ``missing`` names an absent value when that is why."""

    def __init__(self, message: str, *, missing: str | None = None, source: str | None = None) -> None:
        super().__init__(message)
        self.missing = missing
        self.source = source


def _join_and(items: Any, word: str = "and") -> str:
    items = [str(i) for i in items if str(i).strip()]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _first_name(full: Any) -> str:
    parts = str(full).split()
    return parts[0] if parts else str(full)


def _nice_date(value: Any) -> str:
    """ISO date -> "Friday 27 November" (the form a person reads at a glance)."""
    import datetime as dt

    try:
        d = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{d:%A} {d.day} {d:%B}"


def make_env(templates: Path | None) -> SandboxedEnvironment:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    loader = jinja2.FileSystemLoader(str(templates)) if templates else None
    env = SandboxedEnvironment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # output is plain text for terminals, never HTML
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["join_and"] = _join_and
    env.filters["first_name"] = _first_name
    env.filters["nice_date"] = _nice_date
    return env


class Renderer:
    """Renders inline snippets (from YAML) and template files (from ``templates/``)."""

    def __init__(self, templates: Path | None) -> None:
        self.templates = templates
        self._env: SandboxedEnvironment | None = None
        self._inline: dict[str, jinja2.Template] = {}

    @property
    def env(self) -> SandboxedEnvironment:
        """The Jinja2 environment, made on first use."""
        if self._env is None:
            self._env = make_env(self.templates)
        return self._env

    def inline(self, source: str, context: Mapping[str, Any], *, origin: str = "") -> str:
        if "{" not in source:
            # No tag, expression or comment can start without a brace: Jinja2 would give the
            # text back as it is (newlines normalised, which _tidy does as well).
            return _tidy(source)
        tpl = self._inline.get(source)
        if tpl is None:
            import jinja2

            try:
                tpl = self.env.from_string(source)
            except jinja2.TemplateSyntaxError as exc:
                raise RenderError(f"{origin}: template syntax: {exc.message}", source=origin) from exc
            self._inline[source] = tpl
        return self._render(tpl, context, origin)

    def file(self, name: str, context: Mapping[str, Any]) -> str:
        import jinja2

        try:
            tpl = self.env.get_template(name)
        except jinja2.TemplateNotFound as exc:
            raise RenderError(f"template not found: {name}", source=name) from exc
        except jinja2.TemplateSyntaxError as exc:
            raise RenderError(f"{name}:{exc.lineno}: template syntax: {exc.message}", source=name) from exc
        return self._render(tpl, context, name)

    def _render(self, tpl: jinja2.Template, context: Mapping[str, Any], origin: str) -> str:
        import jinja2

        try:
            out = tpl.render(**context)
        except jinja2.UndefinedError as exc:
            missing = _missing_name(str(exc))
            raise RenderError(f"{origin}: missing value: {missing or exc}", missing=missing, source=origin) from exc
        except jinja2.TemplateError as exc:
            raise RenderError(f"{origin}: {exc}", source=origin) from exc
        return _tidy(out)

    def variables(self, name: str) -> set[str]:
        """Names a template file reads (for ``check`` and for ``draft``'s missing-value errors)."""
        from jinja2 import meta

        assert self.env.loader is not None
        source, _, _ = self.env.loader.get_source(self.env, name)
        return set(meta.find_undeclared_variables(self.env.parse(source)))

    def inline_variables(self, source: str) -> set[str]:
        from jinja2 import meta

        return set(meta.find_undeclared_variables(self.env.parse(source)))


def _missing_name(message: str) -> str | None:
    # jinja2 says: "'company' is undefined" or "'dict object' has no attribute 'x'"
    if message.startswith("'") and "' is undefined" in message:
        return message[1 : message.index("' is undefined")]
    if "has no attribute '" in message:
        return message.rsplit("has no attribute '", 1)[1].rstrip("'")
    return None


def _tidy(text: str) -> str:
    # Templates branch a lot; collapse the blank runs they leave behind.
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue
        out.append(line)
    return "\n".join(out)


@lru_cache(maxsize=4)
def default_renderer() -> Renderer:
    from bot.paths import templates_dir

    return Renderer(templates_dir())
