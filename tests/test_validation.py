"""Validação comum a todos os estimadores (hw08._validation)."""

import numpy as np
import pytest
import torch

from hw08._validation import (check_array, check_n_clusters, check_positive_int, make_generator,
                              resolve_device, to_numpy)


def test_check_array_converts_numpy_lists_and_tensors():
    X = check_array([[1, 2], [3, 4]], device="cpu")
    assert X.dtype == torch.float32 and X.shape == (2, 2) and X.device.type == "cpu"
    t = check_array(torch.ones(3, 2, dtype=torch.float64), device="cpu")
    assert t.dtype == torch.float32
    np.testing.assert_array_equal(to_numpy(t), np.ones((3, 2)))


@pytest.mark.parametrize(("X", "pattern"), [
    (np.ones(5), r"deve ter 2 dimensões .* X\.reshape\(1, -1\)"),
    (np.ones((2, 28, 28)), r"achate-as antes"),
    (np.array([[1.0, np.nan]]), r"contém NaN ou infinito"),
    (np.array([[1.0, np.inf]]), r"contém NaN ou infinito"),
    (np.array([["a", "b"]]), r"precisa ser numérico"),
    (np.empty((0, 3)), r"tem 0 amostra\(s\)"),
    (np.empty((3, 0)), r"não tem nenhum atributo"),
    (None, r"X é None"),
])
def test_check_array_errors_are_portuguese_value_errors(X, pattern):
    with pytest.raises(ValueError, match=pattern):
        check_array(X, device="cpu")


def test_allow_nan_still_rejects_inf():
    assert torch.isnan(check_array([[np.nan, 1.0]], allow_nan=True, device="cpu")).any()
    with pytest.raises(ValueError, match="infinitos"):
        check_array([[np.inf, 1.0]], allow_nan=True, device="cpu")


def test_n_clusters_and_positive_ints():
    assert check_n_clusters(3, 10) == 3
    with pytest.raises(ValueError, match=r"n_clusters=11 é maior que o número de amostras \(10\)"):
        check_n_clusters(11, 10)
    for bad in (0, -1, 2.5, True, "3"):
        with pytest.raises(ValueError, match="deve ser um inteiro"):
            check_positive_int(bad, "n_init")


def test_devices():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device(None).type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValueError, match="não é um dispositivo válido"):
        resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="não encontrou CUDA"):
            resolve_device("cuda")


def test_generators_are_reproducible():
    a = torch.rand(3, generator=make_generator(7))
    b = torch.rand(3, generator=make_generator(7))
    assert torch.equal(a, b)
    g = torch.Generator().manual_seed(1)
    assert make_generator(g) is g
    make_generator(np.random.default_rng(0))
    with pytest.raises(ValueError, match="random_state"):
        make_generator("abc")


def test_finite_check_fast_path_keeps_huge_finite_values():
    # a soma estoura para inf em float32, mas todas as entradas são finitas: deve passar
    X = np.full((4, 2), 3e38, dtype=np.float32)
    assert torch.isfinite(check_array(X, device="cpu")).all()
    X[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN ou infinito"):
        check_array(X, device="cpu")


def test_random_state_accepts_sklearn_random_state():
    a = torch.rand(3, generator=make_generator(np.random.RandomState(0)))
    b = torch.rand(3, generator=make_generator(np.random.RandomState(0)))
    assert torch.equal(a, b)


def test_declarative_rules_give_portuguese_messages():
    import numbers

    from hw08._validation import DEVICE, RANDOM_STATE, VERBOSE, Interval, Options, validate_params

    class Est:
        _param_rules = {"k": [Interval(numbers.Integral, 1)], "tol": [Interval(numbers.Real, 0)],
                        "kind": [Options("a", "b")], "device": [DEVICE], "random_state": [RANDOM_STATE],
                        "verbose": [VERBOSE]}

        def __init__(self, **kw):
            self.__dict__.update(dict(k=2, tol=1e-3, kind="a", device="cpu", random_state=None, verbose=0), **kw)

    validate_params(Est())
    validate_params(Est(tol=np.float32(1e-3), random_state=np.random.RandomState(0), verbose=True))
    for kw, pattern in [({"k": 0}, r"Est: k=0 inválido; use um inteiro >= 1"), ({"k": True}, "k=True"),
                        ({"tol": -1.0}, "tol=-1.0 inválido; use um número >= 0"), ({"tol": float("nan")}, "tol=nan"),
                        ({"kind": "c"}, "use um de 'a', 'b'"), ({"device": "tpu"}, "device='tpu'"),
                        ({"random_state": -1}, "random_state=-1"), ({"verbose": -1}, "verbose=-1")]:
        with pytest.raises(ValueError, match=pattern):
            validate_params(Est(**kw))


def test_sparse_and_complex_inputs_are_refused_clearly():
    scipy_sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(ValueError, match="matriz esparsa"):
        check_array(scipy_sparse.csr_matrix(np.eye(3)), device="cpu")
    with pytest.raises(ValueError, match="números complexos"):
        check_array(np.ones((2, 2), dtype=complex), device="cpu")
    np.testing.assert_array_equal(to_numpy(check_array(np.ones((2, 2), dtype=object), device="cpu")), 1)
    assert check_array(np.ones((2, 2)), device="cpu", dtype="preserve").dtype == torch.float64
    assert check_array(np.ones((2, 2), dtype=int), device="cpu", dtype="preserve").dtype == torch.float32
