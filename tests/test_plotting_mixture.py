"""Testes das funções de hw08.plotting usadas pelos notebooks 04 e 05."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Ellipse  # noqa: E402
from scipy.cluster.hierarchy import linkage  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402

from hw08.plotting import covariance_ellipses, dendrogram_panel, plot_mixture_2d  # noqa: E402


@pytest.mark.parametrize("cov_type, cov", [
    ("full", np.array([[[4.0, 0.0], [0.0, 1.0]]])),
    ("diag", np.array([[4.0, 1.0]])),
    ("tied", np.array([[4.0, 0.0], [0.0, 1.0]])),
])
def test_ellipse_axes_are_std_multiples(cov_type, cov):
    fig, ax = plt.subplots()
    covariance_ellipses(ax, np.zeros((1, 2)), cov, cov_type, n_std=(1.0, 2.0))
    ells = [p for p in ax.patches if isinstance(p, Ellipse)]
    assert [(e.width, e.height) for e in ells] == [(4.0, 2.0), (8.0, 4.0)]
    assert ells[0].angle == pytest.approx(0.0, abs=1e-9) or abs(ells[0].angle) == pytest.approx(180)
    plt.close(fig)


def test_rotated_ellipse_angle():
    fig, ax = plt.subplots()
    cov = np.array([[[2.0, 1.0], [1.0, 2.0]]])  # eixo maior na diagonal, variância 3
    covariance_ellipses(ax, np.zeros((1, 2)), cov, n_std=(1.0,))
    e = ax.patches[0]
    assert e.width == pytest.approx(2 * np.sqrt(3)) and e.height == pytest.approx(2.0)
    assert e.angle % 180 == pytest.approx(45.0)
    plt.close(fig)


def test_bad_covariance_type():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="covariance_type"):
        covariance_ellipses(ax, np.zeros((1, 2)), np.eye(2), "esferica")
    plt.close(fig)


def test_plot_mixture_and_dendrogram_draw():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (50, 2)), rng.normal(5, 1, (50, 2))])
    gm = GaussianMixture(2, random_state=0).fit(X)
    ax = plot_mixture_2d(X, gm, title="teste")
    assert len([p for p in ax.patches if isinstance(p, Ellipse)]) == 4
    assert ax.get_title() == "teste"
    ax = dendrogram_panel(linkage(X[:10], "single"), labels=list("abcdefghij"))
    assert ax.get_ylabel() == "distância da junção"
    plt.close("all")
