"""Check that marimo's `compile_cell` agrees with hexa's name analysis fixture.

`flowchart/tests/fixtures/cells/scope_cases.json` lists cells with the defs, refs and private
defs that hexa's `pyscope::analyze` must return (the Rust test `scope_matches_marimo_fixture`
asserts that). This test asserts that the installed marimo returns the same, so both passing
means hexa and marimo agree on every case.
"""

import json
import re
from pathlib import Path

import pytest
from marimo._ast.compiler import compile_cell
from marimo._ast.variables import BUILTINS

FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "flowchart/tests/fixtures/cells/scope_cases.json"
)
CASES = json.loads(FIXTURE.read_text(encoding="utf-8"))
CELL_ID = "Hbol"


def test_fixture_has_enough_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_marimo_matches_fixture(case):
    cell = compile_cell(case["code"], cell_id=CELL_ID)
    # marimo renames a cell's private names to `_cell_<id><name>`; hexa keeps the plain name.
    private_defs = {re.sub(f"^_cell_{CELL_ID}", "", name) for name in cell.temporaries}

    assert sorted(cell.defs) == case["defs"]
    # hexa keeps builtins apart from refs, marimo mixes them in.
    assert sorted(cell.refs - BUILTINS) == case["refs"]
    assert sorted(private_defs) == case["private_defs"]
