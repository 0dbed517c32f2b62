"""MNIST e FashionMNIST como tensores, com ou sem internet.

Ordem de busca, para cada conjunto de dados:

1. arquivos IDX já descompactados em ``ROOT/<Nome>/raw/`` (``ROOT`` é ``data/`` na raiz do
   projeto, ou ``$HW08_DATA_ROOT``) — nada é baixado;
2. um espelho local apontado por ``$HW08_DATA_MIRROR`` (ou pelo argumento ``mirror``), no layout
   do torchvision (``<Nome>/raw/*-ubyte.gz``): os ``.gz`` são descompactados para ``ROOT`` sem
   rede (os bytes compactados de um espelho podem diferir dos do torchvision, por isso não
   deixamos o torchvision verificá-los);
3. o download do próprio torchvision.

Se nada disso funcionar, :class:`DataError` explica em português o que fazer.
Uso na linha de comando: ``python -m hw08.data`` prepara os dois conjuntos.
"""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import struct
import sys
import tempfile
from pathlib import Path

import torch

__all__ = [
    "DataError",
    "FASHION_MNIST_CLASSES",
    "default_root",
    "prepare",
    "load",
    "load_mnist",
    "load_fashion_mnist",
]

#: Nomes das classes do FashionMNIST em português, na ordem dos rótulos 0–9.
FASHION_MNIST_CLASSES = (
    "camiseta/top", "calça", "pulôver", "vestido", "casaco",
    "sandália", "camisa", "tênis", "bolsa", "bota",
)

_FOLDERS = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}
_ALIASES = {"mnist": "mnist", "fashion-mnist": "fashion-mnist", "fashion_mnist": "fashion-mnist",
            "fashionmnist": "fashion-mnist"}
_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_N = {"train": 60000, "test": 10000}
_IMAGE_MAGIC, _LABEL_MAGIC = 0x00000803, 0x00000801


class DataError(RuntimeError):
    """Os dados não puderam ser obtidos ou estão corrompidos (mensagem em português)."""


def default_root() -> Path:
    """Pasta onde os dados descompactados ficam.

    ``$HW08_DATA_ROOT`` se definida; senão ``data/`` no primeiro diretório, a partir do atual
    e subindo, que contém ``pyproject.toml`` (a raiz do projeto, também quando o notebook roda
    em ``notebooks/``); senão ``./data``.
    """
    env = os.environ.get("HW08_DATA_ROOT")
    if env:
        return Path(env).expanduser()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder / "data"
    return here / "data"


def _canonical(name: str) -> str:
    key = _ALIASES.get(str(name).lower())
    if key is None:
        raise ValueError(f"Conjunto de dados desconhecido: {name!r}. Use 'mnist' ou 'fashion-mnist'.")
    return key


def _check_split(split: str) -> str:
    if split not in _FILES:
        raise ValueError(f"split={split!r} inválido: use 'train' ou 'test'.")
    return split


def _idx_problem(path: Path, *, images: bool) -> str | None:
    """Devolve ``None`` se ``path`` é um arquivo IDX coerente, senão a descrição do problema."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(16 if images else 8)
    except OSError as exc:
        return f"não pôde ser lido ({exc})"
    want_magic = _IMAGE_MAGIC if images else _LABEL_MAGIC
    if len(head) < (16 if images else 8):
        return "é curto demais para um arquivo IDX"
    magic, n = struct.unpack(">II", head[:8])
    if magic != want_magic:
        return f"não é um arquivo IDX de {'imagens' if images else 'rótulos'} (número mágico {magic:#010x})"
    expected = 8 + n
    if images:
        rows, cols = struct.unpack(">II", head[8:16])
        expected = 16 + n * rows * cols
    if size != expected:
        return f"tem {size} bytes, mas o cabeçalho promete {expected} (arquivo truncado ou corrompido)"
    return None


def _have_raw(raw: Path) -> bool:
    for images_name, labels_name in _FILES.values():
        for fname, images in ((images_name, True), (labels_name, False)):
            path = raw / fname
            if not path.exists():
                return False
            problem = _idx_problem(path, images=images)
            if problem is not None:
                raise DataError(
                    f"O arquivo {path} {problem}. Apague-o e rode de novo (ou `make data`) para "
                    "recriá-lo a partir do espelho ou da internet."
                )
    return True


def _decompress(src: Path, dst: Path, *, images: bool) -> None:
    """Descompacta ``src`` (.gz) em ``dst`` de forma atômica, validando o conteúdo."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=dst.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out, gzip.open(src, "rb") as inp:
            shutil.copyfileobj(inp, out, length=1 << 20)
        problem = _idx_problem(Path(tmp), images=images)
        if problem is not None:
            raise DataError(f"O arquivo do espelho {src}, depois de descompactado, {problem}.")
        os.replace(tmp, dst)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DataError(
            f"O arquivo do espelho {src} está corrompido ou não é um .gz válido ({exc}). "
            "Copie-o de novo da fonte original."
        ) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _from_mirror(folder: str, mirror: Path, raw: Path) -> None:
    src_dir = mirror / folder / "raw"
    if not mirror.is_dir():
        raise DataError(
            f"HW08_DATA_MIRROR aponta para {mirror}, que não existe. Corrija o caminho (deve ser a "
            f"pasta que contém {folder}/raw/*.gz) ou remova a variável para baixar da internet."
        )
    missing = [f"{name}.gz" for pair in _FILES.values() for name in pair
               if not (src_dir / f"{name}.gz").is_file()]
    if missing:
        raise DataError(
            f"O espelho {mirror} não tem {folder}/raw/{missing[0]}"
            + (f" (nem outros {len(missing) - 1} arquivos)" if len(missing) > 1 else "")
            + ". O layout esperado é o do torchvision: "
            f"{folder}/raw/{{train,t10k}}-{{images-idx3,labels-idx1}}-ubyte.gz."
        )
    for images_name, labels_name in _FILES.values():
        for fname, images in ((images_name, True), (labels_name, False)):
            if not (raw / fname).exists():
                _decompress(src_dir / f"{fname}.gz", raw / fname, images=images)


def _dataset_class(key: str):
    """A classe do torchvision para ``key`` (importada só quando preciso)."""
    import torchvision

    return {"mnist": torchvision.datasets.MNIST, "fashion-mnist": torchvision.datasets.FashionMNIST}[key]


def _download(key: str, root: Path, timeout: float) -> None:
    cls = _dataset_class(key)
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        for train in (True, False):
            cls(str(root), train=train, download=True)
    finally:
        socket.setdefaulttimeout(old)


def prepare(name: str = "mnist", root=None, *, mirror=None, download: bool = True,
            timeout: float = 20.0) -> Path:
    """Garante que os arquivos IDX de ``name`` estejam descompactados em ``root``.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}
        Conjunto de dados.
    root : str or Path, default=None
        Pasta de dados; ``None`` usa :func:`default_root`.
    mirror : str or Path, default=None
        Espelho local no layout do torchvision; ``None`` lê ``$HW08_DATA_MIRROR``.
    download : bool, default=True
        Se ``False``, nunca tenta a internet.
    timeout : float, default=20.0
        Tempo máximo (s) de cada conexão do download.

    Returns
    -------
    Path
        A pasta ``root`` usada.

    Raises
    ------
    DataError
        Quando nem os arquivos locais, nem o espelho, nem o download funcionam.
    """
    key = _canonical(name)
    folder = _FOLDERS[key]
    root = Path(root).expanduser() if root is not None else default_root()
    raw = root / folder / "raw"
    if _have_raw(raw):
        return root
    if mirror is None:
        mirror = os.environ.get("HW08_DATA_MIRROR") or None
    if mirror is not None:
        _from_mirror(folder, Path(mirror).expanduser(), raw)
        return root
    if not download:
        raise DataError(_missing_message(folder, raw, "o download está desativado (download=False)"))
    try:
        _download(key, root, timeout)
    except Exception as exc:  # noqa: BLE001 - qualquer falha de rede vira a mesma instrução
        raise DataError(_missing_message(folder, raw, f"o download falhou ({type(exc).__name__}: {exc})")) from None
    if not _have_raw(raw):
        raise DataError(_missing_message(folder, raw, "o download terminou sem os arquivos esperados"))
    return root


def _missing_message(folder: str, raw: Path, why: str) -> str:
    return (
        f"Não foi possível obter o {folder}: os arquivos não estão em {raw}, a variável "
        f"HW08_DATA_MIRROR não está definida e {why}.\n"
        "O que fazer:\n"
        "  • com internet: rode `make data` (ou `python -m hw08.data`);\n"
        "  • sem internet: obtenha os arquivos .gz do MNIST/FashionMNIST (layout do torchvision, "
        f"{folder}/raw/train-images-idx3-ubyte.gz etc.), coloque-os numa pasta e rode\n"
        "      export HW08_DATA_MIRROR=/caminho/da/pasta   # ex.: ../shared/data\n"
        f"    ou descompacte-os diretamente em {raw}."
    )


def load(name: str = "mnist", split: str = "train", root=None, *, flatten: bool = False,
         mirror=None, download: bool = True):
    """Carrega um conjunto de dados como tensores.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}
        Conjunto de dados.
    split : {"train", "test"}, default="train"
        Partição: treino (60 000 imagens) ou teste (10 000).
    root, mirror, download
        Como em :func:`prepare`.
    flatten : bool, default=False
        Se ``True``, devolve as imagens como vetores de 784 pixels.

    Returns
    -------
    X : torch.Tensor of shape (n, 28, 28) or (n, 784), float32
        Imagens com pixels em [0, 1].
    y : torch.Tensor of shape (n,), int64
        Rótulos 0–9.
    """
    key = _canonical(name)
    split = _check_split(split)
    root = prepare(key, root, mirror=mirror, download=download)
    cls = _dataset_class(key)
    try:
        ds = cls(str(root), train=(split == "train"), download=False)
    except Exception as exc:  # noqa: BLE001
        raise DataError(
            f"O torchvision não conseguiu ler {_FOLDERS[key]} em {root}: {exc}. Apague "
            f"{root / _FOLDERS[key] / 'raw'} e rode `make data` de novo."
        ) from exc
    X = ds.data.to(torch.float32).div_(255.0)
    if flatten:
        X = X.reshape(len(X), -1)
    return X, ds.targets.to(torch.int64)


def load_mnist(split: str = "train", root=None, **kwargs):
    """Atalho para ``load("mnist", split, root, **kwargs)``."""
    return load("mnist", split, root, **kwargs)


def load_fashion_mnist(split: str = "train", root=None, **kwargs):
    """Atalho para ``load("fashion-mnist", split, root, **kwargs)``."""
    return load("fashion-mnist", split, root, **kwargs)


def main(argv=None) -> int:
    """``python -m hw08.data [ROOT]``: prepara MNIST e FashionMNIST e resume o que há."""
    argv = sys.argv[1:] if argv is None else argv
    root = Path(argv[0]) if argv else None
    try:
        for key in _FOLDERS:
            used = prepare(key, root)
            for split in _FILES:
                X, _ = load(key, split, used)
                print(f"{_FOLDERS[key]:>12} {split:>5}: {len(X)} imagens em {used / _FOLDERS[key] / 'raw'}")
    except DataError as exc:
        print(f"erro: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
