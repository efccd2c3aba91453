"""Every analyst notebook runs top to bottom on a copy of the seeded data.

The kernel (``python3`` from the venv) inherits ``GKA_DATA_DIR`` and ``GKA_MODEL_DIR`` from
this process; the notebooks open the engine through the package's public API.
"""

from __future__ import annotations

import importlib.util
import shutil

import pytest

from .conftest import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

pytestmark = pytest.mark.slow

NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = ["01_overzicht.ipynb", "02_vergelijkbare_agendas.ipynb", "03_gaten_analyse.ipynb",
             "04_matchkwaliteit.ipynb"]
CELL_TIMEOUT = 600


def _generator():
    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOK_DIR / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_notebooks_are_the_generated_ones():
    """The .ipynb files are valid and exactly what make_notebooks.py writes (no stale copies)."""
    generated = _generator().NOTEBOOKS
    assert sorted(generated) == sorted(NOTEBOOKS) == sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))
    for name, notebook in generated.items():
        on_disk = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
        nbformat.validate(on_disk)
        assert [c.source for c in on_disk.cells] == [c.source for c in notebook.cells], name
        assert on_disk.metadata.kernelspec.name == "python3"


@pytest.fixture(scope="module")
def notebook_env(seeded_dir, model_dir, tmp_path_factory):
    """A copy of the seeded data dir, exported to the kernels through os.environ."""
    data = tmp_path_factory.mktemp("notebook-data")
    shutil.copytree(seeded_dir, data, dirs_exist_ok=True, ignore=shutil.ignore_patterns("models"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GKA_DATA_DIR", str(data))
        mp.setenv("GKA_MODEL_DIR", str(model_dir))
        mp.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend draws the plots
        mp.setenv("TQDM_DISABLE", "1")
        yield data


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name, notebook_env, tmp_path):
    from jupyter_client.kernelspec import KernelSpecManager

    assert "python3" in KernelSpecManager().find_kernel_specs(), (
        "no python3 kernel: .venv/bin/python -m ipykernel install --sys-prefix --name python3")
    notebook = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        nbformat.write(notebook, tmp_path / name)
        pytest.fail(f"{name} failed (executed copy: {tmp_path / name}):\n{exc}")
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), f"{name} drew no plot"
    first = "".join(o.get("text", "") for o in notebook.cells[1].outputs if o.output_type == "stream")
    assert str(notebook_env) in first  # it used the data dir we gave it, not ./var
