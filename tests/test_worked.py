"""Testes de hw08.worked: HAC pela definição contra o SciPy, Lloyd passo a passo, gap."""

import numpy as np
import pytest
from scipy.cluster.hierarchy import cophenet, linkage
from scipy.spatial.distance import pdist
from sklearn.datasets import make_blobs

from hw08.worked import LINKAGES, agglomerate, gap_statistic, lloyd_trace


@pytest.mark.parametrize("method", sorted(LINKAGES))
@pytest.mark.parametrize("dim", [1, 2])
def test_agglomerate_matches_scipy(method, dim):
    rng = np.random.default_rng(dim)
    X = rng.normal(size=(12, dim))  # contínuo: sem empates
    Z, steps = agglomerate(X, method)
    Zs = linkage(X, method)
    np.testing.assert_allclose(Z[:, 2], Zs[:, 2], rtol=1e-10)
    np.testing.assert_allclose(cophenet(Z), cophenet(Zs), rtol=1e-10)
    np.testing.assert_array_equal(Z[:, 3], Zs[:, 3])
    assert len(steps) == len(X) - 1


def test_handout_points_single_and_complete():
    pts = np.array([1, 2, 4, 5, 9, 11, 16, 17.0])
    Z, steps = agglomerate(pts, "single")
    assert list(Z[:, 2]) == [1, 1, 1, 2, 2, 4, 5]
    assert steps["novo grupo"].iloc[-2] == "{1, 2, 4, 5, 9, 11}"
    Z, steps = agglomerate(pts, "complete")
    assert list(Z[:, 2]) == [1, 1, 1, 2, 4, 8, 16]
    assert steps["novo grupo"].iloc[-2] == "{9, 11, 16, 17}"
    # empates de altura não mudam a árvore: cofenéticas iguais às do SciPy
    for method in LINKAGES:
        Z, _ = agglomerate(pts, method)
        np.testing.assert_allclose(cophenet(Z), cophenet(linkage(pts[:, None], method)))


def test_agglomerate_rejects_unknown_linkage():
    with pytest.raises(ValueError, match="linkage"):
        agglomerate([1.0, 2.0], "ward")


def test_lloyd_trace_handout_exercise():
    X = [[1, 1], [1, 0], [0, 2], [2, 4], [3, 5]]
    hist = lloyd_trace(X, [[1, 1], [0, 2]], names="ABCDE")
    assert [h["mudou"] for h in hist] == [True, True, False]
    np.testing.assert_allclose(hist[0]["novas_medias"], [[1, 0.5], [5 / 3, 11 / 3]])
    np.testing.assert_allclose(hist[-1]["novas_medias"], [[2 / 3, 1], [2.5, 4.5]])
    assert list(hist[-1]["tabela"]["grupo"]) == [1, 1, 1, 2, 2]
    losses = [h["perda"] for h in hist]
    assert all(a >= b for a, b in zip(losses, losses[1:]))
    # mesma distância ao quadrado que a conta direta
    assert hist[1]["tabela"].loc["C", "d²(mu1)"] == pytest.approx(1 + 1.5 ** 2)


def test_lloyd_trace_agrees_with_sklearn():
    from sklearn.cluster import KMeans

    X, _ = make_blobs(60, centers=3, random_state=0)
    init = X[:3]
    hist = lloyd_trace(X, init, max_iter=100)
    km = KMeans(3, init=init, n_init=1, tol=0, max_iter=100).fit(X)
    np.testing.assert_allclose(hist[-1]["novas_medias"], km.cluster_centers_, rtol=1e-6)


def test_gap_statistic_finds_blobs():
    X, _ = make_blobs(150, centers=3, cluster_std=0.5, random_state=1)
    df = gap_statistic(X, range(1, 6), n_refs=5, random_state=0, n_init=2)
    assert df.attrs["k_escolhido"] == 3
    assert list(df["K"]) == [1, 2, 3, 4, 5]


def test_sample_gaussian_blobs_counts_and_means():
    from hw08.worked import sample_gaussian_blobs

    X, y = sample_gaussian_blobs([300, 100], [(0, 0), (10, 0)], [np.eye(2), np.eye(2)], seed=0)
    assert X.shape == (400, 2) and np.bincount(y).tolist() == [300, 100]
    np.testing.assert_allclose(X[y == 1].mean(0), [10, 0], atol=0.3)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_em_trajectory_matches_full_fit_and_reports_errors():
    from sklearn.mixture import GaussianMixture

    from hw08.worked import em_trajectory

    X, _ = make_blobs(200, centers=2, random_state=0)
    init = {"means_init": X[:2], "weights_init": [0.5, 0.5]}
    table, error = em_trajectory(lambda t: GaussianMixture(2, max_iter=t, tol=0, random_state=0,
                                                           **init), X, 5,
                                 lambda m: {"lb": m.lower_bound_})
    assert error == "" and list(table.index) == [1, 2, 3, 4, 5]
    full = GaussianMixture(2, max_iter=5, tol=0, random_state=0, **init).fit(X)
    assert table["lb"].iloc[-1] == pytest.approx(full.lower_bound_)
    assert np.all(np.diff(table["lb"]) >= -1e-12)

    class Fails:
        def __init__(self, t):
            self.t = t

        def fit(self, X):
            if self.t == 3:
                raise ValueError("covariância singular")
            return self

    table, error = em_trajectory(Fails, X, 5, lambda m: {"t2": m.t * 2})
    assert list(table["t2"]) == [2, 4] and error == "em t = 3: ValueError: covariância singular"


def test_segment_colors_uses_component_means():
    from sklearn.mixture import GaussianMixture

    from hw08.worked import segment_colors

    rng = np.random.default_rng(0)
    img = np.zeros((10, 12, 3)) + rng.normal(0, 0.01, (10, 12, 3))
    img[:, 6:] += [0.9, 0.5, 0.2]
    img = img.clip(0, 1)
    seg, model, fit_pixels = segment_colors(img, GaussianMixture(2, random_state=0), n_fit=50)
    assert seg.shape == img.shape and fit_pixels.shape == (50, 3)
    # duas cores: cada metade da imagem pintada com uma média, perto da cor verdadeira
    assert len(np.unique(seg.reshape(-1, 3), axis=0)) == 2
    np.testing.assert_allclose(seg[:, 6:].mean((0, 1)), [0.9, 0.5, 0.2], atol=0.02)


def test_slides_init_receita_dos_slides():
    from hw08.worked import slides_init

    X = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 4.0], [2.0, 4.0]])   # Var = 1 e 4: s² = 2,5
    p = slides_init(X, 3, random_state=0)
    assert np.allclose(p["weights_init"], [1 / 3] * 3)
    assert all(any(np.array_equal(m, x) for x in X) for m in p["means_init"])
    assert len({tuple(m) for m in p["means_init"]}) == 3                # sem reposição
    assert np.allclose(p["precisions_init"], np.eye(2) / 2.5)
