"""A aritmética canônica (:mod:`hw08.canonical`) dá os mesmos bits com qualquer número de threads — e
o mesmo digest gravado no repositório, medido em outra CPU.

A sonda (``tests/probe_mlp.py``) treina uma época do MLP do notebook 02 e imprime o SHA-256 dos
pesos. Se o digest daqui difere de ``PROBE_DIGEST``, a aritmética desta máquina não é a canônica
(outra versão do torch/MKL, ou uma variável que falta) e as saídas salvas não podem ser reproduzidas
bit a bit: o teste falha dizendo isso. Precisa dos dados (``make data``); cerca de 10 s por execução.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hw08 import canonical

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("HW08_DATA_ROOT") or ROOT / "data").resolve()
needs_data = pytest.mark.skipif(not (DATA / "MNIST" / "raw").is_dir(), reason="sem dados: rode `make data`")


def _probe(env):
    proc = subprocess.run([sys.executable, str(ROOT / "tests" / "probe_mlp.py")],
                          env={**env, "HW08_DATA_ROOT": str(DATA)}, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = re.search(r"digest (\w+) threads (\d+) isa (\w+)", proc.stdout)
    assert found, proc.stdout
    return found.group(1), int(found.group(2)), found.group(3)


@needs_data
@pytest.mark.parametrize("threads", sorted({1, 2, os.cpu_count() or 1}))
def test_probe_gives_the_recorded_digest(threads):
    digest, used, isa = _probe(canonical.canonical_env(threads=threads))
    assert isa == "DEFAULT"
    assert used == threads
    assert digest == canonical.PROBE_DIGEST, (
        f"com {threads} thread(s) a sonda deu {digest}, não {canonical.PROBE_DIGEST}: esta máquina "
        "não reproduz a aritmética canônica (versões de requirements-lock.txt? variável faltando?)")


def test_canonical_env_sets_only_what_it_says():
    base = {"PATH": "/bin", "OPENBLAS_CORETYPE": "Haswell", "MKL_CBWR": "AUTO"}
    env = canonical.canonical_env(base, threads=3)
    assert env == {"PATH": "/bin", "OPENBLAS_CORETYPE": "Haswell", "ATEN_CPU_CAPABILITY": "default",
                   "MKL_CBWR": "COMPATIBLE", "OMP_NUM_THREADS": "3", "MKL_NUM_THREADS": "3"}
    assert base["MKL_CBWR"] == "AUTO"            # a base não é alterada
    assert "OMP_NUM_THREADS" not in canonical.canonical_env(base)
    with pytest.raises(ValueError):
        canonical.canonical_env(base, threads=0)


def test_describe_says_when_it_is_not_canonical():
    assert "NÃO canônica" in canonical.describe({"ATEN_CPU_CAPABILITY": "default"})
    assert "aritmética canônica" in canonical.describe(canonical.canonical_env({}, threads=1))


def test_command_runs_under_the_canonical_arithmetic():
    code = "import os, torch; print(os.environ['MKL_CBWR'], torch.backends.cpu.get_cpu_capability())"
    proc = subprocess.run([sys.executable, "-m", "hw08.canonical", "--threads", "1", sys.executable, "-c", code],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["COMPATIBLE", "DEFAULT"]
    assert "aritmética canônica" in proc.stderr and "threads: 1" in proc.stderr


@pytest.mark.parametrize("args, message", [(["--threads", "zero", "true"], "--threads pede"),
                                           (["comando-que-nao-existe-hw08"], "comando não encontrado"),
                                           ([], "uso:")])
def test_bad_command_line_gets_a_short_message(args, message):
    proc = subprocess.run([sys.executable, "-m", "hw08.canonical", *args], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr
