"""Detecção de amostras fora da distribuição (OOD) e suas métricas.

Convenção única: **o escore é maior para amostras dentro da distribuição** (ID). A classe positiva das
métricas é a ID (MNIST): AUROC = P(escore de uma ID > escore de uma OOD); FPR a 95 % de TPR = fração de
OOD aceita quando o limiar aceita 95 % das ID; AUPR-In usa ID como positiva e AUPR-Out usa OOD como
positiva (com o escore trocado de sinal).
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

from ._validation import to_numpy

__all__ = ["ood_metrics", "threshold_at_tpr", "msp_score", "MahalanobisDetector", "roc", "select_detector"]


def _scores(scores_in, scores_out):
    s_in = np.asarray(to_numpy(scores_in), dtype=np.float64).ravel()
    s_out = np.asarray(to_numpy(scores_out), dtype=np.float64).ravel()
    if len(s_in) == 0 or len(s_out) == 0:
        raise ValueError("São necessários escores de amostras ID e OOD (nenhum dos dois pode ser vazio).")
    if not (np.isfinite(s_in).all() and np.isfinite(s_out).all()):
        raise ValueError("Os escores contêm NaN ou infinito: confira o modelo que os gerou.")
    return s_in, s_out


def threshold_at_tpr(scores_in, tpr=0.95):
    """Maior limiar que aceita (escore >= limiar) pelo menos a fração ``tpr`` das amostras ID dadas."""
    s_in = np.sort(np.asarray(to_numpy(scores_in), dtype=np.float64).ravel())[::-1]
    k = int(np.ceil(tpr * len(s_in) - 1e-9))
    return float(s_in[max(k, 1) - 1])


def ood_metrics(scores_in, scores_out, tpr=0.95):
    """AUROC, FPR@95%TPR, AUPR-In e AUPR-Out (escore maior = mais "dentro da distribuição").

    Returns
    -------
    dict
        ``{"auroc", "fpr95", "aupr_in", "aupr_out"}``.
    """
    s_in, s_out = _scores(scores_in, scores_out)
    y = np.r_[np.ones(len(s_in)), np.zeros(len(s_out))]
    s = np.r_[s_in, s_out]
    threshold = threshold_at_tpr(s_in, tpr)
    return {
        "auroc": float(roc_auc_score(y, s)),
        "fpr95": float(np.mean(s_out >= threshold)),
        "aupr_in": float(average_precision_score(y, s)),
        "aupr_out": float(average_precision_score(1 - y, -s)),
    }


def roc(scores_in, scores_out):
    """Curva ROC (FPR, TPR) com ID como classe positiva."""
    s_in, s_out = _scores(scores_in, scores_out)
    fpr, tpr, _ = roc_curve(np.r_[np.ones(len(s_in)), np.zeros(len(s_out))], np.r_[s_in, s_out])
    return fpr, tpr


def msp_score(probabilities):
    """Probabilidade máxima do softmax (MSP, Hendrycks & Gimpel, 2017)."""
    return np.asarray(to_numpy(probabilities)).max(axis=1)


class MahalanobisDetector:
    """Gaussianas por classe com covariância compartilhada (Lee et al., 2018) nas mesmas ativações.

    O escore é ``-min_c (f - μ_c)ᵀ Σ⁻¹ (f - μ_c)`` (maior = mais ID).

    Parameters
    ----------
    reg : float, default=1e-6
        Somado à diagonal de Σ antes de invertê-la.
    """

    def __init__(self, reg=1e-6):
        self.reg = reg

    def fit(self, F, y):
        """Estima as médias por classe ``means_`` e a precisão compartilhada ``precision_``."""
        F = np.asarray(to_numpy(F), dtype=np.float64)
        y = np.asarray(to_numpy(y)).ravel()
        if F.ndim != 2 or len(F) != len(y):
            raise ValueError("F deve ter forma (n_amostras, n_atributos) e um rótulo por linha.")
        self.classes_ = np.unique(y)
        self.means_ = np.stack([F[y == c].mean(axis=0) for c in self.classes_])
        centred = F - self.means_[np.searchsorted(self.classes_, y)]
        cov = centred.T @ centred / len(F) + self.reg * np.eye(F.shape[1])
        self.precision_ = np.linalg.inv(cov)
        return self

    def score_samples(self, F):
        """Menos a menor distância de Mahalanobis ao quadrado até uma média de classe."""
        F = np.asarray(to_numpy(F), dtype=np.float64)
        P = self.precision_
        FP = F @ P
        d = (np.einsum("nd,nd->n", FP, F)[:, None] - 2 * FP @ self.means_.T
             + np.einsum("kd,kd->k", self.means_ @ P, self.means_)[None])
        return -d.min(axis=1)


def select_detector(val_scores, *, complexity=None, metric="auroc"):
    """Escolhe, só com dados de **validação**, o detector que melhor separa ID de OOD.

    É a escolha do item (d) do Exercício prático 2 ("escolha a que provê a melhor separação"): cada
    candidato (por exemplo, um GMM com ``K`` componentes e um tipo de covariância) já deu escores às
    amostras de validação ID e OOD; fica o de melhor ``metric``. O teste nunca entra aqui.

    Parameters
    ----------
    val_scores : dict
        ``{candidato: (escores_val_ID, escores_val_OOD)}``; escore maior = mais ID.
    complexity : dict, default=None
        ``{candidato: número}`` (por exemplo, o número de parâmetros ou ``K``); em empate na métrica
        fica o menos complexo. ``None``: em empate fica o primeiro na ordem de ``val_scores``.
    metric : {"auroc", "fpr95"}, default="auroc"
        AUROC (maior é melhor) ou FPR a 95 % de TPR (menor é melhor), como em :func:`ood_metrics`.

    Returns
    -------
    best : object
        A chave de ``val_scores`` escolhida.
    table : pandas.DataFrame
        Uma linha por candidato (índice = chave), com as colunas de :func:`ood_metrics` e
        ``"complexidade"``, da melhor para a pior.
    """
    import pandas as pd

    if metric not in ("auroc", "fpr95"):
        raise ValueError(f"metric={metric!r} inválida: use 'auroc' ou 'fpr95'.")
    if not val_scores:
        raise ValueError("val_scores está vazio: passe ao menos um candidato {nome: (escores_ID, escores_OOD)}.")
    keys = list(val_scores)
    if complexity is not None:
        missing = [k for k in keys if k not in complexity]
        if missing:
            raise ValueError(f"complexity não tem os candidatos {missing!r}: dê um número para cada um.")
    # BEGIN SOLUTION Exercício prático 2 (d) (notebooks/02_gmm_ood.ipynb), escolha do detector pela validação
    rows = [ood_metrics(*val_scores[k]) for k in keys]
    table = pd.DataFrame(rows, index=pd.Index(keys, name="candidato", tupleize_cols=False))
    table["complexidade"] = [complexity[k] for k in keys] if complexity is not None else 0
    # ordenação estável: em empate na métrica e na complexidade, vale a ordem de val_scores
    table = table.sort_values([metric, "complexidade"], ascending=[metric == "fpr95", True], kind="stable")
    return table.index[0], table
    # END SOLUTION
