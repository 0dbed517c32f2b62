"""MNIST e FashionMNIST como tensores, com ou sem internet.

Ordem de busca, para cada conjunto de dados:

1. arquivos IDX já descompactados em ``ROOT/<Nome>/raw/`` (``ROOT`` é ``data/`` na raiz do
   projeto, ou ``$HW08_DATA_ROOT``) — nada é baixado;
2. um espelho local apontado por ``$HW08_DATA_MIRROR`` (ou pelo argumento ``mirror``), no layout
   do torchvision (``<Nome>/raw/*-ubyte.gz``): os ``.gz`` são descompactados para ``ROOT`` sem
   rede (os bytes compactados de um espelho podem diferir dos do torchvision, por isso não
   deixamos o torchvision verificá-los);
3. o download do próprio torchvision.

Os arquivos são validados de ponta a ponta (cabeçalho IDX, 60 000/10 000 itens, imagens 28×28,
rótulos 0–9 e as somas SHA-256 oficiais dos arquivos descompactados, em ``_SHA256``); a
descompressão é atômica (temporário na mesma pasta, limpo em erro, Ctrl-C e SIGTERM; restos de
um ``kill -9`` somem na execução seguinte) e grava com modo 0644 (menos a umask). Caminhos
relativos em ``$HW08_DATA_ROOT``/``$HW08_DATA_MIRROR`` são relativos à raiz do projeto
(:func:`project_root`), também de dentro de ``notebooks/``.

Se nada disso funcionar, :class:`DataError` explica em português o que fazer (no Jupyter, só a
mensagem, sem traceback). Uso na linha de comando: ``python -m hw08.data [--debug] [PASTA]``
prepara os dois conjuntos.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import socket
import struct
import sys
import zlib
from pathlib import Path

import torch

from ._safeio import UserError, atomic_path, describe_os_error, remove_stale_temps, run_cli

__all__ = [
    "DataError",
    "FASHION_MNIST_CLASSES",
    "default_root",
    "project_root",
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
#: Número de imagens (e de rótulos) esperado em cada partição.
_N = {"train": 60000, "test": 10000}
#: SHA-256 dos arquivos IDX descompactados oficiais (os mesmos de ``SHA256SUMS.uncompressed`` do
#: espelho): qualquer outro conteúdo é recusado. Os testes trocam esta tabela e ``_N`` pelas dos
#: seus arquivos minúsculos.
_SHA256 = {
    "FashionMNIST/raw/t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "FashionMNIST/raw/t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    "FashionMNIST/raw/train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "FashionMNIST/raw/train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "MNIST/raw/t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "MNIST/raw/t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    "MNIST/raw/train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "MNIST/raw/train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
}
_IMAGE_MAGIC, _LABEL_MAGIC = 0x00000803, 0x00000801
_N_CLASSES = 10
_verified: dict = {}  # (caminho, tamanho, mtime, inode) -> True: cada arquivo é somado uma vez por processo


class DataError(UserError):
    """Os dados não puderam ser obtidos ou estão corrompidos (mensagem em português).

    No Jupyter/IPython aparece só a mensagem, sem o traceback (``_render_traceback_``); defina
    ``HW08_DEBUG=1`` para ver o traceback completo.
    """

    def __getattribute__(self, name):
        if name == "_render_traceback_" and os.environ.get("HW08_DEBUG"):
            raise AttributeError(name)  # o IPython volta ao traceback normal
        return super().__getattribute__(name)

    def _render_traceback_(self):
        return [f"\x1b[1;31mDataError\x1b[0m: {line}" if i == 0 else line
                for i, line in enumerate(str(self).splitlines())]


def project_root() -> Path:
    """A raiz do projeto: o primeiro diretório, a partir do atual e subindo, com ``pyproject.toml``.

    É a pasta de onde ``make`` roda, também quando o notebook roda em ``notebooks/``. Fora de um
    checkout (nenhum ``pyproject.toml`` acima), o diretório atual.
    """
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return here


def _env_path(value) -> Path:
    """Caminho de uma variável de ambiente: ``~`` expandido; relativo = relativo à raiz do projeto."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else project_root() / path


def default_root() -> Path:
    """Pasta onde os dados descompactados ficam.

    ``$HW08_DATA_ROOT`` se definida (um caminho relativo é relativo à raiz do projeto, veja
    :func:`project_root`); senão ``data/`` na raiz do projeto (também quando o notebook roda em
    ``notebooks/``); fora de um checkout, ``./data``.
    """
    env = os.environ.get("HW08_DATA_ROOT")
    if env:
        return _env_path(env)
    return project_root() / "data"


def _canonical(name: str) -> str:
    key = _ALIASES.get(str(name).lower())
    if key is None:
        raise ValueError(f"Conjunto de dados desconhecido: {name!r}. Use 'mnist' ou 'fashion-mnist'.")
    return key


def _check_split(split: str) -> str:
    if split not in _FILES:
        raise ValueError(f"split={split!r} inválido: use 'train' ou 'test'.")
    return split


def _idx_problem(path: Path, *, images: bool, n_expected: int | None = None) -> str | None:
    """Devolve ``None`` se ``path`` é um arquivo IDX coerente, senão a descrição do problema.

    Confere número mágico, tamanho contra o cabeçalho, imagens 28×28, ``n_expected`` itens (se
    dado) e, nos rótulos, valores de 0 a 9.
    """
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(16 if images else 8)
    except OSError as exc:
        raise DataError(describe_os_error(exc, f"ler {path}")) from exc
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
    if images and (rows, cols) != (28, 28):
        return f"tem imagens {rows}×{cols}, não 28×28"
    if n_expected is not None and n != n_expected:
        return f"tem {n} {'imagens' if images else 'rótulos'}, mas o conjunto oficial tem {n_expected}"
    if not images:
        try:
            labels = path.read_bytes()[8:]
        except OSError as exc:
            raise DataError(describe_os_error(exc, f"ler {path}")) from exc
        if labels and max(labels) >= _N_CLASSES:
            return f"tem o rótulo {max(labels)}, fora de 0–{_N_CLASSES - 1}"
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _checksum_problem(path: Path, key: str) -> str | None:
    """``None`` se o SHA-256 de ``path`` é o esperado para ``key`` (ex.: 'MNIST/raw/...')."""
    want = _SHA256.get(key)
    if want is None:
        return f"não é um arquivo conhecido ({key} não está na tabela de somas)"
    try:
        st = path.stat()
        cache = (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino, want)
        if _verified.get(cache):
            return None
        got = _sha256(path)
    except OSError as exc:
        raise DataError(describe_os_error(exc, f"ler {path}")) from exc
    if got != want:
        return (f"não é o {key.split('/')[0]} oficial: SHA-256 {got[:16]}…, esperado {want[:16]}… "
                "(conteúdo alterado ou de outro conjunto)")
    _verified[cache] = True
    return None


def _counts(fname: str) -> int:
    return _N["train" if fname.startswith("train") else "test"]


def _have_raw(raw: Path) -> bool:
    """``True`` se os quatro arquivos estão em ``raw`` e conferem; ``False`` se falta algum.

    Um arquivo presente mas errado (truncado, contagem, rótulos, SHA-256) é um :class:`DataError`.
    """
    _check_folder(raw.parent.parent, "a pasta de dados (HW08_DATA_ROOT)")
    try:
        if not all((raw / name).exists() for pair in _FILES.values() for name in pair):
            return False
    except OSError as exc:
        raise DataError(describe_os_error(exc, f"ler a pasta de dados {raw}")) from exc
    for images_name, labels_name in _FILES.values():
        for fname, images in ((images_name, True), (labels_name, False)):
            path = raw / fname
            problem = (_idx_problem(path, images=images, n_expected=_counts(fname))
                       or _checksum_problem(path, f"{raw.parent.name}/raw/{fname}"))
            if problem is not None:
                raise DataError(
                    f"O arquivo {path} {problem}. Apague-o e rode de novo (ou `make data`) para "
                    "recriá-lo a partir do espelho ou da internet."
                )
    return True


def _check_folder(path: Path, what: str) -> None:
    """Erro claro se ``path`` (ou uma pasta acima) existe mas é um arquivo."""
    for folder in (path, *path.parents):
        if folder.exists() or folder.is_symlink():
            if not folder.is_dir():
                raise DataError(
                    f"{what[0].upper() + what[1:]} {path} não pode ser usada: {folder} é um "
                    "arquivo, não uma "
                    "pasta. Apague/renomeie esse arquivo ou aponte HW08_DATA_ROOT para outra pasta."
                )
            return


def _copy_gunzip(src: Path, out) -> None:
    """Descompacta ``src`` em ``out``; erros de leitura/formato e de escrita com mensagens distintas."""
    try:
        inp = gzip.open(src, "rb")
    except OSError as exc:
        raise DataError(describe_os_error(exc, f"ler o espelho {src}")) from exc
    with inp:
        while True:
            try:
                chunk = inp.read(1 << 20)
            except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
                raise _corrupt(src, exc) from exc
            except OSError as exc:
                if exc.errno is None:  # erros de formato do gzip sem errno
                    raise _corrupt(src, exc) from exc
                raise DataError(describe_os_error(exc, f"ler o espelho {src}")) from exc
            if not chunk:
                return
            try:
                out.write(chunk)
            except OSError as exc:
                raise DataError(describe_os_error(exc, f"gravar {out.name}")) from exc


def _corrupt(src: Path, exc: BaseException) -> DataError:
    return DataError(
        f"O arquivo do espelho {src} está corrompido ou não é um .gz válido ({type(exc).__name__}: "
        f"{exc}). Copie-o de novo da fonte original."
    )


def _decompress(src: Path, dst: Path, *, images: bool) -> None:
    """Descompacta ``src`` (.gz) em ``dst`` de forma atômica, validando o conteúdo.

    O temporário fica na pasta de ``dst`` e é apagado em qualquer saída (erro, Ctrl-C, SIGTERM);
    ``dst`` só aparece, com permissões 0644 (menos a umask), quando está completo e confere.
    """
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(describe_os_error(exc, f"criar a pasta de dados {dst.parent}")) from exc
    try:
        with atomic_path(dst, what="os arquivos de dados") as tmp:
            try:
                with open(tmp, "wb") as out:
                    _copy_gunzip(src, out)
                    out.flush()
                    os.fsync(out.fileno())
            except OSError as exc:  # escrita (disco cheio, limite de tamanho): não é culpa do espelho
                raise DataError(describe_os_error(exc, f"gravar {dst}")) from exc
            key = f"{dst.parent.parent.name}/raw/{dst.name}"
            problem = (_idx_problem(tmp, images=images, n_expected=_counts(dst.name))
                       or _checksum_problem(tmp, key))
            if problem is not None:
                raise DataError(f"O arquivo do espelho {src}, depois de descompactado, {problem}. "
                                "Copie-o de novo da fonte original.")
    except UserError as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(str(exc)) from exc


def _from_mirror(folder: str, mirror: Path, raw: Path) -> None:
    src_dir = mirror / folder / "raw"
    if mirror.exists() and not mirror.is_dir():
        raise DataError(
            f"HW08_DATA_MIRROR aponta para {mirror}, que é um arquivo, não uma pasta. Aponte-a para "
            f"a pasta que contém {folder}/raw/*.gz (ex.: a pasta-mãe de {folder}/)."
        )
    if not mirror.is_dir():
        raise DataError(
            f"HW08_DATA_MIRROR aponta para {mirror}, que não existe. Corrija o caminho (deve ser a "
            f"pasta que contém {folder}/raw/*.gz; um caminho relativo é relativo à raiz do projeto, "
            f"{project_root()}) ou remova a variável para baixar da internet."
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
    if raw.is_dir():
        remove_stale_temps(raw)  # restos de um kill -9 numa descompressão anterior
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
        env = os.environ.get("HW08_DATA_MIRROR") or None
        mirror = _env_path(env) if env else None
    if mirror is not None:
        _from_mirror(folder, Path(mirror).expanduser(), raw)
        if not _have_raw(raw):  # confere os quatro juntos (contagens, somas)
            raise DataError(_missing_message(folder, raw, "o espelho não produziu os arquivos esperados"))
        return root
    if not download:
        raise DataError(_missing_message(
            folder, raw,
            "HW08_DATA_MIRROR não está definida e o download está desativado (download=False)"))
    try:
        _download(key, root, timeout)
    except Exception as exc:  # noqa: BLE001 - qualquer falha de rede vira a mesma instrução
        raise DataError(_missing_message(
            folder, raw,
            f"HW08_DATA_MIRROR não está definida e o download falhou ({type(exc).__name__}: {exc})",
        )) from None
    if not _have_raw(raw):
        raise DataError(_missing_message(folder, raw, "o download terminou sem os arquivos esperados"))
    return root


def _in_kernel() -> bool:
    """Estamos num kernel Jupyter (JupyterLab, Notebook, nbconvert)?"""
    return "ipykernel" in sys.modules and "IPython" in sys.modules


def _missing_message(folder: str, raw: Path, why: str) -> str:
    head = f"Não foi possível obter o {folder}: os arquivos não estão em {raw} e {why}.\n"
    if _in_kernel():  # no Lab, um `export` no terminal não chega ao kernel já aberto
        return head + (
            "O que fazer, sem sair do JupyterLab:\n"
            "  1. abra um terminal (File → New → Terminal), vá à raiz do projeto e rode `make data`\n"
            "     (sem internet: `HW08_DATA_MIRROR=/caminho/da/pasta/com/os/gz make data`);\n"
            "  2. reinicie o kernel (Kernel → Restart Kernel) e rode as células de novo.\n"
            "Ou defina o espelho antes de abrir o Lab: `export HW08_DATA_MIRROR=/caminho` e `make lab`;\n"
            "ou, nesta sessão, rode numa célula: import os; os.environ['HW08_DATA_MIRROR'] = '/caminho'."
        )
    return head + (
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
    if len(ds.data) != len(ds.targets) or (len(ds.targets) and int(ds.targets.max()) >= _N_CLASSES):
        raise DataError(f"{_FOLDERS[key]} em {root}: {len(ds.data)} imagens e {len(ds.targets)} rótulos "
                        f"(ou rótulo fora de 0–9). Apague {root / _FOLDERS[key] / 'raw'} e rode `make data`.")
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


def _main(argv) -> int:
    root = Path(argv[0]) if argv else None
    for key in _FOLDERS:
        used = prepare(key, root)
        for split in _FILES:
            X, _ = load(key, split, used)
            print(f"{_FOLDERS[key]:>12} {split:>5}: {len(X)} imagens em {used / _FOLDERS[key] / 'raw'}")
    return 0


def main(argv=None) -> int:
    """``python -m hw08.data [--debug] [ROOT]``: prepara MNIST e FashionMNIST e resume o que há.

    Erros viram ``hw08.data: erro: ...`` (status 1) sem traceback; ``--debug`` mostra o traceback.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    if len(argv) > 1 or any(a.startswith("-") for a in argv):
        print("uso: python -m hw08.data [--debug] [PASTA_DE_DADOS]", file=sys.stderr)
        return 2
    return run_cli("hw08.data", _main, argv, debug=debug, handled=(UserError, ValueError))


if __name__ == "__main__":
    raise SystemExit(main())
