"""K-means (algoritmo de Lloyd) em torch, com a interface do scikit-learn.

Passo de atribuição (E) com os centróides fixos e passo de atualização (M) com as
atribuições fixas, como em ``sklearn.cluster.KMeans(algorithm="lloyd")``:

* distâncias por ``‖x‖² − 2 x·c + ‖c‖²`` (memória N×K, nunca N×K×D); na CPU, se X é esparsa
  (≤ 25 % de entradas não nulas, como o MNIST com 19 %), o produto ``X Cᵀ`` usa uma cópia CSR de X,
  feita uma vez por ``fit``, e só percorre as entradas não nulas;
* atualização ``μ_k = Σ_{n∈C_k} x_n / |C_k|`` com ``index_add_``, incremental: depois da primeira
  iteração só os pontos que trocaram de grupo entram e saem das somas;
* grupos vazios são re-semeados com os pontos mais distantes dos seus centróides;
* parada quando as atribuições não mudam (convergência estrita) ou quando o deslocamento
  total dos centróides ``Σ_k ‖μ_k^{novo} − μ_k‖²`` fica abaixo de ``tol`` × variância média
  dos atributos — a mesma regra do scikit-learn.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import torch

from ._validation import (check_array, check_n_clusters, check_positive_int, make_generator,
                          resolve_device, to_numpy)

__all__ = ["KMeans"]

_INITS = ("random", "k-means++", "class-means")


def _squared_distances(X, C, X_sq=None):
    """Distâncias euclidianas ao quadrado entre as linhas de ``X`` e de ``C``.

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, n_features)
    C : torch.Tensor of shape (n_clusters, n_features)
    X_sq : torch.Tensor of shape (n_samples,), default=None
        ``‖x‖²`` pré-calculado (evita refazer a conta a cada iteração).

    Returns
    -------
    torch.Tensor of shape (n_samples, n_clusters)
        ``‖x − c‖²`` pela expansão ``‖x‖² − 2x·c + ‖c‖²``, truncada em 0.
    """
    if X_sq is None:
        X_sq = (X * X).sum(dim=1)
    C_sq = (C * C).sum(dim=1)
    d = torch.addmm(C_sq.unsqueeze(0), X, C.T, alpha=-2.0)  # (N, K) = ‖c‖² − 2 x·c
    d += X_sq.unsqueeze(1)
    return d.clamp_min_(0.0)


def _random_init(X, n_clusters, generator):
    """``n_clusters`` linhas distintas de ``X`` sorteadas uniformemente."""
    idx = torch.randperm(X.shape[0], generator=generator)[:n_clusters].to(X.device)
    return X[idx].clone()


def _kmeans_plusplus(X, n_clusters, generator, X_sq=None, n_local_trials=None):
    """Inicialização k-means++ "gulosa" (Arthur & Vassilvitskii, 2007; a variante do scikit-learn).

    O primeiro centróide é um ponto uniforme; cada novo centróide é sorteado com probabilidade
    proporcional a ``D(x)²`` (distância ao centróide mais próximo já escolhido), testando
    ``2 + ln K`` candidatos e ficando com o que mais reduz a inércia.

    Returns
    -------
    torch.Tensor of shape (n_clusters, n_features)
    """
    # BEGIN SOLUTION Exercício prático 1 (notebooks/01_kmeans_mnist.ipynb), inicialização k-means++
    n_samples = X.shape[0]
    if X_sq is None:
        X_sq = (X * X).sum(dim=1)
    if n_local_trials is None:
        n_local_trials = 2 + int(math.log(n_clusters))
    centers = torch.empty((n_clusters, X.shape[1]), dtype=X.dtype, device=X.device)
    first = int(torch.randint(n_samples, (1,), generator=generator))
    centers[0] = X[first]
    closest = _squared_distances(X, centers[:1], X_sq)[:, 0].double()  # D(x)², (N,)
    for c in range(1, n_clusters):
        cumulative = torch.cumsum(closest, 0)
        potential = float(cumulative[-1])
        draws = torch.rand(n_local_trials, generator=generator, dtype=torch.float64).to(X.device)
        candidates = torch.searchsorted(cumulative, draws * potential).clamp_(max=n_samples - 1)
        d_cand = _squared_distances(X, X[candidates], X_sq).double()  # (N, trials)
        new_closest = torch.minimum(closest.unsqueeze(1), d_cand)      # (N, trials)
        best = int(torch.argmin(new_closest.sum(dim=0)))
        centers[c] = X[candidates[best]]
        closest = new_closest[:, best].contiguous()
    return centers
    # END SOLUTION


def _class_means_init(X, y, n_clusters):
    """Centróides iniciais = imagem média de cada classe (rótulos ordenados)."""
    if y is None:
        raise ValueError("init='class-means' precisa dos rótulos: chame fit(X, y).")
    y = torch.as_tensor(to_numpy(y)).to(X.device)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y deve ter forma ({X.shape[0]},), uma classe por amostra de X; recebido {tuple(y.shape)}."
        )
    classes = torch.unique(y)
    if len(classes) != n_clusters:
        raise ValueError(
            f"init='class-means' precisa de exatamente n_clusters={n_clusters} classes presentes em y, "
            f"mas y tem {len(classes)} ({to_numpy(classes).tolist()}). Ajuste n_clusters ou inclua "
            "amostras de todas as classes."
        )
    inverse = torch.searchsorted(classes, y)
    counts = torch.bincount(inverse, minlength=n_clusters).to(X.dtype)
    sums = torch.zeros((n_clusters, X.shape[1]), dtype=X.dtype, device=X.device).index_add_(0, inverse, X)
    return sums / counts.unsqueeze(1)


def _relocate_empty_clusters(X, distances_to_own, labels, sums, counts):
    """Re-semeia grupos vazios com os pontos mais distantes do próprio centróide (como o sklearn).

    Altera ``sums`` e ``counts`` no lugar: cada ponto escolhido sai do grupo de origem e
    passa a ser, sozinho, o novo grupo.
    """
    empty = torch.nonzero(counts == 0).flatten()
    n_empty = len(empty)
    if n_empty == 0:
        return
    far = torch.topk(distances_to_own, n_empty).indices
    for new_k, idx in zip(empty.tolist(), far.tolist()):  # laço só sobre grupos vazios (raros)
        old_k = int(labels[idx])
        sums[old_k] -= X[idx]
        counts[old_k] -= 1
        sums[new_k] = X[idx]
        counts[new_k] = 1


# Cópia CSR de X para o produto X Cᵀ na CPU. Medido (2 núcleos, X 60 000 × 784, K = 10): o produto
# denso leva ≈ 23 ms em qualquer densidade; o CSR com índices int32 leva 3, 7, 9 e 14 ms com 10, 20, 30
# e 40 % de não nulos, e a conversão custa 0,2–0,45 s. Até 25 % ela se paga em ≈ 20 iterações.
_CSR_MAX_DENSITY = 0.25
_CSR_MIN_SIZE = 1_000_000


def _csr_copy(X):
    """Cópia CSR (índices int32) de ``X`` se ela acelera ``X @ C.T``; senão ``None``.

    Só na CPU, para X com pelo menos ``_CSR_MIN_SIZE`` entradas e no máximo ``_CSR_MAX_DENSITY``
    delas não nulas.
    """
    if X.device.type != "cpu" or X.numel() < _CSR_MIN_SIZE:
        return None
    nnz = int(torch.count_nonzero(X))
    if nnz > _CSR_MAX_DENSITY * X.numel() or nnz >= 2**31:
        return None
    with warnings.catch_warnings():  # "Sparse CSR tensor support is in beta state"
        warnings.simplefilter("ignore", UserWarning)
        csr = X.to_sparse_csr()
        return torch.sparse_csr_tensor(csr.crow_indices().to(torch.int32), csr.col_indices().to(torch.int32),
                                       csr.values(), X.shape, check_invariants=False)


def _assign(X, centers, out=None, X_csr=None):
    """Passo E sem o termo ``‖x‖²`` (que não muda o argmin).

    Parameters
    ----------
    X_csr : torch.Tensor, default=None
        Cópia CSR de ``X`` (ver :func:`_csr_copy`); se dada, o produto ``X Cᵀ`` é feito com ela.

    Returns
    -------
    partial : torch.Tensor of shape (n_samples,)
        ``min_k (‖μ_k‖² − 2 x·μ_k)``; somando ``‖x‖²`` dá a distância ao quadrado ao centróide.
    labels : torch.Tensor of shape (n_samples,)
    """
    # BEGIN SOLUTION Exercício prático 1 (notebooks/01_kmeans_mnist.ipynb), passo de atribuição do K-means
    C_sq = (centers * centers).sum(dim=1)
    if X_csr is None:
        d = torch.addmm(C_sq.unsqueeze(0), X, centers.T, alpha=-2.0, out=out)  # (N, K)
    else:
        d = torch.mm(X_csr, centers.T.contiguous()).mul_(-2.0).add_(C_sq)
    return d.min(dim=1)
    # END SOLUTION


def _update_sums(X, labels, ref_labels, sums, counts, n_clusters):
    """Somas e contagens por grupo para ``labels``, reaproveitando as de ``ref_labels``.

    Sem referência (primeira iteração, depois de re-semear um grupo vazio) ou com muitos pontos
    trocando de grupo, refaz tudo com ``index_add_`` (uma leitura de X). Nas demais, só os pontos
    que mudaram de grupo entram e saem das somas: depois das primeiras iterações são poucos, e o
    passo M deixa de ler X inteiro. As somas ficam em float64 para que as atualizações
    incrementais não acumulem erro de arredondamento.

    Returns
    -------
    sums : torch.Tensor of shape (n_clusters, n_features), float64
    counts : torch.Tensor of shape (n_clusters,), int64
    """
    # BEGIN SOLUTION Exercício prático 1 (notebooks/01_kmeans_mnist.ipynb), passo de atualização do K-means
    if ref_labels is not None:
        changed = torch.nonzero(labels != ref_labels).flatten()
        if len(changed) <= X.shape[0] // 8:
            if len(changed):
                Xc = X[changed].to(torch.float64)
                new, old = labels[changed], ref_labels[changed]
                sums.index_add_(0, new, Xc).index_add_(0, old, Xc, alpha=-1)
                counts += torch.bincount(new, minlength=n_clusters)
                counts -= torch.bincount(old, minlength=n_clusters)
            return sums, counts
    counts = torch.bincount(labels, minlength=n_clusters)
    sums = torch.zeros((n_clusters, X.shape[1]), dtype=X.dtype, device=X.device)
    sums = sums.index_add_(0, labels, X).to(torch.float64)
    return sums, counts
    # END SOLUTION


def _lloyd(X, X_sq, centers, n_clusters, max_iter, tol, progress=None, X_csr=None):
    """Laço de Lloyd com a regra de parada do scikit-learn (``X_csr``: ver :func:`_csr_copy`).

    Returns
    -------
    labels, inertia, centers, n_iter, history
    """
    X_sq_total = float(X_sq.sum(dtype=torch.float64))
    buffer = torch.empty((X.shape[0], n_clusters), dtype=X.dtype, device=X.device)
    labels_old = ref_labels = sums = counts = None
    history = []
    strict = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        partial, labels = _assign(X, centers, out=buffer, X_csr=X_csr)
        inertia = float(partial.sum(dtype=torch.float64)) + X_sq_total
        history.append(inertia)
        sums, counts = _update_sums(X, labels, ref_labels, sums, counts, n_clusters)
        ref_labels = labels
        if bool((counts == 0).any()):
            _relocate_empty_clusters(X, partial + X_sq, labels, sums, counts)
            ref_labels = None  # as somas já não correspondem a `labels`: refazer na próxima
        new_centers = (sums / counts.unsqueeze(1)).to(X.dtype)
        shift = float(((new_centers - centers) ** 2).sum(dtype=torch.float64))
        centers = new_centers
        if progress is not None:
            progress.update(1)
            progress.set_postfix(inercia=f"{inertia:.5g}")
        if labels_old is not None and torch.equal(labels, labels_old):
            strict = True
            break
        if shift <= tol:
            break
        labels_old = labels
    # atribuições e inércia finais coerentes com os centróides devolvidos
    final_labels = labels if strict else _assign(X, centers, out=buffer, X_csr=X_csr)[1]
    return final_labels, _exact_inertia(X, centers, final_labels), centers, n_iter, history


def _sum_of_squares(A):
    """``Σ A²`` em float64 a partir das normas das linhas (rápido e sem perder precisão)."""
    return float(torch.linalg.vector_norm(A, dim=1).square_().sum(dtype=torch.float64))


def _exact_inertia(X, centers, labels, chunk=4096):
    """``Σ_n ‖x_n − μ_{l(n)}‖²`` pela diferença direta (sem o cancelamento da expansão)."""
    buffer = torch.empty((min(chunk, X.shape[0]), X.shape[1]), dtype=X.dtype, device=X.device)
    total = 0.0
    for start in range(0, X.shape[0], chunk):
        block = X[start:start + chunk]
        diff = buffer[:len(block)]
        torch.index_select(centers, 0, labels[start:start + chunk], out=diff).sub_(block)
        total += _sum_of_squares(diff)
    return total


def _mean_variance(X, chunk=4096):
    """Média das variâncias dos atributos (``np.var(X, axis=0).mean()``, como no sklearn)."""
    mean = X.mean(dim=0)
    buffer = torch.empty((min(chunk, X.shape[0]), X.shape[1]), dtype=X.dtype, device=X.device)
    total = 0.0
    for start in range(0, X.shape[0], chunk):
        block = X[start:start + chunk]
        total += _sum_of_squares(torch.sub(block, mean, out=buffer[:len(block)]))
    return total / X.numel()


class KMeans:
    """Agrupamento K-means (algoritmo de Lloyd) em torch, na CPU ou na GPU.

    Parameters
    ----------
    n_clusters : int, default=8
        Número de grupos K.
    init : {"k-means++", "random", "class-means"} or array-like of shape (n_clusters, n_features), default="k-means++"
        Inicialização dos centróides: ``"random"`` sorteia K amostras distintas; ``"k-means++"``
        usa a semeadura k-means++ gulosa; ``"class-means"`` usa a média de cada classe (exige
        ``y`` em :meth:`fit`); um array dá os centróides iniciais explicitamente.
    n_init : int or "auto", default="auto"
        Número de inicializações; fica a de menor inércia. ``"auto"`` = 10 para ``"random"`` e 1
        para as demais. Inicializações determinísticas (``"class-means"``, array) rodam uma vez.
    max_iter : int, default=300
        Máximo de iterações de Lloyd por inicialização.
    tol : float, default=1e-4
        Tolerância relativa: para quando ``Σ_k ‖Δμ_k‖² <= tol × média das variâncias dos atributos``.
    random_state : None, int or Generator, default=None
        Semente das inicializações aleatórias.
    device : {"auto", "cpu", "cuda"} or torch.device, default="auto"
        Onde as contas são feitas.
    verbose : bool, default=False
        Mostra uma barra de progresso (``tqdm.auto``) com a inércia a cada iteração.

    Attributes
    ----------
    cluster_centers_ : numpy.ndarray of shape (n_clusters, n_features)
        Centróides finais.
    labels_ : numpy.ndarray of shape (n_samples,)
        Grupo de cada amostra de treino.
    inertia_ : float
        Soma das distâncias ao quadrado de cada amostra ao seu centróide.
    n_iter_ : int
        Iterações da melhor inicialização.
    inertia_history_ : list of float
        Inércia a cada iteração (atribuição com os centróides da iteração) da melhor inicialização.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from hw08 import KMeans
    >>> X = np.array([[1, 1], [1, 0], [0, 2], [2, 4], [3, 5]], dtype=float)
    >>> km = KMeans(2, init=X[[0, 2]], device="cpu").fit(X)
    >>> km.labels_.tolist()
    [0, 0, 0, 1, 1]
    """

    def __init__(self, n_clusters=8, *, init="k-means++", n_init="auto", max_iter=300, tol=1e-4,
                 random_state=None, device="auto", verbose=False):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # ------------------------------------------------------------------ validação
    def _check_params(self, X):
        check_n_clusters(self.n_clusters, X.shape[0])
        check_positive_int(self.max_iter, "max_iter")
        if not isinstance(self.tol, numbers.Real) or self.tol < 0:
            raise ValueError(f"tol deve ser um número >= 0; recebido {self.tol!r}.")
        if isinstance(self.init, str):
            if self.init not in _INITS:
                raise ValueError(f"init={self.init!r} inválido: use um de {_INITS} ou um array (K, D).")
            deterministic = self.init == "class-means"
        else:
            deterministic = True
        if isinstance(self.n_init, str) and self.n_init == "auto":
            return 10 if isinstance(self.init, str) and self.init == "random" else 1
        n_init = check_positive_int(self.n_init, "n_init")
        return 1 if deterministic else n_init

    def _initial_centers(self, X, X_sq, y, generator):
        k = self.n_clusters
        if isinstance(self.init, str):
            if self.init == "random":
                return _random_init(X, k, generator)
            if self.init == "k-means++":
                return _kmeans_plusplus(X, k, generator, X_sq)
            return _class_means_init(X, y, k)
        C = check_array(self.init, name="init", device=X.device)
        if C.shape != (k, X.shape[1]):
            raise ValueError(
                f"init tem forma {tuple(C.shape)}, mas deveria ser (n_clusters, n_atributos) = "
                f"({k}, {X.shape[1]})."
            )
        return C.clone()

    def _check_fitted(self):
        if not hasattr(self, "cluster_centers_"):
            raise ValueError("Este KMeans ainda não foi ajustado: chame fit(X) antes.")

    def _check_X(self, X):
        self._check_fitted()
        X = check_array(X, device=self._device)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X tem {X.shape[1]} atributos, mas o modelo foi ajustado com {self.n_features_in_}."
            )
        return X

    # ------------------------------------------------------------------ API
    def fit(self, X, y=None):
        """Ajusta o K-means.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, n_features)
            Dados (sem NaN).
        y : array-like of shape (n_samples,), default=None
            Rótulos; usados só por ``init="class-means"``.

        Returns
        -------
        self : KMeans
        """
        self._device = resolve_device(self.device)
        X = check_array(X, device=self._device)
        n_init = self._check_params(X)
        X_sq = torch.linalg.vector_norm(X, dim=1).square_()
        tol = _mean_variance(X) * float(self.tol)
        X_csr = _csr_copy(X)
        generator = make_generator(self.random_state)
        progress = None
        if self.verbose:
            from tqdm.auto import tqdm
            progress = tqdm(total=n_init * self.max_iter, desc="K-means", unit="it", leave=False)
        best = None
        try:
            for _ in range(n_init):
                centers = self._initial_centers(X, X_sq, y, generator)
                run = _lloyd(X, X_sq, centers, self.n_clusters, self.max_iter, tol, progress, X_csr)
                if best is None or run[1] < best[1]:
                    best = run
        finally:
            if progress is not None:
                progress.close()
        labels, inertia, centers, n_iter, history = best
        self.cluster_centers_ = to_numpy(centers)
        self.labels_ = to_numpy(labels)
        self.inertia_ = inertia
        self.n_iter_ = n_iter
        self.inertia_history_ = history
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        """Índice do centróide mais próximo de cada amostra.

        Returns
        -------
        numpy.ndarray of shape (n_samples,)
        """
        X = self._check_X(X)
        C = torch.as_tensor(self.cluster_centers_, device=X.device)
        return to_numpy(_squared_distances(X, C).argmin(dim=1))

    def fit_predict(self, X, y=None):
        """Equivale a ``fit(X, y).labels_``."""
        return self.fit(X, y).labels_

    def transform(self, X):
        """Distâncias euclidianas (não ao quadrado) de cada amostra a cada centróide.

        Returns
        -------
        numpy.ndarray of shape (n_samples, n_clusters)
        """
        X = self._check_X(X)
        C = torch.as_tensor(self.cluster_centers_, device=X.device)
        return to_numpy(_squared_distances(X, C).sqrt_())

    def fit_transform(self, X, y=None):
        """Equivale a ``fit(X, y).transform(X)``."""
        return self.fit(X, y).transform(X)

    def score(self, X, y=None):
        """Menos a inércia de ``X`` com os centróides ajustados (maior é melhor, como no sklearn)."""
        X = self._check_X(X)
        C = torch.as_tensor(self.cluster_centers_, device=X.device)
        return -float(_squared_distances(X, C).min(dim=1).values.sum(dtype=torch.float64))

    def __repr__(self):
        init = self.init if isinstance(self.init, str) else "array"
        return f"KMeans(n_clusters={self.n_clusters}, init={init!r}, n_init={self.n_init!r})"
