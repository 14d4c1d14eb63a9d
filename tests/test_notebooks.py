"""The notebooks in ``notebooks/`` execute without error, quickly, and show what they promise.

Each notebook is run top to bottom with nbclient in a fresh ``python3`` kernel (the
project's environment) inside a temporary working directory, with ``MPLBACKEND=Agg`` in
the kernel's environment so that no GUI backend is ever selected (the notebooks ask for
the inline backend, which renders with Agg). Every cell has a generous timeout (a hang
fails); no wall time is asserted, since a loaded machine would fail it (run times are
measured in benchmarks/). Key outputs are checked so that a notebook that silently
stops producing its tables or figures fails.

The committed files must be clean: nbformat 4, valid, no outputs, no execution counts.
"""

from __future__ import annotations

import base64
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
EXPECTED = (
    "01_evidence_and_conflicts",
    "02_reproducing_the_figures",
    "03_comparing_wave_definitions",
    "04_sensitivity_and_power",
    "05_your_own_data",
)
CELL_TIMEOUT = 120

#: Per notebook: texts that must appear in the outputs, and the least number of figures.
KEY_OUTPUTS: dict[str, tuple[tuple[str, ...], int]] = {
    "01_evidence_and_conflicts": (
        ("EvidenceError:", "provenance check", "disagreeing pairs", "values_agree"),
        0,
    ),
    "02_reproducing_the_figures": (
        ("Figure 1", "Figure 3", "Figure 4", "never filled", "byte-identical: True"),
        5,
    ),
    "03_comparing_wave_definitions": (("akaike_weight", "admissible break years", "== "), 2),
    "04_sensitivity_and_power": (("readings of", "power"), 2),
    "05_your_own_data": (
        ("missing periods: [1993]", "not matched", "FileFormatError:", "0.497268"),
        3,
    ),
}


def _notebooks() -> list[Path]:
    return sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def _output_text(nb: nbformat.NotebookNode) -> str:
    parts: list[str] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            elif "data" in out:
                data = out["data"]
                parts.append(data.get("text/plain", ""))
                parts.append(data.get("text/html", ""))
            elif out.get("output_type") == "error":
                parts.append(f"{out.get('ename')}: {out.get('evalue')}")
    return "\n".join(parts)


def _n_figures(nb: nbformat.NotebookNode) -> int:
    n = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png and base64.b64decode(png).startswith(b"\x89PNG"):
                n += 1
    return n


def test_every_expected_notebook_is_there() -> None:
    assert [p.stem for p in _notebooks()] == list(EXPECTED)


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.stem)
def test_notebook_is_committed_clean(path: Path) -> None:
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook without code"
    assert nb.cells[0].cell_type == "markdown", "the first cell must say what is asked"
    for cell in code:
        assert cell.outputs == [], f"committed outputs in {path.name}"
        assert cell.execution_count is None, f"committed execution count in {path.name}"


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.stem)
def test_notebook_executes(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPLBACKEND", "Agg")  # inherited by the kernel process
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError on the first cell that fails
    texts, min_figures = KEY_OUTPUTS[path.stem]
    shown = _output_text(nb)
    for text in texts:
        assert text in shown, f"{path.name}: {text!r} missing from the outputs"
    assert "Traceback" not in shown
    assert _n_figures(nb) >= min_figures, f"{path.name}: fewer than {min_figures} figures"
    # the source file is not touched by the run
    assert nbformat.read(path, as_version=4).cells[-1].get("outputs", []) == []
