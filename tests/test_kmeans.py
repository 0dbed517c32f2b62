"""hw08.KMeans: exemplo do handout à mão, comparação com scikit-learn, erros claros."""

import numpy as np
import pytest
import torch
from sklearn.cluster import KMeans as SKKMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from hw08 import KMeans
import hw08.kmeans as kmeans_module
from hw08._kmeans_common import kmeans_plusplus as _kmeans_plusplus, squared_distances as _squared_distances

# Handout, seção 1.3.4: A(1,1), B(1,0), C(0,2), D(2,4), E(3,5); K=2 começando em A e C.
POINTS = np.array([[1, 1], [1, 0], [0, 2], [2, 4], [3, 5]], dtype=float)


def test_handout_example_by_hand():
    km = KMeans(2, init=POINTS[[0, 2]], device="cpu").fit(POINTS)
    # iteração 1: A,B -> μ1=(1, .5); C,D,E -> μ2=(5/3, 11/3); iteração 2: A,B,C | D,E
    np.testing.assert_array_equal(km.labels_, [0, 0, 0, 1, 1])
    np.testing.assert_allclose(km.cluster_centers_, [[2 / 3, 1.0], [2.5, 4.5]], rtol=1e-6)
    expected = sum(((POINTS[:3] - [2 / 3, 1]) ** 2).sum(1)) + sum(((POINTS[3:] - [2.5, 4.5]) ** 2).sum(1))
    assert km.inertia_ == pytest.approx(expected, rel=1e-6)
    # inércia das atribuições da iteração 1 (centros A e C): A:0, B:1, C:0, D:min(10,8)=8, E:min(20,18)=18
    assert km.inertia_history_[0] == pytest.approx(27.0)
    assert km.n_iter_ == len(km.inertia_history_) == 3


def test_squared_distances_match_brute_force():
    rng = np.random.default_rng(0)
    X, C = rng.normal(size=(50, 7)), rng.normal(size=(4, 7))
    d = _squared_distances(torch.tensor(X), torch.tensor(C)).numpy()
    np.testing.assert_allclose(d, ((X[:, None] - C[None]) ** 2).sum(-1), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_same_init_same_result_as_sklearn(seed):
    X, _ = make_blobs(n_samples=2000, centers=6, n_features=5, cluster_std=2.5, random_state=seed)
    X = X.astype(np.float32)
    C0 = X[np.random.default_rng(seed).choice(len(X), 6, replace=False)]
    ours = KMeans(6, init=C0, device="cpu").fit(X)
    ref = SKKMeans(6, init=C0, n_init=1, algorithm="lloyd").fit(X)
    assert abs(ours.inertia_ - ref.inertia_) / ref.inertia_ <= 1e-4
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    assert ours.n_iter_ == ref.n_iter_


def test_inertia_never_increases_and_predict_matches_labels():
    X, _ = make_blobs(n_samples=1500, centers=5, n_features=3, cluster_std=3.0, random_state=3)
    km = KMeans(5, init="random", n_init=3, random_state=0, device="cpu").fit(X)
    h = np.array(km.inertia_history_)
    assert np.all(np.diff(h) <= 1e-6 * h[0])
    np.testing.assert_array_equal(km.predict(X), km.labels_)
    np.testing.assert_array_equal(km.fit_predict(X), km.labels_)
    T = km.transform(X)
    assert T.shape == (1500, 5)
    np.testing.assert_array_equal(T.argmin(1), km.labels_)
    assert km.score(X) == pytest.approx(-km.inertia_, rel=1e-5)


def test_random_state_reproducible_and_kmeanspp_spreads_centres():
    X, _ = make_blobs(n_samples=900, centers=[[0, 0], [20, 0], [0, 20]], cluster_std=0.5, random_state=0)
    a = KMeans(3, random_state=7, device="cpu").fit(X)
    b = KMeans(3, random_state=7, device="cpu").fit(X)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    C = _kmeans_plusplus(torch.tensor(X, dtype=torch.float32), 3, torch.Generator().manual_seed(0)).numpy()
    # com blobs tão separados, o k-means++ escolhe um ponto de cada blob
    owners = np.argmin(((C[:, None] - np.array([[0, 0], [20, 0], [0, 20]])[None]) ** 2).sum(-1), axis=1)
    assert sorted(owners.tolist()) == [0, 1, 2]


def test_class_means_init_uses_label_means():
    X, y = make_blobs(n_samples=600, centers=4, n_features=2, random_state=1)
    km = KMeans(4, init="class-means", max_iter=1, device="cpu").fit(X, y)
    means = np.stack([X[y == k].mean(0) for k in range(4)])
    # após uma iteração a inércia registrada é a das médias das classes
    expected = ((X[:, None] - means[None]) ** 2).sum(-1).min(1).sum()
    assert km.inertia_history_[0] == pytest.approx(expected, rel=1e-5)


def test_empty_cluster_is_reseeded_never_nan():
    X = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.3], [10.0, 10.0], [10.1, 10.0]])
    init = np.array([[0.0, 0.0], [100.0, 100.0], [10.0, 10.0]])  # o 2º centroide não recebe ninguém
    km = KMeans(3, init=init, device="cpu").fit(X)
    assert np.isfinite(km.cluster_centers_).all()
    assert len(np.unique(km.labels_)) == 3
    ref = SKKMeans(3, init=init, n_init=1, algorithm="lloyd").fit(X)
    assert km.inertia_ == pytest.approx(ref.inertia_, rel=1e-4, abs=1e-6)


def test_accepts_torch_tensors():
    X = torch.randn(200, 4, generator=torch.Generator().manual_seed(0))
    km = KMeans(3, random_state=0, device="cpu").fit(X)
    assert km.labels_.shape == (200,)


@pytest.mark.parametrize(("kwargs", "X", "y", "pattern"), [
    ({"n_clusters": 6}, POINTS, None, r"n_clusters=6 é maior que o número de amostras \(5\)"),
    ({"n_clusters": 2}, np.array([[1.0, np.nan], [0, 0], [1, 1]]), None, "NaN"),
    ({"n_clusters": 2}, np.ones(5), None, "deve ter 2 dimensões"),
    ({"n_clusters": 2, "init": "class-means"}, POINTS, None, r"precisa dos rótulos: chame fit\(X, y\)"),
    ({"n_clusters": 3, "init": "class-means"}, POINTS, [0, 0, 1, 1, 1], "exatamente n_clusters=3 classes"),
    ({"n_clusters": 2, "init": "kmeans"}, POINTS, None, "init='kmeans' inválido"),
    ({"n_clusters": 2, "init": np.zeros((3, 2))}, POINTS, None, r"init tem forma \(3, 2\)"),
    ({"n_clusters": 2, "n_init": 0}, POINTS, None, "n_init=0 inválido"),
    ({"n_clusters": 2, "tol": -1}, POINTS, None, r"tol=-1 inválido; use um número >= 0"),
])
def test_bad_input_gives_portuguese_value_error(kwargs, X, y, pattern):
    with pytest.raises(ValueError, match=pattern):
        KMeans(device="cpu", **kwargs).fit(X, y)


def test_predict_checks_fit_and_features():
    with pytest.raises(ValueError, match="ainda não foi ajustado"):
        KMeans(2).predict(POINTS)
    km = KMeans(2, random_state=0, device="cpu").fit(POINTS)
    with pytest.raises(ValueError, match="X tem 3 atributos, mas este KMeans foi ajustado com 2"):
        km.predict(np.ones((2, 3)))


def test_incremental_sums_match_recomputation():
    # o passo M só move os pontos que trocaram de grupo; o resultado deve ser o mesmo que refazer tudo
    from hw08.kmeans import _update_sums
    g = torch.Generator().manual_seed(0)
    X = torch.rand(4000, 6, generator=g)
    labels_old = torch.randint(0, 5, (4000,), generator=g)
    sums, counts = _update_sums(X, labels_old, None, None, None, 5)
    labels = labels_old.clone()
    moved = torch.randperm(4000, generator=g)[:300]  # 300 <= 4000 // 8: caminho incremental
    labels[moved] = torch.randint(0, 5, (300,), generator=g)
    sums, counts = _update_sums(X, labels, labels_old, sums, counts, 5)
    ref_sums, ref_counts = _update_sums(X, labels, None, None, None, 5)
    torch.testing.assert_close(counts, ref_counts)
    torch.testing.assert_close(sums, ref_sums, rtol=1e-6, atol=1e-4)
    assert sums.dtype == torch.float64


def test_exact_inertia_and_mean_variance_match_numpy():
    from hw08._kmeans_common import exact_inertia as _exact_inertia, mean_variance as _mean_variance
    rng = np.random.default_rng(1)
    X = (rng.normal(size=(10_000, 7)) * 3 + 100).astype(np.float32)  # deslocamento grande
    C = X[:4].copy()
    labels = rng.integers(0, 4, 10_000)
    expected = ((X.astype(np.float64) - C[labels]) ** 2).sum()
    got = _exact_inertia(torch.tensor(X), torch.tensor(C), torch.tensor(labels), chunk=3000)
    assert got == pytest.approx(expected, rel=1e-6)
    assert _mean_variance(torch.tensor(X), chunk=3000) == pytest.approx(
        X.astype(np.float64).var(axis=0).mean(), rel=1e-5)


def _sparse_blobs(n=4000, d=300, k=6, density=0.15, seed=0):
    """Blobs esparsos (como o MNIST: a maioria das entradas é 0) com grupos bem separados."""
    rng = np.random.default_rng(seed)
    supports = rng.random((k, d)) < density           # cada grupo acende o seu conjunto de atributos
    labels = rng.integers(k, size=n)
    X = (supports[labels] * rng.uniform(0.5, 1.5, size=(n, d))).astype(np.float32)
    return X, labels


def test_csr_copy_only_for_sparse_large_cpu_data():
    X, _ = _sparse_blobs()
    csr = kmeans_module._csr_copy(torch.from_numpy(X))
    assert csr is not None and csr.layout == torch.sparse_csr
    assert csr.col_indices().dtype == torch.int32
    np.testing.assert_array_equal(csr.to_dense().numpy(), X)
    # o passo E pela cópia CSR dá os mesmos valores que pelo produto denso
    Xt, C = torch.from_numpy(X), torch.from_numpy(X[:6] + 0.1)
    partial_csr, labels_csr = kmeans_module._assign(Xt, C, X_csr=csr)
    partial, labels = kmeans_module._assign(Xt, C)
    np.testing.assert_allclose(partial_csr.numpy(), partial.numpy(), rtol=1e-5, atol=1e-3)
    np.testing.assert_array_equal(labels_csr.numpy(), labels.numpy())
    assert kmeans_module._csr_copy(torch.ones(4000, 300)) is None            # densa
    assert kmeans_module._csr_copy(torch.from_numpy(X[:100])) is None        # pequena: não compensa


def test_csr_copy_checks_the_real_density_after_the_sample():
    # as linhas amostradas (uma a cada 16) são zero, as outras densas: a amostra engana,
    # a contagem exata na cópia recusa
    X = torch.ones(4000, 300)
    X[::kmeans_module._DENSITY_STRIDE] = 0
    assert kmeans_module._csr_copy(X) is None


def test_column_mean_matches_numpy_float64():
    from hw08._kmeans_common import column_mean

    r = np.random.default_rng(3)
    X = (r.normal(0, 1, (10_001, 7)) + 1e4).astype(np.float32)
    got = column_mean(torch.from_numpy(X), chunk=1000)
    assert got.dtype == torch.float64
    np.testing.assert_allclose(got.numpy(), X.astype(np.float64).mean(axis=0), rtol=1e-6)
    X64 = X.astype(np.float64)
    np.testing.assert_allclose(column_mean(torch.from_numpy(X64), chunk=999).numpy(), X64.mean(axis=0),
                               rtol=1e-13)


def test_sparse_path_gives_the_dense_result(monkeypatch):
    X, truth = _sparse_blobs()
    init = X[[np.flatnonzero(truth == j)[0] for j in range(6)]]
    sparse = KMeans(6, init=init, device="cpu").fit(X)
    monkeypatch.setattr(kmeans_module, "_CSR_MAX_DENSITY", 0.0)            # força o produto denso
    assert kmeans_module._csr_copy(torch.from_numpy(X)) is None
    dense = KMeans(6, init=init, device="cpu").fit(X)
    np.testing.assert_array_equal(sparse.labels_, dense.labels_)
    assert sparse.n_iter_ == dense.n_iter_
    assert sparse.inertia_ == pytest.approx(dense.inertia_, rel=1e-6)
    np.testing.assert_allclose(sparse.cluster_centers_, dense.cluster_centers_, atol=1e-5)
    sk = SKKMeans(6, init=init, n_init=1, algorithm="lloyd").fit(X)
    assert sparse.inertia_ == pytest.approx(sk.inertia_, rel=1e-4)


# ---------------------------------------------------------------- longe da origem (issue 12)
def _two_groups():
    r = np.random.default_rng(0)
    X = np.r_[r.normal(0, .05, (100, 2)), r.normal(0, .05, (100, 2)) + [1, 0]]
    return X, np.repeat([0, 1], 100)


@pytest.mark.parametrize(("dtype", "offset", "scale"), [
    (np.float64, 1e4, 1.0), (np.float64, 1e8, 1.0), (np.float64, 0.0, 1e20), (np.float64, 1e6, 1e-3),
    (np.float32, 1e4, 1.0), (np.float32, 1e2, 1.0), (np.float32, 0.0, 1e15),
])
def test_correct_far_from_origin_like_sklearn(dtype, offset, scale):
    # dois grupos a 1 unidade (× scale) de distância, deslocados de offset: o sklearn acerta
    # (ARI 1); antes de centrar os dados o hw08 punha tudo num grupo (ARI 0) a partir de 1e4
    X, y = _two_groups()
    X = (X * scale + offset).astype(dtype)
    km = KMeans(2, random_state=0).fit(X)
    sk = SKKMeans(2, random_state=0, n_init=1).fit(X)
    assert adjusted_rand_score(y, sk.labels_) == 1.0
    assert adjusted_rand_score(y, km.labels_) == 1.0
    assert adjusted_rand_score(y, km.predict(X)) == 1.0
    assert km.cluster_centers_.dtype == dtype
    np.testing.assert_allclose(np.sort(km.cluster_centers_[:, 0]), np.sort(sk.cluster_centers_[:, 0]),
                               rtol=1e-6 if dtype == np.float64 else 1e-5,
                               atol=1e-6 * scale if dtype == np.float64 else 1e-4 * scale)


def test_float64_is_preserved_and_float32_stays_float32():
    X, _ = _two_groups()
    assert KMeans(2, random_state=0).fit(X).cluster_centers_.dtype == np.float64
    assert KMeans(2, random_state=0).fit(X.astype(np.float32)).cluster_centers_.dtype == np.float32
    assert KMeans(2, random_state=0).fit(torch.as_tensor(X)).cluster_centers_.dtype == np.float64
    assert KMeans(2, random_state=0).fit(X.astype(int)).cluster_centers_.dtype == np.float32


def test_sparse_path_far_from_origin_is_centred():
    # X esparsa (90 % zeros) mas deslocada de 1e4 nas colunas não nulas: precisa centrar,
    # e o resultado deve coincidir com o do sklearn a partir dos mesmos centroides
    from hw08.kmeans import _reference_point

    r = np.random.default_rng(1)
    X = np.zeros((2000, 600), dtype=np.float32)
    X[:1000, :50] = 1e4 + r.normal(0, 1, (1000, 50))
    X[1000:, :50] = 1e4 + 1 + r.normal(0, 1, (1000, 50))
    shift, _, csr, _ = _reference_point(torch.as_tensor(X))
    assert csr is None and float(shift[0]) > 1e3
    # MNIST-like (perto da origem): fica esparsa, sem centrar
    Z = np.zeros((2000, 600), dtype=np.float32)
    Z[:, :60] = r.random((2000, 60))
    shift, _, csr, _ = _reference_point(torch.as_tensor(Z))
    assert csr is not None and not bool(shift.any())
