"""Generated notebooks are already in marimo's own file format: saving them changes nothing."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEXA = ROOT / "target" / "debug" / "hexa"
FIXTURES = ROOT / "flowchart" / "tests" / "fixtures" / "parse"
CHARTS = sorted(FIXTURES.glob("corpus/*.mmd")) + sorted(FIXTURES.glob("algorithms/*.mmd"))


def test_marimo_fix_leaves_notebooks_unchanged(tmp_path):
    generated = {}
    for chart in CHARTS:
        notebook = tmp_path / f"{chart.parent.name}_{chart.stem}.py"
        subprocess.run(
            [HEXA, "generate", chart, "-o", notebook, "--python", sys.executable],
            check=True,
            capture_output=True,
        )
        generated[notebook] = notebook.read_text()
    assert len(generated) == 50
    # One marimo process rewrites every file into its canonical format.
    subprocess.run(
        [sys.executable, "-m", "marimo", "check", "--fix", *generated],
        capture_output=True,
    )
    changed = [path.name for path, text in generated.items() if path.read_text() != text]
    assert changed == []
