"""A conferência dos notebooks ainda FALHA quando um resultado muda de verdade.

Na aritmética canônica (:mod:`hw08.canonical`) a reexecução dá os mesmos bits em qualquer CPU, e a
tolerância pode ser apertada; estes casos provam que ela não aceita outro experimento. Cada caso copia um notebook de
``notebooks/`` para uma pasta temporária com uma mudança material (outra semente, menos épocas),
corta-o logo depois da primeira célula cuja saída salva mostra o resultado afetado e roda a conferência
(``pytest --nbval`` com o plugin do projeto): ela tem de falhar naquela célula. O caso de controle,
sem mudança, tem de passar — senão a falha não provaria nada.

Precisa dos dados (``make data``); leva cerca de um minuto.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbval")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


DATA = Path(os.environ.get("HW08_DATA_ROOT") or ROOT / "data").resolve()


pytestmark = [pytest.mark.notebooks,
              pytest.mark.skipif(not (DATA / "MNIST" / "raw").is_dir(),
                                 reason="sem dados: rode `make data`")]


def _text(cell):
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", ""))
        parts.extend(v for k, v in out.get("data", {}).items() if k.startswith("text/"))
    return "".join(p if isinstance(p, str) else "".join(p) for p in parts)


def _copy(tmp_path, notebook, pattern, replacement, result):
    """Cópia de ``notebook`` com ``pattern`` → ``replacement`` (exatamente uma célula) e cortada na
    primeira célula, a partir da mudada, cuja saída salva contém ``result``. Devolve (caminho,
    índice da célula de código conferida)."""
    nb = nbformat.read(NOTEBOOKS / notebook, as_version=4)
    hits = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and re.search(pattern, c.source)]
    assert len(hits) == 1, f"{notebook}: {pattern!r} deveria aparecer em uma célula, aparece em {hits}"
    changed = hits[0]
    if replacement is not None:
        cell = nb.cells[changed]
        cell.source = re.sub(pattern, replacement, cell.source)
    last = next(i for i in range(changed, len(nb.cells)) if result in _text(nb.cells[i]))
    nb.cells = nb.cells[:last + 1]
    code_index = sum(c.cell_type == "code" for c in nb.cells) - 1
    path = tmp_path / notebook
    nbformat.write(nb, path)
    return path, code_index


def _check(path):
    env = {**os.environ, "HW08_DATA_ROOT": str(DATA)}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "hw08.nbval_plugin", "-p", "no:cacheprovider", "--nbval",
         "--nbval-current-env", "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"),
         "-rA", "--rootdir", str(path.parent), str(path)],
        cwd=path.parent, env=env, capture_output=True, text=True, timeout=900)
    return proc.stdout + proc.stderr


def _status(out, name, index):
    found = re.search(rf"^(PASSED|FAILED) {re.escape(name)}::Cell {index}\b", out, re.M)
    assert found, out[-3000:]
    return found.group(1)


# (notebook, padrão, troca, texto da saída salva que mostra o resultado afetado)
MUTATIONS = [
    pytest.param("01_kmeans_mnist.ipynb", r"\bSEED = 0\b", "SEED = 1", "inércia", id="01-outra-semente"),
    pytest.param("02_gmm_ood.ipynb", r"\bn_epochs=10\b", "n_epochs=1", "acurácia no teste",
                 id="02-mlp-1-epoca"),
    # a mudança que uma tolerância larga deixava passar: o mesmo MLP com outra semente
    pytest.param("02_gmm_ood.ipynb", r"lr_schedule=\"cosine\",\s+random_state=SEED\b",
                 'lr_schedule="cosine",\n                    random_state=1', "acurácia no teste",
                 id="02-mlp-outra-semente"),
]


@pytest.mark.parametrize("notebook, pattern, replacement, result", MUTATIONS)
def test_material_change_fails_the_check(tmp_path, notebook, pattern, replacement, result):
    path, index = _copy(tmp_path, notebook, pattern, replacement, result)
    out = _check(path)
    assert _status(out, notebook, index) == "FAILED", out[-3000:]
    assert "Saída diferente da salva" in out


@pytest.mark.parametrize("notebook, pattern, result", [
    ("01_kmeans_mnist.ipynb", r"\bSEED = 0\b", "inércia"),
    ("02_gmm_ood.ipynb", r"\bn_epochs=10\b", "acurácia no teste")])
def test_unchanged_copy_passes(tmp_path, notebook, pattern, result):
    """Controle: a mesma cópia cortada, sem a mudança, passa (a falha acima vem da mudança)."""
    path, index = _copy(tmp_path, notebook, pattern, None, result)
    out = _check(path)
    assert _status(out, notebook, index) == "PASSED", out[-3000:]
