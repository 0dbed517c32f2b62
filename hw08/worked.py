"""Exercícios resolvidos passo a passo (handout de clustering, notebook 05).

Implementações *pela definição*, lentas de propósito, que produzem as tabelas de uma resolução
à mão:

- :func:`lloyd_trace`: cada iteração do K-means (algoritmo de Lloyd) como uma tabela de
  distâncias, atribuições e novas médias (os passos de atribuição e atualização são os de
  :mod:`hw08.kmeans`: uma só implementação, a do Exercício prático 1);
- :func:`agglomerate`: clustering hierárquico aglomerativo (HAC) ingênuo, recalculando a
  distância entre todos os pares de grupos a cada passo, com as quatro ligações do handout;
  devolve a matriz de ligação no formato do SciPy, para comparar com
  :func:`scipy.cluster.hierarchy.linkage` e desenhar o dendrograma;
- :func:`gap_statistic`: a estatística *gap* de Tibshirani, Walther e Hastie (2001);

e utilitários das demonstrações do notebook 04: :func:`sample_gaussian_blobs`,
:func:`em_trajectory` (o estado do EM iteração a iteração), :func:`segment_colors` e
:func:`slides_init` (a inicialização da GMM receitada nos slides).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

__all__ = ["lloyd_trace", "agglomerate", "LINKAGES", "gap_statistic", "sample_gaussian_blobs",
           "em_trajectory", "segment_colors", "slides_init"]


def lloyd_trace(X, init_centers, names=None, max_iter=20):
    """Executa o algoritmo de Lloyd guardando cada iteração.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Pontos.
    init_centers : array-like of shape (n_clusters, n_features)
        Médias iniciais.
    names : sequence of str, default=None
        Nome de cada ponto (``None``: ``0, 1, ...``).
    max_iter : int, default=20
        Número máximo de iterações.

    Returns
    -------
    list of dict
        Uma entrada por iteração com ``"medias"`` (médias usadas na atribuição),
        ``"tabela"`` (DataFrame: coordenadas, distância ao quadrado a cada média, grupo),
        ``"novas_medias"``, ``"perda"`` (soma das distâncias ao quadrado) e ``"mudou"``
        (se alguma atribuição mudou em relação à iteração anterior).
    """
    import torch

    from .kmeans import _assign, _update_sums  # os passos do K-means do pacote (Exercício prático 1)

    X = np.asarray(X, dtype=float)
    centers = np.asarray(init_centers, dtype=float).copy()
    names = list(names) if names is not None else [str(i) for i in range(len(X))]
    k = len(centers)
    labels, history = None, []
    X_t = torch.as_tensor(X)
    for _ in range(max_iter):
        d2 = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(-1)  # (N, K): a tabela; dados minúsculos
        new_labels = _assign(X_t, torch.as_tensor(centers))[1].numpy()
        table = pd.DataFrame(X, index=pd.Index(names, name="ponto"),
                             columns=[f"x{j + 1}" for j in range(X.shape[1])])
        for j in range(k):
            table[f"d²(mu{j + 1})"] = d2[:, j]
        table["grupo"] = new_labels + 1
        sums, counts = _update_sums(X_t, torch.as_tensor(new_labels), None, None, None, k)
        sums, counts = sums.numpy(), counts.numpy()
        # grupo vazio: a média fica onde estava (a resolução à mão não re-semeia)
        new_centers = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centers)
        changed = labels is None or bool(np.any(new_labels != labels))
        history.append({"medias": centers.copy(), "tabela": table, "novas_medias": new_centers,
                        "perda": float(d2[np.arange(len(X)), new_labels].sum()), "mudou": changed})
        if not changed:
            break
        labels, centers = new_labels, new_centers
    return history


def _single(A, B):
    return min(np.linalg.norm(a - b) for a in A for b in B)


def _complete(A, B):
    return max(np.linalg.norm(a - b) for a in A for b in B)


def _average(A, B):
    return float(np.mean([np.linalg.norm(a - b) for a in A for b in B]))


def _centroid(A, B):
    return float(np.linalg.norm(np.mean(A, 0) - np.mean(B, 0)))


#: As ligações do handout (seções 1.4.1–1.4.4), com os nomes do SciPy.
LINKAGES = {"single": _single, "complete": _complete, "average": _average, "centroid": _centroid}


def agglomerate(X, linkage="single"):
    """HAC ingênuo pela definição: junta, a cada passo, os dois grupos mais próximos.

    Empates são desfeitos pelo par de grupos criado primeiro (menores índices no formato do
    SciPy), como uma pessoa faria lendo da esquerda para a direita.

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, n_features)
        Pontos (um vetor é tratado como pontos na reta).
    linkage : {"single", "complete", "average", "centroid"}, default="single"
        Distância entre grupos: mínima, máxima, média ou entre centroides.

    Returns
    -------
    Z : ndarray of shape (n_samples - 1, 4)
        Matriz de ligação no formato de :func:`scipy.cluster.hierarchy.linkage`
        (``[id_a, id_b, distância, tamanho]``; o grupo criado no passo ``i`` tem id ``n + i``).
    steps : pandas.DataFrame
        Uma linha por junção, com os membros de cada grupo, a distância e o novo grupo.
    """
    if linkage not in LINKAGES:
        raise ValueError(f"linkage={linkage!r} inválido: use um de {sorted(LINKAGES)}.")
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    dist = LINKAGES[linkage]
    n = len(X)
    clusters = {i: [i] for i in range(n)}  # id -> índices dos pontos
    Z, rows = [], []
    for step in range(n - 1):
        best = None
        for a, b in itertools.combinations(sorted(clusters), 2):
            d = dist(X[clusters[a]], X[clusters[b]])
            if best is None or d < best[0] - 1e-12:
                best = (d, a, b)
        d, a, b = best
        ma, mb = clusters.pop(a), clusters.pop(b)
        members = sorted(ma + mb)
        clusters[n + step] = members
        Z.append([a, b, d, len(members)])
        rows.append({"passo": step + 1, "grupo A": _fmt(X, ma), "grupo B": _fmt(X, mb),
                     "distância": d, "novo grupo": _fmt(X, members)})
    return np.array(Z, dtype=float), pd.DataFrame(rows).set_index("passo")


def _fmt(X, idx):
    """Um grupo como texto: os valores na reta, ou os índices em dimensão maior."""
    idx = sorted(idx)
    if X.shape[1] == 1:
        return "{" + ", ".join(f"{v:g}" for v in X[idx, 0]) + "}"
    return "{" + ", ".join(map(str, idx)) + "}"


def gap_statistic(X, ks, n_refs=10, random_state=0, n_init=3):
    """Estatística *gap*: ``Gap(K) = E*[log W_K] − log W_K`` com referências uniformes.

    ``W_K`` é a inércia (soma das distâncias ao quadrado às médias) do K-means; as referências
    são sorteadas uniformemente na caixa que contém os dados. A regra de Tibshirani et al.
    escolhe o menor ``K`` com ``Gap(K) >= Gap(K + 1) − s_{K+1}``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    ks : sequence of int
        Valores de ``K`` (crescentes e consecutivos para aplicar a regra).
    n_refs : int, default=10
        Número de conjuntos de referência.
    random_state : int, default=0
    n_init : int, default=3
        Inicializações do K-means (scikit-learn) em cada ajuste.

    Returns
    -------
    pandas.DataFrame
        Colunas ``K``, ``log_W``, ``gap``, ``s`` (desvio corrigido) e o ``K`` escolhido em
        ``attrs["k_escolhido"]``.
    """
    from sklearn.cluster import KMeans as SKKMeans

    X = np.asarray(X, dtype=float)
    rng = np.random.default_rng(random_state)
    lo, hi = X.min(0), X.max(0)
    refs = [rng.uniform(lo, hi, size=X.shape) for _ in range(n_refs)]
    rows = []
    for k in ks:
        def log_w(data):
            km = SKKMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(data)
            return np.log(km.inertia_)

        ref_logs = np.array([log_w(r) for r in refs])
        lw = log_w(X)
        rows.append({"K": k, "log_W": lw, "gap": ref_logs.mean() - lw,
                     "s": ref_logs.std() * np.sqrt(1 + 1 / n_refs)})
    df = pd.DataFrame(rows)
    chosen = df["K"].iloc[-1]
    for i in range(len(df) - 1):
        if df["gap"].iloc[i] >= df["gap"].iloc[i + 1] - df["s"].iloc[i + 1]:
            chosen = df["K"].iloc[i]
            break
    df.attrs["k_escolhido"] = int(chosen)
    return df


def sample_gaussian_blobs(counts, means, covariances, seed=0):
    """Amostra de uma mistura de gaussianas com contagens **fixas** por grupo.

    Parameters
    ----------
    counts : sequence of int
        Número de pontos de cada grupo.
    means : sequence of array-like of shape (n_features,)
    covariances : sequence of array-like of shape (n_features, n_features)
    seed : int, default=0

    Returns
    -------
    X : ndarray of shape (sum(counts), n_features)
    y : ndarray of shape (sum(counts),)
        Grupo verdadeiro de cada ponto (0, 1, ...).
    """
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.multivariate_normal(m, c, n) for n, m, c in zip(counts, means, covariances)])
    return X, np.repeat(np.arange(len(counts)), counts)


def em_trajectory(make_model, X, n_steps, record):
    """Reajusta um modelo com ``max_iter = 1, 2, ..., n_steps`` a partir da mesma inicialização.

    Serve para olhar "dentro" do EM de um estimador que só expõe o estado final: com uma
    inicialização determinística (``random_state`` fixo, ou ``means_init``, ``weights_init`` e
    ``precisions_init`` todos dados) e ``tol=0``, o ajuste com ``max_iter=t`` é o estado depois de
    ``t`` iterações. Avisos de não convergência são silenciados; se o ajuste falhar
    (por exemplo, covariância singular), a trajetória para e o erro é devolvido.

    Parameters
    ----------
    make_model : callable
        ``make_model(t)`` devolve um estimador novo com ``max_iter=t``.
    X : array-like
        Dados.
    n_steps : int
        Número máximo de iterações.
    record : callable
        ``record(model)`` devolve um dict com o que guardar de cada ajuste.

    Returns
    -------
    table : pandas.DataFrame
        Uma linha por iteração ``t`` bem-sucedida (índice ``t``).
    error : str
        ``""`` ou a descrição do erro que interrompeu a trajetória.
    """
    import warnings

    rows, error = [], ""
    for t in range(1, n_steps + 1):
        model = make_model(t)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X)
        except Exception as exc:  # noqa: BLE001 - a falha é o que queremos mostrar
            error = f"em t = {t}: {type(exc).__name__}: {exc}"
            break
        rows.append({"t": t, **record(model)})
    return pd.DataFrame(rows).set_index("t") if rows else pd.DataFrame(), error


def segment_colors(image, model, n_fit=5000, random_state=0):
    """Segmentação de cores: ajusta ``model`` em pixels sorteados e classifica todos os pixels.

    Parameters
    ----------
    image : ndarray of shape (H, W, C)
        Imagem com valores em ``[0, 1]``.
    model : estimador com ``fit``, ``predict`` e ``means_`` (ex.: ``GaussianMixture``)
    n_fit : int, default=5000
        Número de pixels usados no ajuste (amostra sem reposição).
    random_state : int, default=0
        Semente da amostra de pixels.

    Returns
    -------
    segmented : ndarray of shape (H, W, C)
        Cada pixel pintado com a média da sua componente.
    model : o estimador ajustado
    fit_pixels : ndarray of shape (n_fit, C)
        Os pixels usados no ajuste (para critérios como o BIC).
    """
    image = np.asarray(image, dtype=np.float32)
    pixels = image.reshape(-1, image.shape[-1])                      # (H*W, C)
    rng = np.random.default_rng(random_state)
    fit_pixels = pixels[rng.choice(len(pixels), size=min(n_fit, len(pixels)), replace=False)]
    model.fit(fit_pixels)
    labels = np.asarray(model.predict(pixels))
    segmented = np.asarray(model.means_)[labels].reshape(image.shape).clip(0, 1)
    return segmented, model, fit_pixels


def slides_init(X, n_components, random_state=0):
    """Parâmetros iniciais de uma GMM pela receita dos slides de GMM/EM.

    Pesos uniformes ``π_k = 1/K``; médias em ``K`` pontos dos dados sorteados sem reposição;
    covariâncias esféricas iguais à variância empírica dos dados, ``Σ_k = s² I`` com
    ``s² = (1/D) Σ_d Var(x_d)`` (a média das variâncias das coordenadas).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : int
    random_state : int, default=0
        Semente do sorteio das médias.

    Returns
    -------
    dict
        ``weights_init``, ``means_init`` e ``precisions_init`` (forma ``(K, D, D)``, para
        ``covariance_type="full"``), prontos para ``GaussianMixture(**slides_init(X, K))``.
    """
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    rng = np.random.default_rng(random_state)
    s2 = float(X.var(axis=0).mean())
    return {"weights_init": np.full(n_components, 1.0 / n_components),
            "means_init": X[rng.choice(n, size=n_components, replace=False)],
            "precisions_init": np.stack([np.eye(d) / s2] * n_components)}
