"""hw08.ood: convenção de sinal e métricas em casos de resposta conhecida."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from hw08.ood import MahalanobisDetector, msp_score, ood_metrics, roc, threshold_at_tpr


def test_perfect_separation_in_the_documented_direction():
    m = ood_metrics(scores_in=[5.0, 6.0, 7.0], scores_out=[1.0, 2.0])
    assert m == {"auroc": 1.0, "fpr95": 0.0, "aupr_in": 1.0, "aupr_out": 1.0}
    # o erro do aluno (sinal trocado) aparece como AUROC 0, não como 1
    assert ood_metrics([1.0, 2.0], [5.0, 6.0, 7.0])["auroc"] == 0.0


def test_known_values_on_small_case():
    s_in = np.arange(1, 101, dtype=float)          # 1..100
    s_out = np.array([0.5, 3.5, 50.5, 97.5])
    m = ood_metrics(s_in, s_out)
    # pares (in, out) com in > out: 100 + 97 + 50 + 3 = 250 de 400
    assert m["auroc"] == pytest.approx(250 / 400)
    assert m["auroc"] == pytest.approx(roc_auc_score(np.r_[np.ones(100), np.zeros(4)], np.r_[s_in, s_out]))
    # limiar que aceita 95 % das ID = 6 (aceita 6..100); OOD aceitas: 50.5 e 97.5
    assert threshold_at_tpr(s_in) == 6.0
    assert m["fpr95"] == pytest.approx(2 / 4)
    fpr, tpr = roc(s_in, s_out)
    assert fpr[0] == 0 and tpr[-1] == 1


def test_random_scores_give_auroc_near_half():
    rng = np.random.default_rng(0)
    m = ood_metrics(rng.normal(size=5000), rng.normal(size=5000))
    assert abs(m["auroc"] - 0.5) < 0.02 and abs(m["fpr95"] - 0.95) < 0.02


def test_msp_and_mahalanobis():
    assert msp_score(np.array([[0.1, 0.9], [0.6, 0.4]])).tolist() == [0.9, 0.6]
    rng = np.random.default_rng(0)
    F = np.r_[rng.normal(0, 1, (500, 3)), rng.normal(10, 1, (500, 3))]
    y = np.r_[np.zeros(500), np.ones(500)]
    det = MahalanobisDetector().fit(F, y)
    np.testing.assert_allclose(det.means_, [[0, 0, 0], [10, 10, 10]], atol=0.2)
    far, near = det.score_samples(np.array([[5.0, 5, 5], [0.0, 0, 0]]))
    assert far < near
    # escore = -(distância de Mahalanobis)² até a média mais próxima, conferido à mão
    x = np.array([[1.0, 2.0, 3.0]])
    d = x - det.means_[0]
    assert det.score_samples(x)[0] == pytest.approx(-(d @ det.precision_ @ d.T).item())


def test_errors():
    with pytest.raises(ValueError, match="nenhum dos dois pode ser vazio"):
        ood_metrics([], [1.0])
    with pytest.raises(ValueError, match="NaN"):
        ood_metrics([np.nan], [1.0])


def test_plotting_helpers_draw_one_curve_per_set():
    import matplotlib
    matplotlib.use("Agg")
    from hw08 import plotting
    rng = np.random.default_rng(0)
    fig = plotting.score_histograms({"a": rng.normal(size=100), "b": rng.normal(2, 1, size=100)})
    assert len(fig.axes[0].get_legend().get_texts()) == 2
    fig = plotting.roc_curves({"x": roc(rng.normal(1, 1, 50), rng.normal(size=50))})
    assert len(fig.axes[0].lines) == 3  # curva + diagonal + TPR=0,95


def test_detector_before_fit_and_empty_threshold_give_clear_errors():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="ainda não foi ajustado"):
        MahalanobisDetector().score_samples(np.ones((3, 2)))
    with pytest.raises(ValueError, match="lista vazia de escores"):
        threshold_at_tpr([])
    det = MahalanobisDetector().fit(np.random.default_rng(0).normal(size=(20, 2)), np.repeat([0, 1], 10))
    with pytest.raises(ValueError, match="X tem 3 atributos"):
        det.score_samples(np.ones((2, 3)))


def test_sweep_and_choice_use_only_validation():
    # ID: uma gaussiana em 3-D; validação OOD deslocada. O melhor K na validação é escolhido, e
    # empate fica com o menor K
    from hw08.ood import activation_gmm, choose_by_validation, sweep_gmm

    r = np.random.default_rng(0)
    F_tr, F_in, F_out = r.normal(size=(400, 3)), r.normal(size=(200, 3)), r.normal(size=(200, 3)) + 3
    grid = [{"n_components": k, "covariance_type": "full"} for k in (1, 2)]
    rows, models = sweep_gmm(F_tr, F_in, F_out, grid, random_state=0)
    assert [row["n_components"] for row in rows] == [1, 2] and len(models) == 2
    for row, model in zip(rows, models):
        assert row["val_auroc"] == ood_metrics(model.score_samples(F_in), model.score_samples(F_out))["auroc"]
        assert row["converged"] in (True, False) and np.isfinite(row["train_bic"])
    assert choose_by_validation([{"val_auroc": .9, "n_components": 5}, {"val_auroc": .9, "n_components": 2},
                                 {"val_auroc": .8, "n_components": 1}]) == 1
    # o BIC do treino é o do GaussianMixture nas ativações padronizadas
    m = activation_gmm(1, random_state=0).fit(F_tr)
    assert rows[0]["train_bic"] == pytest.approx(m[-1].bic(m[:-1].transform(F_tr)))


def test_ood_selector_chooses_layer_on_validation_only():
    import torch

    from hw08 import MLPClassifier
    from hw08.ood import OODSelector

    r = np.random.default_rng(0)
    X = torch.as_tensor(r.random((300, 12)), dtype=torch.float32)
    y = torch.as_tensor(r.integers(0, 3, 300))
    mlp = MLPClassifier((10, 6), n_epochs=2, random_state=0).fit(X, y)
    grids = {-1: [{"n_components": 1}, {"n_components": 2}], 0: [{"n_components": 1, "pca_dim": 4}]}
    sel = OODSelector(mlp, grids, n_fit=200).fit(X, X[:100], X[:100] + 2)
    assert len(sel.results_) == 3 and [r["layer"] for r in sel.results_] == [-1, -1, 0]
    assert sel.chosen_ in sel.best_.values()
    best = max(sel.results_[i]["val_auroc"] for i in sel.best_.values())
    assert sel.results_[sel.chosen_]["val_auroc"] == best
    assert sel.score_samples(X[:5]).shape == (5,)


def test_choice_with_margin_takes_the_simplest_within_the_margin():
    # casos à mão: AUROC 0,9862 (K=30) é a maior; com margem 0,001 a de K=20 (0,9859) empata e vence
    from hw08.ood import choose_by_validation

    rows = [{"val_auroc": a, "n_components": k} for k, a in ((10, .9814), (15, .9845), (20, .9859), (30, .9862))]
    assert choose_by_validation(rows) == 3
    assert choose_by_validation(rows, margin=0.001) == 2
    assert choose_by_validation(rows, margin=0.0017) == 1
    assert choose_by_validation(rows, margin=1.0) == 0
    # mesmo K: a menor dimensão (sem PCA = a maior); mesma configuração: a primeira da grade
    dims = [{"val_auroc": .99, "n_components": 5, "pca_dim": None}, {"val_auroc": .99, "n_components": 5, "pca_dim": 64},
            {"val_auroc": .99, "n_components": 5, "pca_dim": 64}]
    assert choose_by_validation(dims) == 1
    with pytest.raises(ValueError):
        choose_by_validation(rows, margin=-0.1)


def test_validation_spread_refits_the_same_configuration_with_each_seed():
    from hw08.ood import activation_gmm, validation_spread

    r = np.random.default_rng(1)
    F_tr, F_in = r.normal(size=(300, 2)), r.normal(size=(100, 2))
    F_out = r.normal(size=(100, 2)) * 2
    config = {"n_components": 3, "covariance_type": "full"}
    spread = validation_spread(F_tr, F_in, F_out, config, seeds=(0, 5))
    for seed, auroc in zip((0, 5), spread):
        m = activation_gmm(**config, random_state=seed).fit(F_tr)
        assert auroc == ood_metrics(m.score_samples(F_in), m.score_samples(F_out))["auroc"]
