"""hw08.KMedoids contra força bruta (todas as escolhas de K medoides) em conjuntos minúsculos."""

import itertools

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from hw08.kmedoids import KMedoids


def _otimo_forca_bruta(D, k):
    """Menor Σ_n min_j D[n, m_j] entre todos os subconjuntos de k medoides."""
    return min(D[:, list(c)].min(axis=1).sum() for c in itertools.combinations(range(len(D)), k))


@pytest.mark.parametrize("metric", ["euclidean", "cityblock"])
def test_otimo_global_em_grupos_separados(metric):
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(c, 0.3, size=(4, 2)) for c in [(0, 0), (5, 0), (0, 5)]])
    km = KMedoids(3, metric=metric, n_init=5, random_state=0).fit(X)
    D = cdist(X, X, metric=metric)
    assert km.inertia_ == pytest.approx(_otimo_forca_bruta(D, 3))
    assert np.array_equal(km.cluster_centers_, X[km.medoid_indices_])   # centros são pontos
    assert np.array_equal(km.predict(X), km.labels_)


def test_cada_medoide_minimiza_a_soma_no_seu_grupo():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 3))
    km = KMedoids(4, n_init=1, random_state=2).fit(X)
    D = cdist(X, X)
    for k, m in enumerate(km.medoid_indices_):
        membros = np.flatnonzero(km.labels_ == k)
        # ponto fixo: trocar o medoide por outro membro não diminui a soma do grupo
        assert D[membros][:, m].sum() <= D[np.ix_(membros, membros)].sum(axis=0).min() + 1e-12


def test_precomputed_igual_a_metrica():
    X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0], [1000.0]])
    a = KMedoids(2, metric="precomputed", random_state=0).fit(cdist(X, X))
    b = KMedoids(2, random_state=0).fit(X)
    assert np.array_equal(a.labels_, b.labels_) and a.inertia_ == pytest.approx(b.inertia_)
    # conta à mão: o ponto extremo fica com um medoide só para ele (perda 0) e o outro medoide é
    # qualquer ponto entre 2 e 10, com perda |0−m|+|1−m|+…+|12−m| = 30 (contra 993 de {1, 11})
    assert 1000.0 in X[b.medoid_indices_, 0]
    assert b.inertia_ == pytest.approx(30.0)


@pytest.mark.parametrize("kw, X, trecho", [
    (dict(n_clusters=5), np.zeros((3, 2)), "n_clusters"),
    (dict(n_clusters=2, metric="nada"), np.zeros((4, 2)), "metric"),
    (dict(n_clusters=2, init="outra"), np.zeros((4, 2)), "init"),
    (dict(n_clusters=2, metric="precomputed"), np.ones((3, 2)), "quadrada"),
    (dict(n_clusters=2), np.array([[0.0, np.nan], [1.0, 2.0], [3, 4]]), "NaN"),
])
def test_mensagens_em_portugues(kw, X, trecho):
    with pytest.raises(ValueError, match=trecho):
        KMedoids(**kw).fit(X)
