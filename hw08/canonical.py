"""Aritmética canônica: um só caminho numérico para tudo o que grava ou confere saídas dos notebooks.

O treino do MLP do notebook 02 é caótico: duas CPUs (ou dois números de threads) que somam na ordem de
outro jeito terminam com pesos diferentes na 2ª casa, e nenhuma tolerância separa "outra CPU" de
"outra semente". A saída é fixar a aritmética do torch, de modo que o mesmo código com as versões de
``requirements-lock.txt`` produza **os mesmos bits** em qualquer x86-64 e com qualquer número de threads.

Duas variáveis de ambiente fazem isso, medidas uma a uma com a sonda ``tests/probe_mlp.py`` (uma
época do MLP do 02, SHA-256 dos pesos) num Intel Xeon Sapphire Rapids (AVX-512, 2 núcleos):

==============================================  ==========  ==================
configuração                                    threads     digest
==============================================  ==========  ==================
padrão (ATen AVX-512, MKL automático)           2 / 1       f39aaab5… / 6bd705d3…
só ``ATEN_CPU_CAPABILITY=default``               2           6f7290d1…
só ``MKL_CBWR=COMPATIBLE``                       2           2cfcb7e8…
as duas                                         1, 2, 4, 8  **f19d3a9cee0fdf99**
==============================================  ==========  ==================

* ``ATEN_CPU_CAPABILITY=default``: os kernels do ATen (somas, ``exp``, ``log_softmax``, Adam) sem
  AVX2/AVX-512, o mesmo código em toda CPU.
* ``MKL_CBWR=COMPATIBLE``: o MKL (o GEMM de todo ``nn.Linear`` e ``torch.mm``) no caminho de
  reprodutibilidade condicional (CNR) comum a todas as CPUs x86-64.
* oneDNN não entra: com ``ONEDNN_VERBOSE=1`` a sonda não executa nenhuma primitiva dele.
* OpenBLAS (o ``numpy``/``scipy`` do scikit-learn: ``StandardScaler``, ``PCA``) fica de fora de
  propósito: ``OPENBLAS_CORETYPE``/``OPENBLAS_L2_SIZE`` são definidos por algumas máquinas para o
  OpenBLAS não errar, e essas contas não são caóticas — a conferência as compara com tolerância
  apertada (:mod:`hw08.nbcheck`).

**Por que aqui, e não no ``kernel.json``.** As variáveis valem para o processo inteiro e são lidas
uma vez, quando o torch carrega: têm de estar no ambiente do kernel antes da primeira célula. O kernel
``hw08`` é o que o aluno usa no JupyterLab com a máquina toda (``make lab``); pô-las no ``kernel.json``
deixaria o lab sempre na aritmética lenta. Este módulo é a única definição; quem grava ou confere
saídas a aplica ao kernel que inicia: ``make notebooks``/``make lab-canonico`` (por
``python -m hw08.canonical COMANDO``), o plugin do nbval (:mod:`hw08.nbval_plugin`), a execução do
exportador (:func:`hw08._nbexec.notebook_client`) e a verificação do kit do aluno.

**Custo** (mesma máquina): ``GaussianMixture`` cheia, 10 000 × 64, K = 30 passa de 102 para 284 ms por
iteração — o GEMM do MKL no caminho compatível é o grosso; o MLP custa o mesmo.
"""

from __future__ import annotations

import os
import sys

__all__ = ["CANONICAL_ENV", "PROBE_DIGEST", "canonical_env", "describe", "main"]

#: As variáveis que fixam o caminho numérico do torch (ver o início do módulo).
CANONICAL_ENV = {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE"}

#: Digest da sonda (``tests/probe_mlp.py``) na aritmética canônica, medido num Intel com AVX-512 com
#: 1, 2, 4 e 8 threads; o mesmo valor em outra CPU prova que a aritmética é a mesma.
PROBE_DIGEST = "f19d3a9cee0fdf99"

_THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")


def canonical_env(base=None, *, threads=None):
    """O ambiente ``base`` (padrão: ``os.environ``) com a aritmética canônica.

    Parameters
    ----------
    base : mapping, optional
        Ambiente de partida; não é alterado.
    threads : int, optional
        Fixa ``OMP_NUM_THREADS`` e ``MKL_NUM_THREADS`` (``None``: as da máquina). A aritmética
        canônica dá os mesmos bits com qualquer número; fixar serve para provar isso.

    Returns
    -------
    dict
        Um novo dicionário, pronto para ``subprocess`` ou para o ``env`` de um kernel.
    """
    env = dict(os.environ if base is None else base)
    env.update(CANONICAL_ENV)
    if threads is not None:
        if int(threads) < 1:
            raise ValueError(f"threads deve ser ≥ 1, não {threads}")
        env.update({var: str(int(threads)) for var in _THREAD_VARS})
    return env


def describe(env=None):
    """Uma linha que diz a aritmética de ``env`` (padrão: este processo), para cabeçalhos e logs."""
    env = os.environ if env is None else env
    pairs = " ".join(f"{k}={env.get(k, '-')}" for k in CANONICAL_ENV)
    ok = all(env.get(k) == v for k, v in CANONICAL_ENV.items())
    threads = env.get("OMP_NUM_THREADS") or f"todas ({os.cpu_count()})"
    return f"aritmética {'canônica' if ok else 'NÃO canônica'} ({pairs}), threads: {threads}"


_USAGE = """uso: python -m hw08.canonical [--threads N] COMANDO [ARGUMENTOS...]

Executa COMANDO na aritmética canônica do hw08 (os mesmos bits em qualquer CPU x86-64).
Exemplos:
  python -m hw08.canonical jupyter lab               # o lab com os números exatos da solução
  python -m hw08.canonical --threads 1 pytest notebooks --nbval
  python -m hw08.canonical --env                     # só mostra as variáveis"""


def main(argv=None):
    """``python -m hw08.canonical [--threads N] COMANDO...``: substitui o processo por COMANDO."""
    args = list(sys.argv[1:] if argv is None else argv)
    threads = None
    if args[:1] == ["--env"]:
        print("\n".join(f"{k}={v}" for k, v in CANONICAL_ENV.items()))
        return 0
    if args[:1] == ["--threads"]:
        if len(args) < 2 or not args[1].isdigit() or int(args[1]) < 1:
            print("erro: --threads pede um inteiro ≥ 1 (ex.: --threads 1).", file=sys.stderr)
            return 2
        threads, args = int(args[1]), args[2:]
    if not args or args[0] in ("-h", "--help"):
        print(_USAGE, file=sys.stderr if not args else sys.stdout)
        return 2 if not args else 0
    env = canonical_env(threads=threads)
    print(describe(env), file=sys.stderr)
    try:
        os.execvpe(args[0], args, env)
    except FileNotFoundError:
        print(f"erro: comando não encontrado: {args[0]} (está no PATH? dentro do .venv use "
              f".venv/bin/{args[0]}).", file=sys.stderr)
        return 127


if __name__ == "__main__":
    sys.exit(main())
