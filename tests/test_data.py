"""hw08.data com arquivos IDX minúsculos escritos pelo próprio teste (sem rede).

As contagens (60 000/10 000) e as somas SHA-256 oficiais valem para os arquivos reais; aqui a
fixture ``tiny_table`` troca as duas tabelas pelas dos arquivos minúsculos (as somas calculadas
pelo hashlib sobre os bytes que o teste escreve), então as checagens continuam ativas.
"""

import gzip
import hashlib
import os
import struct

import numpy as np
import pytest
import torch

from hw08 import data
from hw08.data import DataError

SIZES = {"train": 5, "t10k": 3}


@pytest.fixture(autouse=True)
def tiny_table(monkeypatch):
    """Contagens e somas esperadas dos arquivos minúsculos (preenchidas por ``_write_mirror``)."""
    monkeypatch.setattr(data, "_N", {"train": SIZES["train"], "test": SIZES["t10k"]})
    monkeypatch.setattr(data, "_SHA256", {})
    monkeypatch.setattr(data, "_verified", {})
    return data._SHA256


def _idx_images(images: np.ndarray) -> bytes:
    n, rows, cols = images.shape
    return struct.pack(">IIII", 0x00000803, n, rows, cols) + images.astype(np.uint8).tobytes()


def _idx_labels(labels: np.ndarray) -> bytes:
    return struct.pack(">II", 0x00000801, len(labels)) + labels.astype(np.uint8).tobytes()


def _fake_set(seed):
    rng = np.random.default_rng(seed)
    out = {}
    for prefix, n in SIZES.items():
        out[prefix] = (rng.integers(0, 256, size=(n, 28, 28)), rng.integers(0, 10, size=n))
    return out


def _write_mirror(folder, name="MNIST", seed=0, compress=True, register=True):
    raw = folder / name / "raw"
    raw.mkdir(parents=True)
    content = _fake_set(seed)
    for prefix, (images, labels) in content.items():
        for suffix, payload in ((f"{prefix}-images-idx3-ubyte", _idx_images(images)),
                                (f"{prefix}-labels-idx1-ubyte", _idx_labels(labels))):
            if register:  # estes bytes passam a ser os "oficiais" do teste
                data._SHA256[f"{name}/raw/{suffix}"] = hashlib.sha256(payload).hexdigest()
            if compress:
                (raw / f"{suffix}.gz").write_bytes(gzip.compress(payload))
            else:
                (raw / suffix).write_bytes(payload)
    return content


def test_mirror_is_decompressed_and_loaded(tmp_path, no_mirror, monkeypatch):
    content = _write_mirror(tmp_path / "mirror")
    monkeypatch.setenv("HW08_DATA_MIRROR", str(tmp_path / "mirror"))
    monkeypatch.setattr(data, "_download", lambda *a, **k: pytest.fail("não deveria baixar"))
    X, y = data.load_mnist("train", root=tmp_path / "root")
    images, labels = content["train"]
    assert X.shape == (5, 28, 28) and X.dtype == torch.float32
    assert y.dtype == torch.int64
    np.testing.assert_allclose(X.numpy(), images / 255.0, rtol=0, atol=1e-7)
    np.testing.assert_array_equal(y.numpy(), labels)
    Xt, yt = data.load_mnist("test", root=tmp_path / "root", flatten=True)
    assert Xt.shape == (3, 784)
    np.testing.assert_array_equal(yt.numpy(), content["t10k"][1])
    assert (tmp_path / "root" / "MNIST" / "raw" / "train-images-idx3-ubyte").is_file()
    assert not list((tmp_path / "root" / "MNIST" / "raw").glob("*.tmp"))


def test_mirror_argument_and_fashion_mnist(tmp_path, no_mirror):
    content = _write_mirror(tmp_path / "mirror", name="FashionMNIST", seed=3)
    X, y = data.load_fashion_mnist("test", root=tmp_path / "root", mirror=tmp_path / "mirror")
    np.testing.assert_array_equal(y.numpy(), content["t10k"][1])
    assert float(X.min()) >= 0.0 and float(X.max()) <= 1.0
    assert len(data.FASHION_MNIST_CLASSES) == 10


def test_existing_raw_files_need_no_mirror_nor_network(tmp_path, no_mirror, monkeypatch):
    content = _write_mirror(tmp_path / "root", compress=False)
    monkeypatch.setattr(data, "_download", lambda *a, **k: pytest.fail("não deveria baixar"))
    _, y = data.load("mnist", "train", root=tmp_path / "root", download=False)
    np.testing.assert_array_equal(y.numpy(), content["train"][1])


def test_missing_mirror_folder_says_what_to_do(tmp_path, no_mirror, monkeypatch):
    monkeypatch.setenv("HW08_DATA_MIRROR", str(tmp_path / "nao-existe"))
    with pytest.raises(DataError, match="HW08_DATA_MIRROR aponta para .*nao-existe.*que não existe"):
        data.load_mnist(root=tmp_path / "root")


def test_mirror_without_the_files_names_the_missing_one(tmp_path, no_mirror):
    (tmp_path / "mirror" / "MNIST" / "raw").mkdir(parents=True)
    with pytest.raises(DataError, match=r"não tem MNIST/raw/train-images-idx3-ubyte\.gz"):
        data.load_mnist(root=tmp_path / "root", mirror=tmp_path / "mirror")


def test_corrupt_gzip_gives_clear_error_and_leaves_nothing(tmp_path, no_mirror):
    _write_mirror(tmp_path / "mirror")
    bad = tmp_path / "mirror" / "MNIST" / "raw" / "train-images-idx3-ubyte.gz"
    bad.write_bytes(b"isto nao e gzip")
    with pytest.raises(DataError, match="corrompido"):
        data.load_mnist(root=tmp_path / "root", mirror=tmp_path / "mirror")
    assert not (tmp_path / "root" / "MNIST" / "raw" / "train-images-idx3-ubyte").exists()


def test_truncated_idx_inside_gzip_is_rejected(tmp_path, no_mirror):
    _write_mirror(tmp_path / "mirror")
    path = tmp_path / "mirror" / "MNIST" / "raw" / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes())[:-10]))
    with pytest.raises(DataError, match="truncado ou corrompido"):
        data.load_mnist(root=tmp_path / "root", mirror=tmp_path / "mirror")


def test_corrupt_file_already_in_root_is_reported(tmp_path, no_mirror):
    _write_mirror(tmp_path / "root", compress=False)
    (tmp_path / "root" / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x03abcd")
    with pytest.raises(DataError, match="Apague-o"):
        data.load_mnist(root=tmp_path / "root")


def test_no_data_no_mirror_no_network_fails_with_instructions(tmp_path, no_mirror, monkeypatch):
    def offline(*args, **kwargs):
        raise OSError("Name or service not known")

    monkeypatch.setattr(data, "_download", offline)
    with pytest.raises(DataError) as info:
        data.load_mnist(root=tmp_path / "root")
    msg = str(info.value)
    assert "o download falhou" in msg and "export HW08_DATA_MIRROR=" in msg and "make data" in msg
    with pytest.raises(DataError, match="download está desativado"):
        data.load_mnist(root=tmp_path / "root", download=False)


def test_cli_exit_status_and_message(tmp_path, no_mirror, monkeypatch, capsys):
    monkeypatch.setenv("HW08_DATA_MIRROR", str(tmp_path / "nao-existe"))
    assert data.main([str(tmp_path / "root")]) == 1
    assert "erro: HW08_DATA_MIRROR" in capsys.readouterr().err


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="Conjunto de dados desconhecido"):
        data.load("cifar", root=tmp_path)
    with pytest.raises(ValueError, match="split='valid' inválido"):
        data.load("mnist", "valid", root=tmp_path)


def test_default_root_is_project_data_folder(tmp_path, no_mirror, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert data.default_root() == tmp_path.resolve() / "data"
    monkeypatch.setenv("HW08_DATA_ROOT", str(tmp_path / "outro"))
    assert data.default_root() == tmp_path / "outro"
