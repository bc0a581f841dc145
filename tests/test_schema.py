"""Content shapes declared once (bot/schema.py): a misspelt key anywhere is an error at its
line, the shipped content fits, and the JSON Schemas for editors are valid and in step."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from bot.content import load_content
from bot.schema import SHAPES, check_folder, json_schemas, shape_for
from bot.yamlfile import ContentError, load_yaml
from tests.conftest import ROOT, run_cli

DIALOGUES = ROOT / "dialogues"

# file -> (a key as written at the start of its line, its misspelling, what the error names)
MISSPELT: dict[str, tuple[str, str, str]] = {
    "critic.yaml": ("    weight:", "    wieght:", "unknown key 'wieght' (did you mean 'weight'?)"),
    "flows/decision.yaml": ("    ask:", "    aks:", "unknown key 'aks' (did you mean 'ask'?)"),
    "slots.yaml": ("    label:", "    lable:", "unknown key 'lable'"),
    "intents.yaml": ("    when_negated:", "    when_negate:", "unknown key 'when_negate'"),
    "personas/persuasive.yaml": ("  easy: {pushes", "  easy: {pushs", "unknown key 'pushs'"),
    "rehearsal.yaml": ("  brief-words:", "  brief-word:", "unknown key 'brief-word'"),
    "scenarios.yaml": ("    keywords:", "    keyword:", "unknown key 'keyword'"),
    "drafts.yaml": ("    requires:", "    require:", "unknown key 'require'"),
    "faq.yaml": ("    question:", "    questoin:", "unknown key 'questoin'"),
    "followups.yaml": ("    detail:", "    details:", "unknown key 'details'"),
    "understanding.yaml": ("mentions:", "mention:", "unknown key 'mention'"),
    "lexicon.yaml": ("synonyms:", "synonym:", "unknown key 'synonym'"),
    "coach.yaml": ("stages:", "stage:", "unknown key 'stage'"),
    "voice.yaml": ("install:", "instal:", "unknown key 'instal'"),
    "offtopic.yaml": ("examples:", "example:", "unknown key 'example'"),
}


def _misspell(d: Path, file: str) -> int:
    """Misspell the first such key in ``file``; return its line."""
    good, bad, _ = MISSPELT[file]
    path = d / file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith(good))
    lines[index] = bad + lines[index][len(good) :]
    path.write_text("".join(lines), encoding="utf-8")
    return index + 1


def _copy(tmp_path: Path) -> Path:
    d = tmp_path / "dialogues"
    shutil.copytree(DIALOGUES, d)
    return d


def test_the_shipped_content_fits_its_shapes() -> None:
    assert check_folder(DIALOGUES) == []


def test_every_content_file_has_a_shape() -> None:
    files = [*DIALOGUES.glob("*.yaml"), *DIALOGUES.glob("flows/*.yaml"), *DIALOGUES.glob("personas/*.yaml")]
    assert len(files) >= 25
    assert [f.name for f in files if shape_for(f, DIALOGUES) is None] == []
    assert {shape_for(f) for f in files} == set(SHAPES.values())  # by name alone too


@pytest.mark.parametrize("file", sorted(MISSPELT))
def test_a_misspelt_key_is_reported_with_file_and_line(tmp_path: Path, file: str) -> None:
    d = _copy(tmp_path)
    line = _misspell(d, file)
    errors = check_folder(d)
    assert [(Path(e.path), e.line) for e in errors] == [(d / file, line)], [str(e) for e in errors]
    assert MISSPELT[file][2] in errors[0].message
    # The loader that reads the file says the same (on load, not only in `check`).
    with pytest.raises(ContentError) as err:
        load_yaml(d / file, shape.__name__) if (shape := shape_for(d / file, d)) else None
    assert (err.value.line, err.value.message) == (line, errors[0].message)


def test_a_wrong_kind_of_value_names_what_it_should_be(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    text = (d / "slots.yaml").read_text(encoding="utf-8")
    (d / "slots.yaml").write_text(text.replace("    panel: true", "    panel: yes", 1), encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln == "    panel: true")
    [error] = check_folder(d)
    assert error.line == line
    assert error.message.endswith("panel: should be true or false, not text")


def test_a_broken_shape_stops_loading_with_its_line(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    line = _misspell(d, "flows/decision.yaml")
    with pytest.raises(ContentError) as err:
        load_content(d, ROOT / "templates")
    assert err.value.path.endswith("decision.yaml") and err.value.line == line


def test_check_and_startup_report_misspelt_keys_without_a_traceback(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    t = ROOT / "templates"
    lines = {file: _misspell(d, file) for file in ("critic.yaml", "flows/decision.yaml", "personas/persuasive.yaml")}
    result = run_cli("check", "--dialogues", str(d), "--templates", str(t))
    out = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in out
    for file, line in lines.items():
        assert re.search(rf"{re.escape(file)}:{line}: .*unknown key", out), out
    result = run_cli(
        "chat",
        "--plain",
        "--no-save",
        "--dialogues",
        str(d),
        "--templates",
        str(t),
        stdin="hi\n",
        env={"DECLINE_COACH_CACHE": ""},
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"decision.yaml:{lines['flows/decision.yaml']}" in result.stderr


def test_the_json_schemas_are_valid_and_agree_with_the_loader(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schemas = json_schemas()
    assert len(schemas) == len(SHAPES)
    by_pattern = dict(zip(SHAPES, schemas.values(), strict=True))
    d = _copy(tmp_path)
    _misspell(d, "critic.yaml")
    for pattern, schema in by_pattern.items():
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        for path in sorted(DIALOGUES.glob(pattern)):
            problems = [e.message for e in validator.iter_errors(json.loads(json.dumps(load_yaml(path))))]
            assert problems == [], (path, problems[:3])
    critic = jsonschema.Draft202012Validator(by_pattern["critic.yaml"])
    assert any("wieght" in e.message for e in critic.iter_errors(json.loads(json.dumps(load_yaml(d / "critic.yaml")))))


def test_the_schema_files_for_editors_are_in_step(tmp_path: Path) -> None:
    shipped = {p.name: p.read_text(encoding="utf-8") for p in (DIALOGUES / "schema").glob("*.json")}
    result = run_cli("schema", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    made = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.glob("*.json")}
    assert made == shipped, "run `decline-coach schema --out dialogues/schema`"
    one = run_cli("schema", "critic")
    assert json.loads(one.stdout)["$defs"]["CriticCheck"]["additionalProperties"] is False


def test_a_start_from_the_content_cache_neither_parses_nor_validates(tmp_path: Path) -> None:
    """Shapes are checked when the cache is built; a cached start imports neither PyYAML nor
    msgspec (start-up time is a measured figure)."""
    import os
    import subprocess
    import sys

    code = (
        "import sys, io; sys.stdin = io.StringIO('quit\\n'); from bot.cli import main; "
        "main(['chat', '--plain', '--no-save']); "
        "print('LOADED', sorted(m for m in ('msgspec', 'yaml') if m in sys.modules))"
    )
    env = {**os.environ, "DECLINE_COACH_HOME": str(tmp_path / "home"), "DECLINE_COACH_CACHE": str(tmp_path / "cache")}
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
        for _ in range(2)
    ]
    assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
    first, second = (r.stdout.splitlines()[-1] for r in runs)
    assert first == "LOADED ['msgspec', 'yaml']"  # built the cache: parsed and validated
    assert second == "LOADED []"  # a cache hit


def test_the_detection_shape_is_the_detector_s_settings() -> None:
    from bot.scenarios import DetectionConfig
    from bot.schema import Detection

    assert set(Detection.__struct_fields__) == set(DetectionConfig.__dataclass_fields__)
