"""The README's Python example runs as written (so it cannot drift from the library)."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_blocks_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "the README has no Python example"
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})
    out = capsys.readouterr().out
    assert "three waves" in out and "attacks | policy=" in out


def test_readme_names_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert "uv run lifecycle report" in text
    assert "uv run pytest" in text
