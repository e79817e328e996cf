"""Check that `hexa check --fast` and `marimo check` agree on the notebooks in
`tests/fixtures/cells`, and that `hexa check --fix` leaves notebooks marimo accepts and runs.

Agreement is compared per rule: the (name, cell) pairs of multiple definitions (hexa `P002`,
marimo `MB002`), the cells on cycles (`P003`, `MB003`), the cells with `import *` (`P005`,
`MB005`) and the unparsable cells (hexa `P001`/`N004`, marimo `MB001`). Cells are numbered
from 1 in file order, the setup cell included. marimo's findings are mapped to cells through
their `cell_id`s when they have them, else through their lines.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from marimo._ast.load import load_notebook_ir
from marimo._ast.parse import parse_notebook

ROOT = Path(__file__).resolve().parents[2]
CELLS = ROOT / "tests/fixtures/cells"
HEXA = ROOT / "target/debug/hexa"
NOTEBOOKS = sorted(
    path for path in CELLS.glob("*.py") if not path.name.endswith(".fixed.py")
)
# Notebooks whose problems `--fix` can repair completely.
FIXABLE = [
    "br09_empty_def.py",
    "duplicates.py",
    "fence_prose.py",
    "half_if.py",
    "tabs_mixed.py",
]


def hexa(*args, cwd=ROOT):
    return subprocess.run(
        [str(HEXA), "--python", sys.prefix, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def hexa_verdict(path):
    result = hexa("check", "--fast", "--format", "json", str(path))
    assert result.returncode in (0, 1), result.stderr
    verdict = {"MB002": set(), "MB003": set(), "MB005": set(), "MB001": set()}
    for found in json.loads(result.stdout)["diagnostics"]:
        code, cell = found["code"], found.get("cell")
        if code == "P002":
            name = re.match(r"`([^`]+)`", found["message"]).group(1)
            verdict["MB002"].add((name, cell))
        elif code == "P003":
            verdict["MB003"].add(cell)
        elif code == "P005":
            verdict["MB005"].add(cell)
        elif code in ("P001", "N004"):
            verdict["MB001"].add(cell)
    return verdict


def marimo_check(path):
    result = subprocess.run(
        [sys.executable, "-m", "marimo", "check", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(result.stdout)["issues"]


def marimo_verdict(path):
    ir = parse_notebook(path.read_text(encoding="utf-8"), filepath=str(path))
    starts = [cell.lineno for cell in ir.cells]
    app = load_notebook_ir(ir, filepath=str(path))
    numbers = {
        data.cell_id: index + 1
        for index, data in enumerate(app._cell_manager.cell_data())
    }

    def cell_at(line):
        return max([1] + [i + 1 for i, start in enumerate(starts) if start <= line])

    verdict = {"MB002": set(), "MB003": set(), "MB005": set(), "MB001": set()}
    for issue in marimo_check(path):
        code = issue["code"]
        ids = issue.get("cell_id")
        if ids:
            cells = [numbers[cell_id] for cell_id in ids]
        else:
            cells = [cell_at(line) for line in issue.get("lines") or [issue["line"]]]
        if code == "MB002":
            name = re.search(r"'([^']+)'", issue["message"]).group(1)
            verdict[code].update((name, cell) for cell in cells)
        elif code in verdict:
            verdict[code].update(cells)
    return verdict


def test_fixture_notebooks_found():
    assert len(NOTEBOOKS) >= 12


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_hexa_agrees_with_marimo(path):
    ours = hexa_verdict(path)
    theirs = marimo_verdict(path)
    assert ours["MB002"] == theirs["MB002"], "multiple definitions differ"
    assert ours["MB003"] == theirs["MB003"], "cycles differ"
    assert ours["MB005"] == theirs["MB005"], "import * cells differ"
    assert ours["MB001"] == theirs["MB001"], "unparsable cells differ"


@pytest.mark.parametrize("name", FIXABLE)
def test_fix_leaves_runnable_notebook(name, tmp_path):
    notebook = tmp_path / name
    shutil.copy(CELLS / name, notebook)

    fixed = hexa("check", "--fix", "--fast", str(notebook), cwd=tmp_path)
    assert "fixed[" in fixed.stdout, fixed.stdout + fixed.stderr
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr

    breaking = [i for i in marimo_check(notebook) if i["severity"] == "breaking"]
    assert breaking == []
    ran = hexa("run", str(notebook), cwd=tmp_path)
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_fix_rewrites_only_cells(tmp_path):
    notebook = tmp_path / "duplicates.py"
    shutil.copy(CELLS / "duplicates.py", notebook)
    hexa("check", "--fix", "--fast", str(notebook), cwd=tmp_path)
    before = (CELLS / "duplicates.py").read_text(encoding="utf-8")
    after = notebook.read_text(encoding="utf-8")
    assert after.startswith(before[: before.index("@app.cell")])
    assert after.endswith(before[before.rindex("\n\nif __name__") :])
