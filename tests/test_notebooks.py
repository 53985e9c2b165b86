"""The analyst notebooks run end to end; a failing cell fails the suite; outputs are stripped."""

import copy
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ALL = sorted(NOTEBOOKS.glob("*.ipynb"))


def run(nb, timeout=600):
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()
    return nb


def test_there_are_two_notebooks():
    assert [p.name for p in ALL] == ["01-explore-a-chain.ipynb", "02-neo4j-and-cypher.ipynb"]


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_outputs_are_stripped_before_commit(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear outputs before commit"


def test_explore_a_chain_runs():
    nb = run(nbformat.read(NOTEBOOKS / "01-explore-a-chain.ipynb", as_version=4))
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "uncovered-problems" in text and "个节点 nodes" in text
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the plots were drawn


def test_a_raising_cell_fails_the_run():
    nb = nbformat.read(NOTEBOOKS / "01-explore-a-chain.ipynb", as_version=4)
    broken = copy.deepcopy(nb)
    broken.cells.insert(3, nbformat.v4.new_code_cell("raise RuntimeError('a cell an analyst broke')"))
    with pytest.raises(CellExecutionError, match="a cell an analyst broke"):
        run(broken)


@pytest.mark.neo4j
def test_neo4j_and_cypher_runs(neo4j_db):
    # the kernel inherits NEO4J_URI & co. from this process: it finds the server as an analyst would
    nb = run(nbformat.read(NOTEBOOKS / "02-neo4j-and-cypher.ipynb", as_version=4))
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert neo4j_db.counts()["nodes"]["Chain"] == 28  # the notebook really loaded the demo
