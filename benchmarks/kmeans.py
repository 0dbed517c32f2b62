"""Benchmark: hw08.KMeans × scikit-learn KMeans (algorithm="lloyd" e "elkan") no MNIST-treino, K=10.

Os três partem dos MESMOS centroides iniciais (k-means++ com semente), rodam até convergir, no
mesmo processo, e o script imprime o tempo por iteração de cada um, as razões hw08/sklearn (< 1 =
hw08 mais rápido) e a diferença relativa de inércia. Dados via hw08.data (respeita HW08_DATA_MIRROR).

Uso::

    python benchmarks/kmeans.py [--repeats 3] [--seed 0] [--json]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch
from sklearn.cluster import KMeans as SKKMeans

from hw08 import KMeans
from hw08.data import load_mnist
from hw08._kmeans_common import kmeans_plusplus


def _timed(fit):
    start = time.perf_counter()
    model = fit()
    return model, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="repetições (vale a menor)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="última linha em JSON")
    args = parser.parse_args(argv)

    X, _ = load_mnist("train", flatten=True)
    X_np = X.numpy()
    C0 = kmeans_plusplus(X, 10, torch.Generator().manual_seed(args.seed)).numpy()
    best = {}
    for _ in range(args.repeats):
        # alterna a ordem para que nenhum dos dois se beneficie sempre do cache aquecido
        for name, fit in (("hw08", lambda: KMeans(10, init=C0, device="cpu").fit(X)),
                          ("sklearn", lambda: SKKMeans(10, init=C0, n_init=1, algorithm="lloyd").fit(X_np)),
                          ("elkan", lambda: SKKMeans(10, init=C0, n_init=1, algorithm="elkan").fit(X_np))):
            model, seconds = _timed(fit)
            per_iter = seconds / model.n_iter_
            if name not in best or per_iter < best[name][1]:
                best[name] = (model, per_iter, seconds)
    ours, theirs = best["hw08"][0], best["sklearn"][0]
    result = {
        "n_samples": len(X_np), "n_features": X_np.shape[1], "n_clusters": 10,
        "torch_threads": torch.get_num_threads(),
        "hw08_s_per_iter": best["hw08"][1], "sklearn_s_per_iter": best["sklearn"][1],
        "elkan_s_per_iter": best["elkan"][1],
        "ratio_hw08_over_sklearn": best["hw08"][1] / best["sklearn"][1],
        "ratio_hw08_over_elkan": best["hw08"][1] / best["elkan"][1],
        "ratio_hw08_total_over_elkan": best["hw08"][2] / best["elkan"][2],
        "hw08_n_iter": ours.n_iter_, "sklearn_n_iter": int(theirs.n_iter_),
        "hw08_inertia": ours.inertia_, "sklearn_inertia": float(theirs.inertia_),
        "inertia_rel_diff": (ours.inertia_ - theirs.inertia_) / theirs.inertia_,
        "labels_equal": bool(np.array_equal(ours.labels_, theirs.labels_)),
    }
    print(f"MNIST-treino {result['n_samples']}×{result['n_features']}, K=10, mesmos centroides iniciais, "
          f"{result['torch_threads']} threads do torch, melhor de {args.repeats}")
    for name in ("hw08", "sklearn", "elkan"):
        model, per_iter, seconds = best[name]
        print(f"  {name:8s}: {per_iter * 1e3:7.1f} ms/iteração, {int(model.n_iter_):3d} iterações, "
              f"{seconds:6.2f} s, inércia {float(model.inertia_):.6e}")
    print(f"  razão hw08/sklearn lloyd (tempo por iteração): {result['ratio_hw08_over_sklearn']:.2f}")
    print(f"  razão hw08/sklearn elkan (tempo por iteração): {result['ratio_hw08_over_elkan']:.2f}; "
          f"tempo total: {result['ratio_hw08_total_over_elkan']:.2f}")
    print(f"  diferença relativa de inércia: {result['inertia_rel_diff']:.2e}; "
          f"mesmas atribuições: {result['labels_equal']}")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
