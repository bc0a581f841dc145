"""A non-editable install from a built wheel carries the content and works on its own."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    return next(out.glob("decline_coach-*.whl"))


def test_wheel_contains_content(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/_content/dialogues/intents.yaml" in names
    assert any(n.startswith("bot/_content/dialogues/flows/") for n in names)
    assert any(n.startswith("bot/_content/templates/drafts/") for n in names)


def test_installed_wheel_runs_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    py = env_dir / "bin" / "python"
    # The dependencies come from this test run's environment; the package itself only from the wheel.
    site = next(Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
    env_site = next((env_dir / "lib").glob("python3*/site-packages"))
    (env_site / "deps.pth").write_text(str(site) + "\n", encoding="utf-8")
    r = subprocess.run(
        [str(py), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    exe = env_dir / "bin" / "decline-coach"
    env = {**os.environ, "DECLINE_COACH_HOME": str(tmp_path / "home")}
    env.pop("PYTHONPATH", None)
    v = subprocess.run([str(exe), "--version"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert v.returncode == 0 and "decline-coach" in v.stdout
    chat = subprocess.run(
        [str(exe), "chat", "--plain", "--no-save"],
        input="I want to decline\nquit\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert chat.returncode == 0, chat.stderr
    assert "company" in chat.stdout.lower()
    check = subprocess.run([str(exe), "check"], capture_output=True, text=True, cwd=tmp_path, env=env)
    # The packaged content is the shipped content, so it validates cleanly from the wheel too.
    assert check.returncode == 0, check.stdout
