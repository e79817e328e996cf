"""An ipynb from `hexa export` runs under nbclient, on the `hexa` Jupyter kernel.

nbclient starts the kernelspec named `hexa`, which goes into a folder under `target/` that
`JUPYTER_PATH` points at during the test.
"""

import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
HEXA = ROOT / "target/debug/hexa"
SPEC_PREFIX = ROOT / "target/test-kernelspec-export"
FIZZBUZZ = ROOT / "examples/fizzbuzz.mmd"
EXPECTED = ["1", "2", "Fizz", "4", "Buzz", "Fizz", "7", "8", "Fizz", "Buzz", "11", "Fizz",
            "13", "14", "FizzBuzz"]


def hexa(*args):
    return subprocess.run(
        [str(HEXA), "--python", sys.prefix, *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
    )


def test_exported_ipynb_runs_under_nbclient(tmp_path, monkeypatch):
    hexa("kernel", "install", "--prefix", SPEC_PREFIX)
    monkeypatch.setenv("JUPYTER_PATH", str(SPEC_PREFIX / "share/jupyter"))
    notebook = tmp_path / "fizzbuzz.py"
    hexa("generate", FIZZBUZZ, "--set", "n=15", "-o", notebook)
    exported = tmp_path / "fizzbuzz.ipynb"
    hexa("export", notebook, "--to", "ipynb", "-o", exported)

    document = nbformat.read(exported, as_version=4)
    nbformat.validate(document)
    NotebookClient(document, timeout=60, kernel_name="hexa").execute()

    printed = []
    for cell in document.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                printed.extend(output["text"].splitlines())
    assert printed == EXPECTED
