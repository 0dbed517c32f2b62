"""hw08.metrics em casos feitos à mão."""

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from hw08 import metrics

Y = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
L = np.array([2, 2, 1, 0, 0, 0, 1, 1, 1, 0])   # grupo 2 = classe 0, grupo 0 = classe 1, grupo 1 = classe 2


def test_contingency_and_mappings():
    table = metrics.contingency(Y, L)
    np.testing.assert_array_equal(table, [[0, 1, 2], [3, 0, 0], [1, 3, 0]])
    np.testing.assert_array_equal(metrics.hungarian_mapping(Y, L), [1, 2, 0])
    np.testing.assert_array_equal(metrics.majority_mapping(Y, L), [1, 2, 0])


def test_accuracy_counts_hits():
    assert metrics.clustering_accuracy(Y, L) == pytest.approx(8 / 10)
    # dois grupos dominados pela mesma classe: o voto majoritário repete a classe, o húngaro não
    y = np.array([0, 0, 0, 0, 1, 1])
    lab = np.array([0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(metrics.majority_mapping(y, lab), [0, 0, 1])
    assert metrics.clustering_accuracy(y, lab, "majority") == 1.0
    assert metrics.clustering_accuracy(y, lab, "hungarian") == pytest.approx(4 / 6)


def test_report_and_confusion():
    rep = metrics.clustering_report(Y, L)
    assert rep["ARI"] == pytest.approx(adjusted_rand_score(Y, L))
    assert 0 < rep["NMI"] < 1
    perm = np.array([2, 0, 1])[Y]   # rótulos permutados = agrupamento perfeito
    assert metrics.clustering_report(Y, perm)["acurácia (húngaro)"] == 1.0
    cm = metrics.mapped_confusion(Y, L)
    assert cm.trace() == 8 and cm.sum() == 10


def test_errors():
    with pytest.raises(ValueError, match="mesmo tamanho"):
        metrics.clustering_accuracy(Y, L[:-1])
    with pytest.raises(ValueError, match="mapping='x' inválido"):
        metrics.clustering_accuracy(Y, L, "x")


def test_clustering_plots_have_portuguese_labels():
    import matplotlib
    matplotlib.use("Agg")
    from hw08 import plotting

    rng = np.random.default_rng(0)
    images = rng.random((30, 784))
    labels = np.repeat(np.arange(3), 10)
    fig = plotting.samples_per_cluster(images, labels, n_per_cluster=4, suptitle="Amostras")
    assert len(fig.axes) == 12 and fig.axes[0].get_ylabel().startswith("grupo 0")
    fig = plotting.confusion_heatmap(metrics.contingency(Y, L), title="Confusão")
    assert fig.axes[0].get_xlabel() == "grupo" and fig.axes[0].get_ylabel() == "dígito verdadeiro"
    assert [t.get_text() for t in fig.axes[0].texts][:3] == ["0", "1", "2"]
    fig = plotting.elbow_plot([1, 2, 3], [9.0, 4.0, 3.5])
    assert fig.axes[0].get_xlabel() == "número de grupos K"
