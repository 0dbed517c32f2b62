"""Benchmark: MLP + GMM para detectar FashionMNIST como OOD (o pipeline do notebook 02, do zero).

Passos (todos com semente): MLP 784 → 512 → 64 → 10 (Adam, taxa em cosseno) treinado em 50 000 imagens do MNIST-treino;
GMMs do scikit-learn ajustados em 10 000 delas, em duas camadas, sempre ANTES da ReLU e padronizadas:
a penúltima (64; K × covariância ``full``/``diag``) e a 1ª oculta (512; PCA para 64/128/256
dimensões ou nenhuma, covariância cheia, K ∈ {1, 5, 10}). Tudo — K, covariância, dimensão e a
própria camada — é escolhido pela AUROC de VALIDAÇÃO (10 000 imagens restantes do MNIST-treino ×
10 000 do FashionMNIST-TREINO); só os modelos escolhidos são avaliados nos testes (MNIST-teste ×
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
import warnings

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import make_pipeline
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

    mlp = MLPClassifier((512, 64), n_epochs=args.epochs, batch_size=128, lr=1e-3, lr_schedule="cosine",
                        random_state=seed)
    mlp.fit(X_tr, y_tr)
    accuracy = mlp.score(X_te, y_te)

    sub = np.random.default_rng(seed).choice(50_000, 10_000, replace=False)
    sets = {"tr": X_tr, "va": X_va, "fva": F_va, "te": X_te, "fte": F_te}
    scaler = StandardScaler().fit(mlp.features(X_tr, pre_activation=True))
    A = {name: scaler.transform(mlp.features(Xs, pre_activation=True)) for name, Xs in sets.items()}
    B = {name: mlp.features(Xs[torch.as_tensor(sub)] if name == "tr" else Xs, layer=0, pre_activation=True)
         for name, Xs in sets.items()}

    def val_auroc(model, F):
        return ood_metrics(model.score_samples(F["va"]), model.score_samples(F["fva"]))["auroc"]

    candidates = []  # (AUROC de validação, descrição, modelo, ativações)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for cov in ("full", "diag"):
            for k in KS:
                g = GaussianMixture(k, covariance_type=cov, reg_covar=1e-4, max_iter=100,
                                    random_state=seed).fit(A["tr"][sub])
                candidates.append((val_auroc(g, A), {"layer": "penultimate", "covariance_type": cov,
                                                     "n_components": k}, g, A))
        for d in (64, 128, 256, 512):
            for k in (1, 5, 10):
                pca = [PCA(d, random_state=seed)] if d < 512 else []
                g = make_pipeline(StandardScaler(), *pca, GaussianMixture(
                    k, covariance_type="full", reg_covar=1e-4, max_iter=100, random_state=seed)).fit(B["tr"])
                candidates.append((val_auroc(g, B), {"layer": "first_hidden", "pca_dim": d,
                                                     "covariance_type": "full", "n_components": k}, g, B))
    if not args.json:
        for auroc_val, desc, _, _ in candidates:
            print(f"AUROC val. {auroc_val:.4f}  {desc}")

    def best(pool):  # maior AUROC de validação; empate -> o primeiro (menor K)
        return max(pool, key=lambda c: c[0])

    def on_test(model, F):
        return ood_metrics(model.score_samples(F["te"]), model.score_samples(F["fte"]))

    chosen = best(candidates)
    chosen_pen = best([c for c in candidates if c[1]["layer"] == "penultimate"])
    mahal = MahalanobisDetector().fit(A["tr"], y_tr.numpy())
    mahal1 = MahalanobisDetector().fit(B["tr"], y_tr.numpy()[sub])
    result = {
        "gmm": {**on_test(chosen[2], chosen[3]), **chosen[1], "val_auroc": chosen[0]},
        "gmm_penultimate": {**on_test(chosen_pen[2], chosen_pen[3]), **chosen_pen[1], "val_auroc": chosen_pen[0]},
        "msp": ood_metrics(msp_score(mlp.predict_proba(X_te)), msp_score(mlp.predict_proba(F_te))),
        "mahalanobis": on_test(mahal, A),
        "mahalanobis_layer1": on_test(mahal1, B),
        "test_accuracy": accuracy,
        "seconds": round(time.perf_counter() - start, 2),
    }
    if not args.json:
        print(f"acurácia no teste do MNIST: {accuracy:.4f}")
        for name in ("gmm", "gmm_penultimate", "msp", "mahalanobis", "mahalanobis_layer1"):
            m = result[name]
            print(f"{name:12s} AUROC {m['auroc']:.4f}  FPR95 {m['fpr95']:.4f}  "
                  f"AUPR-In {m['aupr_in']:.4f}  AUPR-Out {m['aupr_out']:.4f}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
