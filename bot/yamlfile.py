"""YAML loading that remembers where each thing was written.

Content authors are told ``dialogues/flows/decision.yaml:42: unknown state 'comapre'``,
not a traceback, so every mapping and list loaded here carries the line it started on.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

# PyYAML is imported by the first load: a command whose content comes from the content cache
# (bot.content_cache) never parses YAML, so it never pays for the import.


class ContentError(Exception):
    """A problem in an authored file, located as ``file:line: message``."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(self.location() + ": " + message)

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class LineDict(dict[str, Any]):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


def _mapping(loader: Any, node: yaml.MappingNode) -> LineDict:
    import yaml

    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool):
            raise yaml.constructor.ConstructorError(None, None, "a key must be a plain word", key_node.start_mark)
        key = str(key)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"'{key}' is written twice in this block", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: Any, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


@lru_cache(maxsize=1)
def _loader() -> Any:
    import yaml

    try:  # libyaml is much faster, and start-up time is a measured figure
        base: Any = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - PyYAML built without libyaml
        base = yaml.SafeLoader

    class _Loader(base):
        pass

    # YAML 1.1 reads yes/no/on/off as booleans, which would turn the example reply "yes" into
    # True. Content authors write natural words, so only true/false are booleans here (as in
    # YAML 1.2).
    _Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    _Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )
    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
    return _Loader


def load_yaml(path: str | Path, shape: str | None = None) -> Any:
    """Parse one file; any YAML problem becomes a ContentError with its line.

    ``shape`` names the file's declared shape in ``bot.schema`` (``"Flow"``, ``"Critic"``):
    the data is then checked against it, and a misspelt or misplaced key is a ContentError
    at its line too. (msgspec is imported only then: a cached start parses nothing.)
    """
    path = Path(path)
    if shape is not None:
        from bot import schema

        data = load_yaml(path)
        schema.validate(data, getattr(schema, shape), path)
        return data
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(path, None, f"not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise ContentError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    return load_yaml_text(text, path)


def load_yaml_text(text: str, path: str | Path = "<text>") -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=_loader())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ContentError(path, line, f"YAML error: {problem}") from exc
    except yaml.YAMLError as exc:
        raise ContentError(path, None, f"YAML error: {exc}") from exc
