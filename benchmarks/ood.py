"""Benchmark: MLP + GMM para detectar FashionMNIST como OOD (o pipeline do notebook 02, do zero).

Passos (todos com semente): MLP 784 → 512 → 64 → 10 (Adam, taxa em cosseno) treinado em 50 000 imagens
do MNIST-treino; a escolha do detector é a do pacote (:class:`hw08.ood.OODSelector`, a mesma do
notebook 02): GMMs do ``hw08`` ajustados em 10 000 delas, sempre ANTES da ReLU e padronizados, na
penúltima camada (64; K × covariância ``full``/``diag``) e na 1ª oculta (512; PCA para 64/128/256
dimensões ou nenhuma, covariância cheia, K ∈ {1, 5, 10}). Tudo — K, covariância, dimensão e a própria
camada — é escolhido pela AUROC de VALIDAÇÃO (10 000 imagens restantes do MNIST-treino × 10 000 do
FashionMNIST-TREINO); só os modelos escolhidos são avaliados nos testes (MNIST-teste ×
FashionMNIST-teste). Convenção de ``hw08.ood``: escore maior = mais ID, MNIST = classe positiva.

Uso::

    python benchmarks/ood.py [--epochs 10] [--json]

Com ``--json`` a última linha é um objeto JSON
``{"gmm": {...,"n_components": K, "layer": ...}, "msp": {...}, "mahalanobis": {...}, "seconds": s}``;
``gmm`` é o detector escolhido na validação, ``gmm_penultimate`` o melhor só com a penúltima camada
(o que o enunciado pede) e ``mahalanobis_layer1`` o Mahalanobis na 1ª camada.
Os dados vêm de ``hw08.data`` (respeita ``HW08_DATA_MIRROR``).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from hw08 import MLPClassifier
from hw08.data import load
from hw08.ood import MahalanobisDetector, OODSelector, msp_score, ood_metrics

LAYER_NAMES = {-1: "penultimate", 0: "first_hidden"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="última linha = objeto JSON")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    seed = args.seed
    torch.manual_seed(seed)

    X, y = load("mnist", "train", flatten=True)
    X_te, y_te = load("mnist", "test", flatten=True)
    F_tr, _ = load("fashion-mnist", "train", flatten=True)
    F_te, _ = load("fashion-mnist", "test", flatten=True)
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    X_tr, y_tr, X_va = X[order[:50_000]], y[order[:50_000]], X[order[50_000:]]
    F_va = F_tr[torch.randperm(len(F_tr), generator=torch.Generator().manual_seed(seed + 1))[:10_000]]

    mlp = MLPClassifier((512, 64), n_epochs=args.epochs, batch_size=128, lr=1e-3, lr_schedule="cosine",
                        random_state=seed)
    mlp.fit(X_tr, y_tr)
    accuracy = mlp.score(X_te, y_te)

    selector = OODSelector(mlp, random_state=seed).fit(X_tr, X_va, F_va)
    if not args.json:
        for row in selector.results_:
            print(f"AUROC val. {row['val_auroc']:.4f}  {row}")

    def on_test(index):
        row = {k: v for k, v in selector.results_[index].items() if k not in ("train_bic",)}
        row["layer"] = LAYER_NAMES.get(row["layer"], row["layer"])
        return {**ood_metrics(selector.score_samples(X_te, index), selector.score_samples(F_te, index)), **row}

    sub = torch.as_tensor(selector.fit_index_)
    A = {name: selector.activations(Z, -1) for name, Z in (("tr", X_tr), ("te", X_te), ("fte", F_te))}
    B = {name: selector.activations(Z, 0) for name, Z in (("tr", X_tr[sub]), ("te", X_te), ("fte", F_te))}
    mahal = MahalanobisDetector().fit(A["tr"], y_tr.numpy())
    mahal1 = MahalanobisDetector().fit(B["tr"], y_tr.numpy()[selector.fit_index_])

    def mahal_on_test(det, F):
        return ood_metrics(det.score_samples(F["te"]), det.score_samples(F["fte"]))

    result = {
        "gmm": on_test(selector.chosen_),
        "gmm_penultimate": on_test(selector.best_[-1]),
        "msp": ood_metrics(msp_score(mlp.predict_proba(X_te)), msp_score(mlp.predict_proba(F_te))),
        "mahalanobis": mahal_on_test(mahal, A),
        "mahalanobis_layer1": mahal_on_test(mahal1, B),
        "test_accuracy": accuracy,
        "seconds": round(time.perf_counter() - start, 2),
    }
    if not args.json:
        print(f"acurácia no teste do MNIST: {accuracy:.4f}")
        for name in ("gmm", "gmm_penultimate", "msp", "mahalanobis", "mahalanobis_layer1"):
            m = result[name]
            print(f"{name:12s} AUROC {m['auroc']:.4f}  FPR95 {m['fpr95']:.4f}  "
                  f"AUPR-In {m['aupr_in']:.4f}  AUPR-Out {m['aupr_out']:.4f}")
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
