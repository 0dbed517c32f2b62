"""Métricas para comparar agrupamentos com rótulos verdadeiros.

O casamento ótimo grupo→classe usa ``scipy.optimize.linear_sum_assignment`` (húngaro); NMI e ARI
vêm do scikit-learn — nada disso é reescrito aqui.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, confusion_matrix, normalized_mutual_info_score

from ._validation import to_numpy

__all__ = ["contingency", "majority_mapping", "hungarian_mapping", "clustering_accuracy",
           "clustering_report", "mapped_confusion"]


def _check_labels(y_true, labels):
    y_true, labels = np.asarray(to_numpy(y_true)).ravel(), np.asarray(to_numpy(labels)).ravel()
    if y_true.shape != labels.shape:
        raise ValueError(
            f"y_true e labels devem ter o mesmo tamanho; recebidos {len(y_true)} e {len(labels)}."
        )
    return y_true.astype(np.int64), labels.astype(np.int64)


def contingency(y_true, labels, n_classes=None, n_clusters=None):
    """Tabela de contingência: linha = classe verdadeira, coluna = grupo.

    Returns
    -------
    numpy.ndarray of shape (n_classes, n_clusters)
    """
    y_true, labels = _check_labels(y_true, labels)
    n_classes = n_classes or int(y_true.max()) + 1
    n_clusters = n_clusters or int(labels.max()) + 1
    table = np.zeros((n_classes, n_clusters), dtype=np.int64)
    np.add.at(table, (y_true, labels), 1)
    return table


def majority_mapping(y_true, labels):
    """Classe mais frequente em cada grupo (vários grupos podem receber a mesma classe).

    Returns
    -------
    numpy.ndarray of shape (n_clusters,)
        ``mapping[k]`` = classe atribuída ao grupo ``k``.
    """
    return contingency(y_true, labels).argmax(axis=0)


def hungarian_mapping(y_true, labels):
    """Casamento um-para-um grupo→classe que maximiza os acertos (algoritmo húngaro).

    Returns
    -------
    numpy.ndarray of shape (n_clusters,)
        ``mapping[k]`` = classe casada com o grupo ``k`` (-1 se sobrar grupo).
    """
    table = contingency(y_true, labels)
    rows, cols = linear_sum_assignment(-table)
    mapping = np.full(table.shape[1], -1, dtype=np.int64)
    mapping[cols] = rows
    return mapping


def clustering_accuracy(y_true, labels, mapping="hungarian"):
    """Fração de amostras cujo grupo, traduzido em classe, acerta o rótulo.

    Parameters
    ----------
    mapping : {"hungarian", "majority"}, default="hungarian"
        Casamento um-para-um (húngaro) ou voto majoritário por grupo.
    """
    y_true, labels = _check_labels(y_true, labels)
    if mapping == "hungarian":
        m = hungarian_mapping(y_true, labels)
    elif mapping == "majority":
        m = majority_mapping(y_true, labels)
    else:
        raise ValueError(f"mapping={mapping!r} inválido: use 'hungarian' ou 'majority'.")
    return float(np.mean(m[labels] == y_true))


def clustering_report(y_true, labels):
    """Acurácias (húngara e majoritária), NMI e ARI num dicionário pronto para ``pandas``."""
    y_true, labels = _check_labels(y_true, labels)
    return {
        "acurácia (húngaro)": clustering_accuracy(y_true, labels, "hungarian"),
        "acurácia (maioria)": clustering_accuracy(y_true, labels, "majority"),
        "NMI": float(normalized_mutual_info_score(y_true, labels)),
        "ARI": float(adjusted_rand_score(y_true, labels)),
    }


def mapped_confusion(y_true, labels, mapping=None):
    """Matriz de confusão classe verdadeira × classe atribuída (via ``mapping``, húngaro por padrão)."""
    y_true, labels = _check_labels(y_true, labels)
    m = hungarian_mapping(y_true, labels) if mapping is None else np.asarray(mapping)
    n = max(int(y_true.max()), int(m.max())) + 1
    return confusion_matrix(y_true, m[labels], labels=np.arange(n))

