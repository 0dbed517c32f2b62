"""Peças do K-means compartilhadas por :mod:`hw08.kmeans`, :mod:`hw08.kmeans_missing` e :mod:`hw08.gmm`.

Distâncias pela expansão ``‖x‖² − 2x·c + ‖c‖²`` (memória N×K), inicializações (aleatória,
k-means++ gulosa, médias de classe), realocação de grupos vazios, soma de quadrados, inércia
exata e variância média dos atributos. Os nomes não têm ``_`` porque este módulo inteiro é
interno: os estimadores públicos estão em ``kmeans.py`` e ``kmeans_missing.py``.
"""

from __future__ import annotations

import math

import torch

from ._validation import to_numpy

__all__ = ["squared_distances", "random_init", "kmeans_plusplus", "class_means_init",
           "relocate_empty_clusters", "sum_of_squares", "exact_inertia", "mean_variance",
           "column_mean"]


def squared_distances(X, C, X_sq=None):
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


def random_init(X, n_clusters, generator):
    """``n_clusters`` linhas distintas de ``X`` sorteadas uniformemente."""
    idx = torch.randperm(X.shape[0], generator=generator)[:n_clusters].to(X.device)
    return X[idx].clone()


def kmeans_plusplus(X, n_clusters, generator, X_sq=None, n_local_trials=None):
    """Inicialização k-means++ "gulosa" (Arthur & Vassilvitskii, 2007; a variante do scikit-learn).

    O primeiro centroide é um ponto uniforme; cada novo centroide é sorteado com probabilidade
    proporcional a ``D(x)²`` (distância ao centroide mais próximo já escolhido), testando
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
    closest = squared_distances(X, centers[:1], X_sq)[:, 0].double()  # D(x)², (N,)
    for c in range(1, n_clusters):
        cumulative = torch.cumsum(closest, 0)
        potential = float(cumulative[-1])
        draws = torch.rand(n_local_trials, generator=generator, dtype=torch.float64).to(X.device)
        candidates = torch.searchsorted(cumulative, draws * potential).clamp_(max=n_samples - 1)
        d_cand = squared_distances(X, X[candidates], X_sq).double()  # (N, trials)
        new_closest = torch.minimum(closest.unsqueeze(1), d_cand)      # (N, trials)
        best = int(torch.argmin(new_closest.sum(dim=0)))
        centers[c] = X[candidates[best]]
        closest = new_closest[:, best].contiguous()
    return centers
    # END SOLUTION


def class_means_init(X, y, n_clusters):
    """Centroides iniciais = imagem média de cada classe (rótulos ordenados)."""
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


def relocate_empty_clusters(X, distances_to_own, labels, sums, counts):
    """Re-semeia grupos vazios com os pontos mais distantes do próprio centroide (como o sklearn).

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


def sum_of_squares(A):
    """``Σ A²`` em float64 a partir das normas das linhas (rápido e sem perder precisão)."""
    return float(torch.linalg.vector_norm(A, dim=1).square_().sum(dtype=torch.float64))


def exact_inertia(X, centers, labels, chunk=4096):
    """``Σ_n ‖x_n − μ_{l(n)}‖²`` pela diferença direta (sem o cancelamento da expansão)."""
    buffer = torch.empty((min(chunk, X.shape[0]), X.shape[1]), dtype=X.dtype, device=X.device)
    total = 0.0
    for start in range(0, X.shape[0], chunk):
        block = X[start:start + chunk]
        diff = buffer[:len(block)]
        torch.index_select(centers, 0, labels[start:start + chunk], out=diff).sub_(block)
        total += sum_of_squares(diff)
    return total


def column_mean(X, chunk=4096):
    """Média das colunas em float64, somando blocos de ``chunk`` linhas no dtype de ``X``.

    ``X.mean(dim=0, dtype=torch.float64)`` converte X inteira para float64 (≈ 0,12 s no MNIST-treino,
    2 núcleos); os blocos levam ≈ 0,01 s, com erro relativo da ordem de ``√chunk`` × eps do dtype —
    suficiente para um ponto de referência.
    """
    total = torch.zeros(X.shape[1], dtype=torch.float64, device=X.device)
    for start in range(0, X.shape[0], chunk):
        total += X[start:start + chunk].sum(dim=0).to(torch.float64)
    return total / X.shape[0]


def mean_variance(X, chunk=4096):
    """Média das variâncias dos atributos (``np.var(X, axis=0).mean()``, como no sklearn)."""
    mean = X.mean(dim=0)
    buffer = torch.empty((min(chunk, X.shape[0]), X.shape[1]), dtype=X.dtype, device=X.device)
    total = 0.0
    for start in range(0, X.shape[0], chunk):
        block = X[start:start + chunk]
        total += sum_of_squares(torch.sub(block, mean, out=buffer[:len(block)]))
    return total / X.numel()
