"""Write marimo notebooks with N small cells each, for the warm-versus-cold run benchmark."""

import sys
from pathlib import Path

from marimo._ast.cell import CellConfig
from marimo._ast.codegen import generate_filecontents


def notebook(cells: int) -> str:
    codes = ["x_0 = 0"]
    for i in range(1, cells):
        codes.append(f"x_{i} = x_{i - 1} + {i}\nprint(x_{i})")
    return generate_filecontents(codes, ["_"] * cells, [CellConfig() for _ in codes])


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for cells in (10, 100):
        (out / f"cells_{cells}.py").write_text(notebook(cells))
