"""Validação de entradas e de hiperparâmetros, dispositivo, geradores aleatórios e progresso.

O único lugar onde ``hw08`` valida alguma coisa, compartilhado por todos os estimadores: cada
erro é um ``ValueError`` em português que diz o que fazer, levantado antes de qualquer conta,
nunca um traceback vindo de dentro do torch.

Os hiperparâmetros são validados de forma declarativa: cada estimador tem um dicionário
``_param_rules = {"nome": [regra, ...]}`` (o valor é aceito se alguma regra o aceita) e chama
:func:`validate_params` no começo de ``fit``. As regras (:class:`Interval`, :class:`Options`,
:data:`DEVICE`, :data:`RANDOM_STATE`, :data:`VERBOSE`, ...) estão todas aqui, assim como as
convenções comuns: ``device`` padrão ``"cpu"`` (previsível: só ``"auto"`` ou ``"cuda"`` usam a
GPU), ``verbose`` inteiro (0 = silêncio, 1 = barra de progresso, 2 = uma linha por iteração) e
``random_state`` como no scikit-learn (``None``, inteiro ou ``numpy.random.RandomState``, e ainda
``numpy.random.Generator`` ou ``torch.Generator``).
"""

from __future__ import annotations

import numbers

import numpy as np
import torch

__all__ = [
    "DEFAULT_DEVICE",
    "resolve_device",
    "check_array",
    "check_n_clusters",
    "check_positive_int",
    "check_fitted",
    "check_n_features",
    "make_generator",
    "to_numpy",
    "validate_params",
    "progress_bar",
    "Interval",
    "Options",
    "DEVICE",
    "RANDOM_STATE",
    "VERBOSE",
    "ARRAY",
    "NONE",
    "BOOL",
]

#: dispositivo padrão de todos os estimadores: a CPU, para que o resultado não dependa da
#: máquina; ``device="auto"`` usa a GPU quando houver.
DEFAULT_DEVICE = "cpu"


# ---------------------------------------------------------------------------- regras declarativas
class _Rule:
    """Uma regra de validação: ``accepts(valor)`` e uma descrição em português."""

    def __init__(self, accepts, text):
        self.accepts, self.text = accepts, text

    def __repr__(self):
        return self.text


class Interval(_Rule):
    """Número (``kind=numbers.Integral`` ou ``numbers.Real``) em ``[low, high]``.

    ``closed`` diz quais extremos valem: ``"both"``, ``"left"``, ``"right"`` ou ``"neither"``;
    ``None`` num extremo = sem limite. ``bool`` nunca é aceito como número.
    """

    def __init__(self, kind, low=None, high=None, closed="both"):
        def accepts(v):
            if isinstance(v, bool) or not isinstance(v, kind):
                return False
            if low is not None and (v < low or (v == low and closed in ("right", "neither"))):
                return False
            if high is not None and (v > high or (v == high and closed in ("left", "neither"))):
                return False
            return not (isinstance(v, numbers.Real) and v != v)  # NaN
        what = "um inteiro" if kind is numbers.Integral else "um número"
        left = "[" if closed in ("both", "left") else "("
        right = "]" if closed in ("both", "right") else ")"
        if low is not None and high is None:
            text = f"{what} {'>=' if left == '[' else '>'} {low}"
        elif low is None and high is not None:
            text = f"{what} {'<=' if right == ']' else '<'} {high}"
        else:
            text = f"{what} em {left}{low}, {high}{right}"
        super().__init__(accepts, text)


class Options(_Rule):
    """Um dos valores listados (strings, em geral)."""

    def __init__(self, *values):
        super().__init__(lambda v: isinstance(v, (str, type(None))) and v in values,
                         "um de " + ", ".join(repr(v) for v in values))


def _is_device(v):
    if isinstance(v, torch.device):
        return True
    if not isinstance(v, str):
        return False
    return v in ("auto", "cpu", "cuda") or v.startswith("cuda:")


def _is_random_state(v):
    return (v is None or isinstance(v, (np.random.RandomState, np.random.Generator, torch.Generator))
            or (isinstance(v, numbers.Integral) and not isinstance(v, bool) and 0 <= v < 2**32))


def _is_array(v):
    return v is not None and not isinstance(v, (str, bytes, dict)) and hasattr(v, "__len__")


DEVICE = _Rule(_is_device, "'cpu', 'cuda', 'cuda:N', 'auto' ou um torch.device")
RANDOM_STATE = _Rule(_is_random_state, "None, um inteiro em [0, 2**32) ou um numpy.random.RandomState "
                                      "(ou numpy.random.Generator, torch.Generator)")
VERBOSE = _Rule(lambda v: isinstance(v, numbers.Integral) and v >= 0,
                "um inteiro >= 0 (0 = silêncio, 1 = barra de progresso, 2 = uma linha por iteração)")
ARRAY = _Rule(_is_array, "um array")
NONE = _Rule(lambda v: v is None, "None")
BOOL = _Rule(lambda v: isinstance(v, (bool, np.bool_)), "True ou False")


def validate_params(estimator):
    """Confere cada hiperparâmetro de ``estimator`` contra ``estimator._param_rules``.

    Raises
    ------
    ValueError
        Em português, com o valor recebido e o que é aceito.
    """
    name = type(estimator).__name__
    for param, rules in estimator._param_rules.items():
        value = getattr(estimator, param)
        if not any(rule.accepts(value) for rule in rules):
            accepted = " ou ".join(rule.text for rule in rules)
            raise ValueError(f"{name}: {param}={value!r} inválido; use {accepted}.")


def resolve_device(device=None) -> torch.device:
    """Converte ``device`` em um ``torch.device``.

    Parameters
    ----------
    device : {None, "auto", "cpu", "cuda", "cuda:N"} or torch.device, default=None
        ``"auto"`` (e ``None``, aceito por compatibilidade) escolhe CUDA quando disponível e CPU
        caso contrário.

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
    dtype : torch.dtype or "preserve", default=torch.float32
        Tipo de destino; ``"preserve"`` mantém ``float64`` (de numpy ou torch) e converte todo o
        resto para ``float32``, como o scikit-learn preserva o dtype da entrada.
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
    if hasattr(X, "toarray") and hasattr(X, "nnz"):  # matriz esparsa do SciPy
        raise ValueError(
            f"{name} é uma matriz esparsa (sparse) do SciPy, que não é aceita: converta-a com "
            f"{name}.toarray()."
        )
    if isinstance(X, torch.Tensor):
        t = X.detach()
    else:
        try:
            arr = np.asarray(X)
        except Exception as exc:  # noqa: BLE001 - qualquer falha de conversão vira mensagem clara
            raise ValueError(f"{name} não pôde ser convertido em array numérico: {exc}") from exc
        if arr.dtype == object:  # números guardados como objetos (ex.: DataFrame misto)
            try:
                arr = arr.astype(np.float64)
            except (TypeError, ValueError):
                pass
        if np.issubdtype(arr.dtype, np.complexfloating):
            raise ValueError(f"{name} tem números complexos, que não são aceitos: use a parte real "
                             f"(np.real({name})) ou o módulo (np.abs({name})).")
        if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            raise ValueError(
                f"{name} precisa ser numérico (recebido dtype {arr.dtype}); converta-o com "
                "np.asarray(X, dtype=float)."
            )
        arr = np.ascontiguousarray(arr)
        if not arr.flags.writeable:  # o torch não aceita memória só de leitura (ex.: memmap)
            arr = arr.copy()
        t = torch.from_numpy(arr)
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
    if isinstance(dtype, str) and dtype == "preserve":
        dtype = torch.float64 if t.dtype == torch.float64 else torch.float32
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


def check_fitted(estimator, attributes):
    """``NotFittedError`` (do scikit-learn; também ``ValueError``) em português se não ajustado."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator, attributes, msg=(
        f"Este {type(estimator).__name__} ainda não foi ajustado: chame fit antes de usá-lo."))


def check_n_features(estimator, X, *, reset):
    """Guarda (``reset=True``) ou confere ``n_features_in_`` contra a largura de ``X``."""
    n_features = X.shape[1]
    if reset:
        estimator.n_features_in_ = n_features
    elif n_features != estimator.n_features_in_:
        raise ValueError(
            f"X tem {n_features} atributos, mas este {type(estimator).__name__} foi ajustado com "
            f"{estimator.n_features_in_}: passe dados com as mesmas colunas do ajuste."
        )


def progress_bar(verbose, total, desc, unit="it"):
    """Barra ``tqdm.auto`` se ``verbose >= 1``; senão ``None``.

    Num notebook, a versão salva da barra é uma linha de texto, não a barra congelada em 0 % do
    instante em que foi criada (:func:`hw08.interactive.progress`).
    """
    if not verbose:
        return None
    from .interactive import progress
    return progress(total=total, desc=desc, unit=unit, leave=False)


def make_generator(random_state=None) -> torch.Generator:
    """Cria um ``torch.Generator`` (na CPU) a partir de ``random_state``.

    Parameters
    ----------
    random_state : None, int, numpy.random.RandomState, numpy.random.Generator or torch.Generator
        ``None`` usa uma semente nova a cada chamada; um inteiro dá resultados reprodutíveis; um
        ``RandomState`` (como no scikit-learn) ou ``Generator`` do numpy fornece a semente e avança.
        Um ``torch.Generator`` é usado diretamente.
    """
    if isinstance(random_state, torch.Generator):
        return random_state
    gen = torch.Generator()
    if random_state is None:
        gen.seed()
    elif isinstance(random_state, np.random.RandomState):
        gen.manual_seed(int(random_state.randint(0, 2**31 - 1)))
    elif isinstance(random_state, np.random.Generator):
        gen.manual_seed(int(random_state.integers(0, 2**63 - 1)))
    elif isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state deve ser >= 0; recebido {random_state}.")
        gen.manual_seed(int(random_state))
    else:
        raise ValueError(
            f"random_state={random_state!r} inválido: use None, um inteiro, "
            "numpy.random.RandomState, numpy.random.Generator ou torch.Generator."
        )
    return gen


def to_numpy(t) -> np.ndarray:
    """Devolve ``t`` como array numpy (copiando da GPU se preciso)."""
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy()
    return np.asarray(t)
