"""K-medoids (handout de clustering, seção 1.3.3): centros que são pontos dos dados.

Quando uma "média" não faz sentido para a distância usada (distância L1, distâncias de edição,
dados categóricos) ou quando pontos extremos puxam demais a média, troca-se a média de cada grupo
pelo **medoide**: o ponto do grupo com a menor soma de distâncias aos outros pontos do grupo. O
algoritmo alterna os mesmos dois passos do K-means (Park & Jun, 2009, "iteração de Voronoi"):

1. atribuir cada ponto ao medoide mais próximo;
2. em cada grupo, trocar o medoide pelo ponto do grupo que minimiza ``Σ_{x ∈ C_k} d(x, m)``.

Só precisa da matriz de distâncias ``D`` (N × N): a memória é ``O(N²)``, feito para conjuntos
pequenos (alguns milhares de pontos). Como no K-means, cada passo não aumenta a perda
``Σ_n d(x_n, m_{k(n)})`` e o algoritmo para num ponto fixo (um mínimo local); ``n_init``
reinícios ficam com o de menor perda.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_n_clusters, check_positive_int

__all__ = ["KMedoids"]


def _distance_matrix(X, metric):
    """Matriz (N, N) de distâncias; ``metric="precomputed"`` devolve ``X`` validada."""
    from scipy.spatial.distance import cdist

    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X deve ser uma matriz 2-D (amostras × atributos); recebi forma {X.shape}.")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contém NaN ou infinito: remova ou preencha esses valores antes.")
    if metric == "precomputed":
        if X.shape[0] != X.shape[1] or np.any(X < 0):
            raise ValueError("Com metric='precomputed', X deve ser uma matriz quadrada (N × N) de "
                             "distâncias não negativas.")
        return X
    try:
        return cdist(X, X, metric=metric)
    except ValueError as erro:
        raise ValueError(f"metric={metric!r} inválida: use 'precomputed' ou uma métrica de "
                         f"scipy.spatial.distance.cdist ('euclidean', 'cityblock', ...). ({erro})") from None


def _update_medoids(D, labels, medoids):
    """Passo 2: em cada grupo, o ponto com a menor soma de distâncias aos pontos do grupo."""
    novos = medoids.copy()
    for k in range(len(medoids)):
        membros = np.flatnonzero(labels == k)
        if len(membros):
            custo = D[np.ix_(membros, membros)].sum(axis=0)          # (|C_k|,)
            novos[k] = membros[np.argmin(custo)]
    return novos


class KMedoids:
    """K-medoids por iteração de Voronoi (atribuição ↔ troca do medoide).

    Parameters
    ----------
    n_clusters : int, default=8
        Número de grupos ``K``.
    metric : str, default="euclidean"
        Uma métrica de :func:`scipy.spatial.distance.cdist` (``"euclidean"``, ``"cityblock"``,
        ``"cosine"``, ``"hamming"``, ...) ou ``"precomputed"`` (``X`` já é a matriz N × N).
    init : {"k-medoids++", "random"}, default="k-medoids++"
        Medoides iniciais: sorteados como no k-means++ (probabilidade ∝ distância ao medoide mais
        próximo já escolhido) ou uniformes, sem repetição.
    n_init : int, default=5
        Reinícios; fica o de menor ``inertia_``.
    max_iter : int, default=100
        Iterações máximas por reinício.
    random_state : int or None, default=None
        Semente do sorteio dos medoides iniciais.

    Attributes
    ----------
    medoid_indices_ : ndarray of shape (n_clusters,)
        Índices (em ``X``) dos medoides.
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        As linhas de ``X`` que são medoides (ausente com ``metric="precomputed"``).
    labels_ : ndarray of shape (n_samples,)
    inertia_ : float
        ``Σ_n d(x_n, medoide do seu grupo)`` (distâncias, não ao quadrado).
    n_iter_ : int
    """

    def __init__(self, n_clusters=8, *, metric="euclidean", init="k-medoids++", n_init=5,
                 max_iter=100, random_state=None):
        self.n_clusters = n_clusters
        self.metric = metric
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.random_state = random_state

    def _initial(self, D, k, rng):
        n = D.shape[0]
        if self.init == "random":
            return rng.choice(n, size=k, replace=False)
        medoids = [int(rng.integers(n))]
        for _ in range(1, k):
            perto = D[:, medoids].min(axis=1)
            if perto.sum() == 0:                                     # pontos repetidos
                livres = np.setdiff1d(np.arange(n), medoids)
                medoids.append(int(rng.choice(livres)))
            else:
                medoids.append(int(rng.choice(n, p=perto / perto.sum())))
        return np.array(medoids)

    def fit(self, X, y=None):
        """Agrupa ``X`` e devolve ``self``."""
        if self.init not in ("k-medoids++", "random"):
            raise ValueError(f"init={self.init!r} inválido: use 'k-medoids++' ou 'random'.")
        D = _distance_matrix(X, self.metric)
        k = check_n_clusters(self.n_clusters, D.shape[0])
        check_positive_int(self.n_init, "n_init")
        check_positive_int(self.max_iter, "max_iter")
        rng = np.random.default_rng(self.random_state)
        best = None
        for _ in range(self.n_init):
            medoids = self._initial(D, k, rng)
            for n_iter in range(1, self.max_iter + 1):
                labels = D[:, medoids].argmin(axis=1)                # passo 1: atribuição
                novos = _update_medoids(D, labels, medoids)          # passo 2: medoides
                if np.array_equal(novos, medoids):
                    break
                medoids = novos
            labels = D[:, medoids].argmin(axis=1)
            inertia = float(D[np.arange(len(D)), medoids[labels]].sum())
            if best is None or inertia < best[0]:
                best = (inertia, medoids.copy(), labels, n_iter)
        self.inertia_, self.medoid_indices_, self.labels_, self.n_iter_ = best
        if self.metric != "precomputed":
            self._X = np.asarray(X, dtype=float)
            self.cluster_centers_ = self._X[self.medoid_indices_]
        return self

    def fit_predict(self, X, y=None):
        """Ajusta e devolve ``labels_``."""
        return self.fit(X).labels_

    def predict(self, X):
        """Grupo do medoide mais próximo de cada linha de ``X`` (não vale para ``"precomputed"``)."""
        from scipy.spatial.distance import cdist

        if not hasattr(self, "medoid_indices_"):
            raise ValueError("Este KMedoids ainda não foi ajustado: chame fit(X) antes.")
        if self.metric == "precomputed":
            raise ValueError("Com metric='precomputed' não há coordenadas para comparar: use labels_.")
        return cdist(np.asarray(X, dtype=float), self.cluster_centers_, metric=self.metric).argmin(axis=1)
