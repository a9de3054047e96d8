"""Write a runbook from a list of (kind, source) cells, without outputs (outputs are never saved,
so a committed runbook can hold no secret). Usage in code: ``write(path, cells)``."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat


def write(path: Path, cells: list[tuple[str, str]]) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src) for kind, src in cells
    ]
    for i, cell in enumerate(nb.cells):  # stable ids: regenerating gives the same file
        cell["id"] = f"cell-{i:02d}"
    nbformat.write(nb, str(path))


if __name__ == "__main__":
    print(__doc__)
    sys.exit(0)
