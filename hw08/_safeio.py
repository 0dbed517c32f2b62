"""Nada se perde: escrita atômica, limpeza em sinais e erros em português para os comandos.

Usado por :mod:`hw08.data` e :mod:`hw08.export`:

- :func:`atomic_path` reserva um temporário **na mesma pasta** do destino e só o move para o
  lugar (``os.replace``) quando tudo deu certo; em qualquer exceção, Ctrl-C (SIGINT) ou SIGTERM
  o temporário é apagado e o arquivo anterior fica intacto;
- :func:`signals_as_exceptions` transforma SIGTERM/SIGHUP em :class:`Terminated` durante um
  trecho crítico (os ``finally`` rodam e limpam), e depois reenvia o sinal ao próprio processo,
  que termina como terminaria sem o tratador;
- :func:`describe_os_error` traduz um :class:`OSError` (permissão, disco cheio, pasta que é
  arquivo...) numa frase que diz o que fazer;
- :func:`run_cli` roda o ``main`` de um comando: erros conhecidos viram ``prog: erro: ...``,
  status ≠ 0 e nenhum traceback (``--debug`` mostra o traceback).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import traceback
from pathlib import Path

__all__ = ["Terminated", "UserError", "atomic_path", "describe_os_error", "make_temp_dir",
           "remove_stale_temps", "run_cli", "signals_as_exceptions", "temp_name"]

#: Permissões de um arquivo novo: 0666 menos a umask (0644 com a umask usual 022), como ``open``.
_DEFAULT_MODE = 0o666


class UserError(RuntimeError):
    """Erro com mensagem em português pronta para o usuário (base de DataError e ExportError)."""


class Terminated(BaseException):
    """O processo recebeu SIGTERM/SIGHUP no meio de um trecho crítico (como KeyboardInterrupt)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    def __str__(self) -> str:
        return f"interrompido pelo sinal {signal.Signals(self.signum).name}"


def _raise_terminated(signum, frame):  # noqa: ARG001 - assinatura de tratador de sinal
    raise Terminated(signum)


#: Sinais de término tratados (SIGHUP não existe no Windows).
_TERM_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextlib.contextmanager
def signals_as_exceptions(signums=_TERM_SIGNALS, message: str | None = None):
    """Durante o bloco, SIGTERM/SIGHUP levantam :class:`Terminated` (os ``finally`` limpam).

    Ao sair por um desses sinais, o tratador anterior é restaurado e o sinal é reenviado ao
    próprio processo: quem não tratava o sinal termina por ele (status 143 para SIGTERM), como
    sem este bloco. Só tem efeito na thread principal (o Python só instala tratadores nela);
    sinais ignorados (``SIG_IGN``) continuam ignorados. ``message`` (com ``{signal}``) é
    escrita no stderr antes de o sinal ser reenviado.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for signum in signums:
        old = signal.getsignal(signum)
        if old is signal.SIG_IGN or old is None:
            continue
        previous[signum] = old
        signal.signal(signum, _raise_terminated)
    try:
        yield
    except Terminated as exc:
        for signum, old in previous.items():
            signal.signal(signum, old)
        previous = {}
        if message:
            print(message.format(signal=signal.Signals(exc.signum).name), file=sys.stderr, flush=True)
        os.kill(os.getpid(), exc.signum)  # o tratador anterior (ou o padrão) decide
        raise
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def temp_name(target: Path) -> str:
    """Nome do temporário de ``target``: oculto, na mesma pasta, com o PID (para limpeza)."""
    return f".{target.name}.{os.getpid()}.tmp"


_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.tmp$")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # existe, de outro usuário
        return True
    return True


def remove_stale_temps(folder: Path, name: str | None = None) -> list[Path]:
    """Apaga os temporários de :func:`temp_name` em ``folder`` cujo processo já morreu.

    Restos de um ``kill -9`` (SIGKILL não pode ser tratado) somem na execução seguinte; os de
    um processo vivo (outro notebook descompactando agora) ficam. ``name`` limita a um destino.
    """
    removed = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for path in entries:
        m = _TEMP.match(path.name)
        if not m or (name is not None and m["name"] != name) or _pid_alive(int(m["pid"])):
            continue
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target, *, mode: int = _DEFAULT_MODE, what: str = "o arquivo"):
    """Reserva um temporário ao lado de ``target`` e o põe no lugar só se o bloco terminar bem.

    Uso::

        with atomic_path(destino) as tmp:
            escreva(tmp)          # qualquer exceção/sinal: tmp apagado, destino intacto

    O temporário é criado na entrada (uma pasta sem permissão falha logo, antes do trabalho
    longo), com as permissões de um arquivo novo (``mode`` menos a umask: 0644 em geral).
    Erros de sistema de arquivos viram :class:`UserError` com :func:`describe_os_error`.
    """
    target = Path(target)
    folder = target.parent
    with signals_as_exceptions():  # por fora: a limpeza abaixo roda antes de o sinal ser reenviado
        remove_stale_temps(folder, target.name)
        tmp = folder / temp_name(target)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.chmod(tmp, mode & ~_umask())
            finally:
                os.close(fd)
        except OSError as exc:
            raise UserError(describe_os_error(exc, f"criar {what} em {folder}")) from exc
        done = False
        try:
            yield tmp
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise UserError(describe_os_error(exc, f"gravar {target}")) from exc
            done = True
        finally:
            if not done:
                with contextlib.suppress(OSError):
                    tmp.unlink()


def describe_os_error(exc: OSError, doing: str) -> str:
    """Frase em português para ``exc`` ocorrido ao ``doing`` (ex.: 'gravar data/x'), com o que fazer."""
    where = exc.filename if exc.filename is not None else ""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", -1)):
        return (f"Sem espaço em disco ao {doing} ({os.strerror(code)}). Libere espaço (ou aumente a "
                "cota) nessa pasta, ou escolha outra, e rode de novo; nada foi alterado.")
    if code in (errno.EACCES, errno.EPERM):
        return (f"Sem permissão para {doing}: {where or exc.strerror}. Ajuste as permissões "
                "(ls -l; chmod/chown) ou escolha uma pasta sua, e rode de novo.")
    if code == errno.EROFS:
        return (f"Não dá para {doing}: {where} está num sistema de arquivos somente leitura. "
                "Escolha outra pasta.")
    if code == errno.ENOTDIR:
        return (f"Não dá para {doing}: parte do caminho {where} é um arquivo, não uma pasta. "
                "Corrija o caminho (ou mova o arquivo) e rode de novo.")
    if code == errno.EISDIR:
        return f"Não dá para {doing}: {where} é uma pasta, não um arquivo. Corrija o caminho."
    if code == errno.ENOENT:
        return f"Não dá para {doing}: {where} não existe. Confira o caminho."
    return f"Erro do sistema ao {doing}: {exc.strerror or exc} ({where})."


def run_cli(prog: str, main, argv, *, debug: bool = False, handled=(UserError,),
            interrupted: str = "nenhum arquivo de saída foi alterado.") -> int:
    """Roda ``main(argv)`` e converte as falhas em mensagens curtas (status ≠ 0, sem traceback).

    ``handled``: exceções cuja mensagem já está pronta para o usuário. ``OSError`` vira
    :func:`describe_os_error`; Ctrl-C vira status 130; qualquer outra exceção vira "erro
    inesperado" com a dica do ``--debug``. Com ``debug=True`` o traceback também é impresso.
    ``interrupted``: o que dizer, depois de ``interrompido (...)``, sobre os arquivos de saída.
    """
    try:
        # SIGTERM: os finally limpam, depois o processo termina pelo sinal
        with signals_as_exceptions(message=f"{prog}: interrompido ({{signal}}); "
                                           + interrupted.replace("{", "{{").replace("}", "}}")):
            return main(argv)
    except KeyboardInterrupt:
        if debug:
            traceback.print_exc()
        print(f"{prog}: interrompido (Ctrl-C); {interrupted}", file=sys.stderr)
        return 130
    except handled as exc:
        if debug:
            traceback.print_exc()
        print(f"{prog}: erro: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        if debug:
            traceback.print_exc()
        print(f"{prog}: erro: {describe_os_error(exc, 'acessar um arquivo')}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - nada de traceback sem --debug
        if debug:
            traceback.print_exc()
        print(f"{prog}: erro inesperado: {type(exc).__name__}: {exc}\n"
              f"Rode de novo com --debug para ver o traceback (e anexe-o ao relatar o problema).",
              file=sys.stderr)
        return 1


def make_temp_dir(prefix: str) -> Path:
    """Pasta temporária com o PID no nome (``<prefix><pid>-xxxx``), limpando as de processos mortos."""
    base = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for path in base.glob(f"{prefix}*"):
            m = re.match(re.escape(prefix) + r"(\d+)-", path.name)
            if m and not _pid_alive(int(m.group(1))) and path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))
