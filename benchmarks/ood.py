"""Benchmark: MLP + GMM para detectar FashionMNIST como OOD (o pipeline do notebook 02, do zero).

Passos (todos com semente): MLP 784 → 512 → 64 → 10 treinado em 50 000 imagens do MNIST-treino;
ativações da penúltima camada ANTES da ReLU, padronizadas com as estatísticas do treino; varredura
de GMMs do scikit-learn (K e tipo de covariância) escolhida pela AUROC de VALIDAÇÃO (10 000 imagens
restantes do MNIST-treino × 10 000 do FashionMNIST-TREINO); só o modelo escolhido é avaliado nos
testes (MNIST-teste × FashionMNIST-teste). Convenção de ``hw08.ood``: escore maior = mais ID,
MNIST = classe positiva.

Uso::

    python benchmarks/ood.py [--epochs 10] [--json]

Com ``--json`` a última linha é um objeto JSON
``{"gmm": {...,"n_components": K}, "msp": {...}, "mahalanobis": {...}, "seconds": s}``.
Os dados vêm de ``hw08.data`` (respeita ``HW08_DATA_MIRROR``).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

from hw08 import MLPClassifier
from hw08.data import load
from hw08.ood import MahalanobisDetector, msp_score, ood_metrics

KS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20]


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

    mlp = MLPClassifier((512, 64), n_epochs=args.epochs, batch_size=128, lr=1e-3, random_state=seed)
    mlp.fit(X_tr, y_tr)
    accuracy = mlp.score(X_te, y_te)

    scaler = StandardScaler().fit(mlp.features(X_tr, pre_activation=True))
    A = {name: scaler.transform(mlp.features(Xs, pre_activation=True))
         for name, Xs in {"tr": X_tr, "va": X_va, "fva": F_va, "te": X_te, "fte": F_te}.items()}
    sub = A["tr"][np.random.default_rng(seed).choice(len(A["tr"]), 10_000, replace=False)]

    best = None
    for cov in ("full", "diag"):
        for k in KS:
            g = GaussianMixture(k, covariance_type=cov, reg_covar=1e-4, max_iter=100, random_state=seed).fit(sub)
            auroc_val = ood_metrics(g.score_samples(A["va"]), g.score_samples(A["fva"]))["auroc"]
            if best is None or auroc_val > best[0]:
                best = (auroc_val, cov, k, g)
            if not args.json:
                print(f"{cov:5s} K={k:2d}  AUROC val. {auroc_val:.4f}")
    _, cov, k, gmm = best

    mahal = MahalanobisDetector().fit(A["tr"], y_tr.numpy())
    result = {
        "gmm": {**ood_metrics(gmm.score_samples(A["te"]), gmm.score_samples(A["fte"])),
                "n_components": k, "covariance_type": cov},
        "msp": ood_metrics(msp_score(mlp.predict_proba(X_te)), msp_score(mlp.predict_proba(F_te))),
        "mahalanobis": ood_metrics(mahal.score_samples(A["te"]), mahal.score_samples(A["fte"])),
        "test_accuracy": accuracy,
        "seconds": round(time.perf_counter() - start, 2),
    }
    if not args.json:
        print(f"acurácia no teste do MNIST: {accuracy:.4f}")
        for name in ("gmm", "msp", "mahalanobis"):
            m = result[name]
            print(f"{name:12s} AUROC {m['auroc']:.4f}  FPR95 {m['fpr95']:.4f}  "
                  f"AUPR-In {m['aupr_in']:.4f}  AUPR-Out {m['aupr_out']:.4f}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
