"""Fixtures dos testes unitários de hw08."""

import os

import pytest


@pytest.fixture
def no_mirror(monkeypatch):
    """Remove HW08_DATA_MIRROR/HW08_DATA_ROOT do ambiente durante o teste."""
    monkeypatch.delenv("HW08_DATA_MIRROR", raising=False)
    monkeypatch.delenv("HW08_DATA_ROOT", raising=False)
    return os.environ
