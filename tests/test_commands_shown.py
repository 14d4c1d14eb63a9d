"""Every shell command the README and the notebooks show exists and runs (issue 13).

Commands are collected from the README's ``bash`` blocks and from the inline code spans
of the README and the notebooks that start with ``lifecycle`` or ``uv run lifecycle``.
Each is parsed by the real argument parser (so an option or subcommand that does not
exist fails) and then run in a scratch folder that holds the files the docs name
(``mydata.csv``, the notebook's ``my_series.csv``, a small GTD export). To keep the
suite short, ``report`` runs with ``--bootstrap 19`` added, and on the embedded evidence
with ``--only clashes``; ``uv run pytest`` is the suite itself and is not run again.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest
from test_events import GTD_COLUMNS, gtd_row, write_csv

from lifecycle.cli.main import main
from lifecycle.cli.parser import build_parser

ROOT = Path(__file__).resolve().parents[1]
ISIL = "Islamic State of Iraq and the Levant (ISIL)"


def _spans(text: str) -> list[str]:
    return [s for s in re.findall(r"`([^`\n]+)`", text) if re.match(r"(uv run )?lifecycle ", s)]


def shown_commands() -> list[tuple[str, list[str]]]:
    """(where, argv) of every command shown, ``uv run`` dropped."""
    out: list[tuple[str, list[str]]] = []
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for block in re.findall(r"```bash\n(.*?)```", readme, re.S):
        for line in block.splitlines():
            argv = shlex.split(line, comments=True)
            if argv:
                out.append(("README.md", argv))
    out += [("README.md", shlex.split(s)) for s in _spans(readme)]
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            text = "".join(cell["source"])
            out += [(nb.name, shlex.split(s)) for s in _spans(text)]
            if cell["cell_type"] == "code":
                out += [(nb.name, shlex.split(ln[1:])) for ln in text.splitlines()
                        if ln.startswith("!")]  # fmt: skip
    return [(w, a[2:] if a[:2] == ["uv", "run"] else a) for w, a in out]


COMMANDS = shown_commands()


def test_the_docs_show_commands():
    where = {w for w, _ in COMMANDS}
    assert "README.md" in where and "05_your_own_data.ipynb" in where
    assert ["lifecycle", "report", "--out", "report"] in [a for _, a in COMMANDS]


@pytest.mark.parametrize("argv", [a for _, a in COMMANDS], ids=[" ".join(a) for _, a in COMMANDS])
def test_command_exists(argv):
    if argv[0] == "pytest":
        import importlib.util

        assert importlib.util.find_spec("pytest") is not None
        return
    assert argv[0] == "lifecycle", argv
    try:
        build_parser().parse_args(argv[1:])  # an unknown subcommand or option exits here
    except SystemExit as exc:  # --help and --version exit with status 0
        assert exc.code == 0 and {"--help", "--version"} & set(argv), argv


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """A folder with the files the docs name, as the current directory."""
    counts = [3, 8, 15, 22, 14, 9, 4, 5, 11, 19, 24, 18]
    (tmp_path / "mydata.csv").write_text(
        "year,count\n" + "".join(f"{2010 + i},{c}\n" for i, c in enumerate(counts))
    )
    # notebook 05's file: no 2007, a partial last year
    (tmp_path / "my_series.csv").write_text(
        "year,count,exposure\n2001,3,1\n2002,8,1\n2003,15,1\n2004,22,1\n2005,12,1\n2006,6,1\n"
        "2008,5,1\n2009,13,1\n2010,24,1\n2011,9,0.5\n"
    )
    rows = [
        gtd_row(f"{y}{k:08d}", y, 1 + k % 12, 1 + k % 28, gname=ISIL)
        for y, n in zip(range(2013, 2021), [2, 9, 14, 6, 3, 4, 10, 12], strict=True)
        for k in range(n)
    ]
    write_csv(tmp_path / "globalterrorismdb.csv", rows, GTD_COLUMNS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("argv", [a for _, a in COMMANDS], ids=[" ".join(a) for _, a in COMMANDS])
def test_command_runs(argv, scratch, capsys):
    if argv[0] == "pytest":
        pytest.skip("the test suite itself")
    args = list(argv[1:])
    if args[0] == "report":
        args += ["--bootstrap", "19", "--no-progress"]
        if not any(a.endswith(".csv") for a in args[1:]):
            args += ["--only", "clashes"]
    elif args[0] in ("detect", "test"):
        args += ["--bootstrap", "19"]
    rc = main(args)
    captured = capsys.readouterr()
    assert rc == 0, captured.err
