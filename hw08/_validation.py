"""Validação de entradas, escolha de dispositivo e geradores aleatórios.

Funções pequenas e compartilhadas por todos os estimadores de ``hw08``: cada erro
é um ``ValueError`` em português que diz o que fazer, levantado antes de qualquer
conta, nunca um traceback vindo de dentro do torch.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch

__all__ = [
    "resolve_device",
    "check_array",
    "check_n_clusters",
    "check_positive_int",
    "make_generator",
    "to_numpy",
]


def resolve_device(device=None) -> torch.device:
    """Converte ``device`` em um ``torch.device``.

    Parameters
    ----------
    device : {None, "auto", "cpu", "cuda", "cuda:N"} or torch.device, default=None
        ``None`` ou ``"auto"`` escolhem CUDA quando disponível e CPU caso contrário.

    Returns
    -------
    torch.device
    """
    if device is None or (isinstance(device, str) and device == "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} não é um dispositivo válido: use 'auto', 'cpu' ou 'cuda'."
        ) from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} pede uma GPU, mas o torch não encontrou CUDA nesta máquina: "
            "use device='cpu' ou device='auto'."
        )
    return dev


def check_array(X, *, name="X", ndim=2, device=None, dtype=torch.float32, allow_nan=False,
                min_samples=1) -> torch.Tensor:
    """Converte ``X`` (array numpy, lista ou tensor) em um tensor validado.

    Parameters
    ----------
    X : array-like or torch.Tensor
        Dados de entrada.
    name : str, default="X"
        Nome usado nas mensagens de erro.
    ndim : int or None, default=2
        Número de dimensões exigido; ``None`` não verifica.
    device : torch.device or str, default=None
        Dispositivo de destino (ver :func:`resolve_device`).
    dtype : torch.dtype, default=torch.float32
        Tipo de destino.
    allow_nan : bool, default=False
        Se ``True``, aceita NaN (mas nunca infinito).
    min_samples : int, default=1
        Número mínimo de linhas.

    Returns
    -------
    torch.Tensor
    """
    if X is None:
        raise ValueError(f"{name} é None: passe um array de forma (n_amostras, n_atributos).")
    if isinstance(X, torch.Tensor):
        t = X.detach()
    else:
        try:
            arr = np.asarray(X)
        except Exception as exc:  # noqa: BLE001 - qualquer falha de conversão vira mensagem clara
            raise ValueError(f"{name} não pôde ser convertido em array numérico: {exc}") from exc
        if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            raise ValueError(
                f"{name} precisa ser numérico (recebido dtype {arr.dtype}); converta-o com "
                "np.asarray(X, dtype=float)."
            )
        t = torch.from_numpy(np.ascontiguousarray(arr))
    if ndim is not None and t.ndim != ndim:
        hint = ""
        if ndim == 2 and t.ndim == 1:
            hint = " Para uma única amostra use X.reshape(1, -1); para um único atributo, X.reshape(-1, 1)."
        elif ndim == 2 and t.ndim > 2:
            hint = " Para imagens, achate-as antes: X.reshape(len(X), -1)."
        raise ValueError(
            f"{name} deve ter {ndim} dimensões (n_amostras, n_atributos), mas tem forma "
            f"{tuple(t.shape)}.{hint}"
        )
    if t.ndim >= 1 and t.shape[0] < min_samples:
        raise ValueError(
            f"{name} tem {t.shape[0]} amostra(s), mas são necessárias pelo menos {min_samples}."
        )
    if t.ndim == 2 and t.shape[1] == 0:
        raise ValueError(f"{name} não tem nenhum atributo (forma {tuple(t.shape)}).")
    t = t.to(device=resolve_device(device), dtype=dtype)
    if t.is_floating_point():
        if allow_nan:
            bad = torch.isinf(t).any()
            what = "valores infinitos"
        else:
            # caminho rápido (como no scikit-learn): uma soma finita garante entradas finitas;
            # só se ela não for finita (NaN, inf ou estouro) olhamos entrada por entrada
            bad = not bool(torch.isfinite(t.sum())) and not bool(torch.isfinite(t).all())
            what = "NaN ou infinito"
        if bool(bad):
            raise ValueError(
                f"{name} contém {what}. Remova ou impute essas entradas antes de ajustar o modelo"
                + ("." if allow_nan else " (para entradas faltantes use MissingKMeans).")
            )
    return t


def check_positive_int(value, name, *, minimum=1) -> int:
    """Garante que ``value`` é um inteiro ``>= minimum`` e o devolve como ``int``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} deve ser um inteiro >= {minimum}; recebido {value!r}.")
    return int(value)


def check_n_clusters(n_clusters, n_samples, name="n_clusters") -> int:
    """Valida o número de grupos contra o número de amostras."""
    k = check_positive_int(n_clusters, name)
    if k > n_samples:
        raise ValueError(
            f"{name}={k} é maior que o número de amostras ({n_samples}): escolha "
            f"{name} <= {n_samples} ou use mais dados."
        )
    return k


def make_generator(random_state=None) -> torch.Generator:
    """Cria um ``torch.Generator`` (na CPU) a partir de ``random_state``.

    Parameters
    ----------
    random_state : None, int, numpy.random.Generator or torch.Generator
        ``None`` usa uma semente nova a cada chamada; um inteiro dá resultados reprodutíveis.
    """
    if isinstance(random_state, torch.Generator):
        return random_state
    gen = torch.Generator()
    if random_state is None:
        gen.seed()
    elif isinstance(random_state, np.random.Generator):
        gen.manual_seed(int(random_state.integers(0, 2**63 - 1)))
    elif isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state deve ser >= 0; recebido {random_state}.")
        gen.manual_seed(int(random_state))
    else:
        raise ValueError(
            f"random_state={random_state!r} inválido: use None, um inteiro, "
            "numpy.random.Generator ou torch.Generator."
        )
    return gen


def to_numpy(t) -> np.ndarray:
    """Devolve ``t`` como array numpy (copiando da GPU se preciso)."""
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy()
    return np.asarray(t)
