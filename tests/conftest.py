"""Configuração do pytest: nbval não compara stderr (barras do tqdm, avisos)."""

import os

import pytest


def pytest_collectstart(collector):
    # Notebooks: stdout e os resultados são comparados; stderr traz barras de progresso e
    # avisos que mudam a cada execução.
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)


@pytest.fixture
def no_mirror(monkeypatch):
    """Remove HW08_DATA_MIRROR/HW08_DATA_ROOT do ambiente durante o teste."""
    monkeypatch.delenv("HW08_DATA_MIRROR", raising=False)
    monkeypatch.delenv("HW08_DATA_ROOT", raising=False)
    return os.environ
