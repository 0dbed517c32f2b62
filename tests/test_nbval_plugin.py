"""hw08.nbval_plugin de ponta a ponta: o nbval de verdade executa um notebook minúsculo.

Cada célula do notebook de teste imprime um valor e traz uma saída salva e uma tolerância; o notebook
é reexecutado com ``pytest --nbval`` num subprocesso (kernel do próprio ambiente) e o resultado de
cada célula é conferido — passou ou falhou, e com que mensagem.
"""

import os
import re
import subprocess
import sys

import nbformat
import pytest

pytest.importorskip("nbval")

WIDE = {"rtol": 1e-3, "reason": "tolerância do teste"}
# (código, saída salva, tolerância da célula, deve passar?)
CASES = [
    ("print('valor: 1.0000')", "valor: 1.0000\n", None, True),             # igual
    ("print('valor: 1.0004')", "valor: 1.0000\n", None, False),            # padrão é apertada
    ("print('valor: 1.0004')", "valor: 1.0000\n", WIDE, True),             # dentro da declarada
    ("print('valor: 1.0100')", "valor: 1.0000\n", WIDE, False),            # mudança material
    ("print('valor = 1.0000')", "valor: 1.0000\n", {"rtol": 1, "reason": "x"}, False),  # texto exato
    ("print('acurácia 0,9815')", "acurácia 0,9817\n", WIDE, True),         # vírgula decimal
    ("1 + 2;", None, None, True),      # ';' suprime a saída, como no Jupyter (store_history=True)
]


def _write(path, cases, nb_tol=None):
    nb = nbformat.v4.new_notebook()
    if nb_tol is not None:
        nb.metadata["hw08"] = {"tolerance": nb_tol}
    for n, (code, saved, tol, _) in enumerate(cases, start=1):
        cell = nbformat.v4.new_code_cell(code, execution_count=n)
        if saved is not None:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=saved)]
        if tol is not None:
            cell.metadata["hw08"] = {"tolerance": tol}
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


def _run(path):
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "hw08.nbval_plugin", "-p", "no:cacheprovider",
         "--nbval", "--nbval-current-env", "-rA", "--rootdir", str(path.parent), str(path)],
        cwd=path.parent, capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


def test_each_cell_passes_or_fails_by_its_declared_tolerance(tmp_path):
    rc, out = _run(_write(tmp_path / "nb.ipynb", CASES))
    assert rc == 1, out
    for n, (*_, ok) in enumerate(CASES):
        status = re.search(rf"^(PASSED|FAILED) nb\.ipynb::Cell {n}\b", out, re.M)
        assert status and status.group(1) == ("PASSED" if ok else "FAILED"), (n, out)
    assert "salvo 1.0000, obtido 1.0004" in out                     # diz qual número e quanto
    assert "motivo: tolerância do teste" in out                      # e a tolerância que valeu
    assert "fora dos números" in out


def test_notebook_tolerance_applies_to_every_cell_and_needs_a_reason(tmp_path):
    cases = [("print('valor: 1.0004')", "valor: 1.0000\n", None, True)]
    rc, out = _run(_write(tmp_path / "nb.ipynb", cases, nb_tol=WIDE))
    assert rc == 0, out
    rc, out = _run(_write(tmp_path / "nb.ipynb", cases, nb_tol={"rtol": 1e-3}))
    assert rc != 0 and "mais larga" in out and "reason" in out, out


def test_kernels_run_in_the_canonical_arithmetic(tmp_path):
    """O kernel que o nbval inicia herda a aritmética canônica, e o cabeçalho do pytest diz qual."""
    code = "import os, torch\nprint(os.environ['MKL_CBWR'], torch.backends.cpu.get_cpu_capability())"
    rc, out = _run(_write(tmp_path / "nb.ipynb", [(code, "COMPATIBLE DEFAULT\n", None, True)]))
    assert rc == 0, out
    assert "hw08: notebooks conferidos na aritmética canônica" in out
