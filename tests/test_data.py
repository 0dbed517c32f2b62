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
OFFICIAL_SHA256 = dict(data._SHA256)  # a tabela do código, antes de a fixture trocá-la


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


# ----- nada se perde, nada fica errado: issue 13 ---------------------------------------------

import errno  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import zlib  # noqa: E402
from pathlib import Path  # noqa: E402

from hw08 import _safeio  # noqa: E402

RAW_NAMES = ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "train-images-idx3-ubyte",
             "train-labels-idx1-ubyte"]


def _leftovers(folder):
    return [p.name for p in Path(folder).rglob("*") if p.name.endswith(".tmp")]


def _bad_deflate(payload):
    """Um .gz com cabeçalho válido e fluxo deflate corrompido (o gzip levanta zlib.error)."""
    good = bytearray(gzip.compress(payload, mtime=0))
    for pos in range(10, len(good) - 8):  # 10: fim do cabeçalho gzip
        bad = bytearray(good)
        bad[pos] ^= 0xFF
        try:
            gzip.decompress(bytes(bad))
        except zlib.error:
            return bytes(bad)
        except Exception:  # noqa: BLE001 - CRC/EOF: procura outra posição
            continue
    raise AssertionError("não achei uma corrupção que dê zlib.error")


def test_corrupt_deflate_stream_is_a_clear_error(tmp_path, no_mirror, capsys):
    _write_mirror(tmp_path / "mirror")
    gz = tmp_path / "mirror" / "MNIST" / "raw" / "train-images-idx3-ubyte.gz"
    gz.write_bytes(_bad_deflate(gzip.decompress(gz.read_bytes())))
    with pytest.raises(zlib.error):  # pré-condição: é mesmo o erro do zlib
        gzip.decompress(gz.read_bytes())
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz está corrompido.*error"):
        data.load_mnist(root=tmp_path / "root", mirror=tmp_path / "mirror")
    raw = tmp_path / "root" / "MNIST" / "raw"
    assert not (raw / "train-images-idx3-ubyte").exists() and not _leftovers(tmp_path / "root")
    # pela linha de comando: mensagem, status 1, sem traceback
    os.environ["HW08_DATA_MIRROR"] = str(tmp_path / "mirror")
    try:
        assert data.main([str(tmp_path / "root")]) == 1
    finally:
        del os.environ["HW08_DATA_MIRROR"]
    err = capsys.readouterr().err
    assert err.startswith("hw08.data: erro: O arquivo do espelho") and "Traceback" not in err


def test_label_count_mismatch_is_refused(tmp_path, no_mirror):
    _write_mirror(tmp_path / "mirror")
    raw = tmp_path / "mirror" / "MNIST" / "raw"
    # o t10k-labels diz 2 itens, as imagens são 3 (como o espelho com 100 rótulos para 10 000 imagens)
    (raw / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(_idx_labels(np.array([1, 2]))))
    with pytest.raises(DataError, match="tem 2 rótulos, mas o conjunto oficial tem 3"):
        data.load_mnist("test", root=tmp_path / "root", mirror=tmp_path / "mirror")


def test_label_out_of_range_is_refused(tmp_path, no_mirror):
    _write_mirror(tmp_path / "root", compress=False)
    (tmp_path / "root" / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").write_bytes(
        _idx_labels(np.array([1, 200, 3])))
    with pytest.raises(DataError, match="rótulo 200, fora de 0–9.*Apague-o"):
        data.load_mnist("test", root=tmp_path / "root")


def test_wrong_checksum_is_refused_in_mirror_and_in_root(tmp_path, no_mirror):
    _write_mirror(tmp_path / "a")                       # as somas "oficiais" são as de a
    _write_mirror(tmp_path / "b", seed=9, register=False)  # IDX válido, outro conteúdo
    with pytest.raises(DataError, match=r"espelho .*b/MNIST/raw/.*não é o MNIST oficial: SHA-256"):
        data.load_mnist(root=tmp_path / "root", mirror=tmp_path / "b")
    assert not list((tmp_path / "root" / "MNIST" / "raw").iterdir())
    _write_mirror(tmp_path / "c", seed=9, compress=False, register=False)
    with pytest.raises(DataError, match=r"não é o MNIST oficial: SHA-256"):
        data.load_mnist(root=tmp_path / "c")


def test_embedded_checksums_are_the_official_ones(monkeypatch):
    """A tabela do pacote é a do SHA256SUMS.uncompressed do espelho (e vale para os dados reais)."""
    official = OFFICIAL_SHA256
    sums = Path(os.environ.get("HW08_DATA_MIRROR") or "/nao-existe") / "SHA256SUMS.uncompressed"
    if not sums.is_file():
        pytest.skip("espelho com SHA256SUMS.uncompressed ausente")
    listed = dict(reversed(line.split()) for line in sums.read_text().splitlines() if line.strip())
    assert official == listed
    root = Path(os.environ.get("HW08_DATA_ROOT") or data.default_root())
    monkeypatch.setattr(data, "_SHA256", official)
    if (root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").is_file():  # dados reais: conferem
        assert data._checksum_problem(root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte",
                                      "MNIST/raw/t10k-labels-idx1-ubyte") is None


def test_files_are_written_0644_and_stale_temps_removed(tmp_path, no_mirror):
    _write_mirror(tmp_path / "mirror")
    raw = tmp_path / "root" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = raw / f".train-images-idx3-ubyte.{dead.pid}.tmp"      # resto de um kill -9
    alive = raw / f".train-labels-idx1-ubyte.{os.getppid()}.tmp"  # processo vivo: fica
    stale.write_bytes(b"meio arquivo")
    alive.write_bytes(b"em uso")
    old = os.umask(0o022)
    try:
        data.load_mnist(root=tmp_path / "root", mirror=tmp_path / "mirror")
    finally:
        os.umask(old)
    assert not stale.exists() and alive.exists()
    for name in RAW_NAMES:
        assert (raw / name).stat().st_mode & 0o777 == 0o644, name


def test_root_or_mirror_that_is_a_file(tmp_path, no_mirror):
    (tmp_path / "arquivo").write_text("x")
    _write_mirror(tmp_path / "mirror")
    with pytest.raises(DataError, match=r"arquivo é um arquivo, não uma pasta"):
        data.load_mnist(root=tmp_path / "arquivo", mirror=tmp_path / "mirror")
    with pytest.raises(DataError, match=r"HW08_DATA_MIRROR aponta para .*arquivo, que é um arquivo"):
        data.load_mnist(root=tmp_path / "root", mirror=tmp_path / "arquivo")


def _deny(monkeypatch, folder, code):
    """Erro ``code`` (EACCES, ENOSPC...) ao criar arquivos em ``folder`` — como root, chmod não barra."""
    real_open = os.open

    def fake_open(path, flags, *args, **kwargs):
        if Path(path).parent == folder and flags & os.O_CREAT:
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(_safeio.os, "open", fake_open)


def test_folder_without_permission(tmp_path, no_mirror, monkeypatch):
    _write_mirror(tmp_path / "mirror")
    raw = tmp_path / "root" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    _deny(monkeypatch, raw, errno.EACCES)
    with pytest.raises(DataError, match=r"Sem permissão para criar os arquivos de dados em .*raw.*chmod"):
        data.load_mnist(root=tmp_path / "root", mirror=tmp_path / "mirror")
    monkeypatch.undo()
    assert not list(raw.iterdir())


@pytest.mark.skipif(os.geteuid() == 0, reason="como root as permissões não barram (teste acima injeta o erro)")
def test_folder_without_permission_real(tmp_path, no_mirror):
    _write_mirror(tmp_path / "mirror")
    (tmp_path / "root").mkdir()
    (tmp_path / "root").chmod(0o500)
    try:
        with pytest.raises(DataError, match="Sem permissão"):
            data.load_mnist(root=tmp_path / "root" / "sub", mirror=tmp_path / "mirror")
    finally:
        (tmp_path / "root").chmod(0o700)


def _child_env(tmp_path, **extra):
    env = {**os.environ, "PYTHONPATH": str(Path(data.__file__).resolve().parents[1]),
           "PYTHONIOENCODING": "utf-8"}
    env.pop("HW08_DATA_ROOT", None)
    env.update(extra)
    return env


# tabela dos arquivos minúsculos para o processo filho (a fixture só vale neste processo)
_CHILD_PRELUDE = (
    "import json, os, sys; from hw08 import data; "
    "data._N.update(train=5, test=3); data._SHA256.clear(); "
    "data._SHA256.update(json.loads(os.environ['TINY_SUMS'])); "
)


def test_disk_full_is_not_blamed_on_the_mirror(tmp_path, no_mirror, tiny_table):
    """EFBIG real (limite de tamanho de arquivo do processo): mensagem de espaço, nada fica."""
    import json

    _write_mirror(tmp_path / "mirror")
    code = (_CHILD_PRELUDE + "import resource, signal; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
            "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, resource.getrlimit(resource.RLIMIT_FSIZE)[1])); "
            "sys.exit(data.main([sys.argv[1]]))")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "root")], capture_output=True,
                          text=True, env=_child_env(tmp_path, HW08_DATA_MIRROR=str(tmp_path / "mirror"),
                                                    TINY_SUMS=json.dumps(tiny_table)))
    assert proc.returncode == 1, proc.stderr
    assert "Sem espaço em disco ao gravar" in proc.stderr and "corrompido" not in proc.stderr
    assert "Traceback" not in proc.stderr
    raw = tmp_path / "root" / "MNIST" / "raw"
    assert not (raw / "train-images-idx3-ubyte").exists() and not _leftovers(tmp_path / "root")


def test_disk_full_enospc_message(tmp_path, no_mirror, monkeypatch):
    _write_mirror(tmp_path / "mirror")
    raw = tmp_path / "root" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    _deny(monkeypatch, raw, errno.ENOSPC)
    with pytest.raises(DataError, match="Sem espaço em disco") as info:
        data.load_mnist(root=tmp_path / "root", mirror=tmp_path / "mirror")
    assert "corrompido" not in str(info.value)


def test_sigterm_during_decompression_leaves_nothing(tmp_path, no_mirror, tiny_table):
    """Um processo real recebe SIGTERM no meio da descompressão: sem .tmp, sem arquivo parcial."""
    import json

    _write_mirror(tmp_path / "mirror")
    # a escrita fica lenta (0,2 s por bloco) e avisa quando começou; o sinal é o SIGTERM de verdade
    code = (_CHILD_PRELUDE + "import time; real = data._copy_gunzip\n"
            "def slow(src, out):\n"
            "    out.write(b'parcial'); out.flush(); print('escrevendo', flush=True)\n"
            "    time.sleep(30)\n"
            "data._copy_gunzip = slow\n"
            "sys.exit(data.main([sys.argv[1]]))")
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "root")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env=_child_env(tmp_path, HW08_DATA_MIRROR=str(tmp_path / "mirror"),
                                           TINY_SUMS=json.dumps(tiny_table)))
    assert proc.stdout.readline().strip() == "escrevendo"
    raw = tmp_path / "root" / "MNIST" / "raw"
    assert _leftovers(raw)  # o temporário existe agora
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == -signal.SIGTERM  # termina pelo sinal, como sem o tratador
    assert "hw08.data: interrompido (SIGTERM)" in err and "Traceback" not in err
    assert not _leftovers(tmp_path / "root") and not any(raw.iterdir())


def test_relative_mirror_is_relative_to_project_root(tmp_path, no_mirror, monkeypatch):
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "pyproject.toml").write_text("")
    (tmp_path / "proj" / "notebooks").mkdir()
    content = _write_mirror(tmp_path / "proj" / "espelho")
    monkeypatch.chdir(tmp_path / "proj" / "notebooks")   # como o kernel do JupyterLab
    monkeypatch.setenv("HW08_DATA_MIRROR", "espelho")
    monkeypatch.setenv("HW08_DATA_ROOT", "dados")
    _, y = data.load_mnist("test")
    np.testing.assert_array_equal(y.numpy(), content["t10k"][1])
    assert (tmp_path / "proj" / "dados" / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").is_file()
    monkeypatch.setenv("HW08_DATA_MIRROR", "nao-existe")
    monkeypatch.setenv("HW08_DATA_ROOT", "outros")
    with pytest.raises(DataError, match=r"proj/nao-existe, que não existe.*relativo à raiz do projeto"):
        data.load_mnist("test")


def test_message_in_jupyter_is_short_and_says_what_to_do_in_the_lab(tmp_path, no_mirror, monkeypatch):
    for name in ("ipykernel", "IPython"):  # como dentro de um kernel Jupyter
        monkeypatch.setitem(sys.modules, name, sys.modules.get(name) or object())
    monkeypatch.setattr(data, "_download", lambda *a, **k: (_ for _ in ()).throw(OSError("sem rede")))
    with pytest.raises(DataError) as info:
        data.load_mnist(root=tmp_path / "root")
    msg = str(info.value)
    assert msg.startswith("Não foi possível obter o MNIST")
    assert "Terminal" in msg and "make data" in msg and "reinicie o kernel" in msg
    assert "make lab" in msg
    lines = info.value._render_traceback_()
    assert "Não foi possível obter o MNIST" in lines[0] and len(lines) == len(msg.splitlines())
    monkeypatch.setenv("HW08_DEBUG", "1")
    assert not hasattr(info.value, "_render_traceback_")


def test_cli_debug_shows_traceback(tmp_path, no_mirror, monkeypatch, capsys):
    monkeypatch.setenv("HW08_DATA_MIRROR", str(tmp_path / "nao-existe"))
    assert data.main([str(tmp_path / "root")]) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert data.main(["--debug", str(tmp_path / "root")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "hw08.data: erro: HW08_DATA_MIRROR" in err


def test_real_kernel_shows_the_message_first_without_traceback(tmp_path, no_mirror):
    """Num kernel de verdade (como no JupyterLab): a saída de erro é só a mensagem, curta."""
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    cell = nbformat.v4.new_code_cell(
        f"from hw08.data import load_mnist\nX, y = load_mnist(root={str(tmp_path / 'root')!r}, download=False)")
    nb = nbformat.v4.new_notebook(cells=[cell])
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(Path(data.__file__).resolve().parents[1])] + ([env_path] if env_path else []))
    try:
        with pytest.raises(CellExecutionError):
            NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    finally:
        os.environ["PYTHONPATH"] = env_path
    (err,) = [o for o in cell.outputs if o.output_type == "error"]
    assert err.ename == "DataError"
    assert "Não foi possível obter o MNIST" in err.traceback[0]
    text = "\n".join(err.traceback)
    assert "reinicie o kernel" in text and "make data" in text and "make lab" in text
    assert len(err.traceback) <= 10 and "Traceback" not in text and 'File "' not in text
