"""Fixtures dos testes unitários de hw08."""

import os

import pytest


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Guarda o resultado de cada fase em ``item.rep_<fase>`` (o teste de navegador tira uma
    captura de tela quando a fase ``call`` falhou)."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture
def no_mirror(monkeypatch):
    """Remove HW08_DATA_MIRROR/HW08_DATA_ROOT do ambiente durante o teste."""
    monkeypatch.delenv("HW08_DATA_MIRROR", raising=False)
    monkeypatch.delenv("HW08_DATA_ROOT", raising=False)
    return os.environ


@pytest.fixture(scope="session")
def hw08_kernel_dir(tmp_path_factory):
    """Pasta para ``JUPYTER_PATH`` com o kernel ``hw08`` deste interpretador e deste checkout.

    Igual ao que ``make setup`` registra (nome ``hw08``, "Python (hw08)"), mas apontando para o
    Python que roda o pytest, com a raiz do checkout no ``PYTHONPATH``: o kernel importa o
    ``hw08`` que está sendo testado, com ou sem ``make setup``.
    """
    import json
    import sys
    from pathlib import Path

    root = tmp_path_factory.mktemp("jupyter-path")
    spec = root / "kernels" / "hw08"
    spec.mkdir(parents=True)
    repo = Path(__file__).resolve().parents[1]
    pythonpath = os.pathsep.join(p for p in (str(repo), os.environ.get("PYTHONPATH", "")) if p)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher",
                 "-f", "{connection_file}"],
        "display_name": "Python (hw08)",
        "language": "python",
        "env": {"PYTHONPATH": pythonpath},
        "metadata": {"debugger": True},
    }, indent=1))
    return root
