"""hw08._safeio: escrita atômica, limpeza de restos e mensagens de erros do sistema."""

import errno
import os
import subprocess
import sys
import tempfile

import pytest

from hw08 import _safeio


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_atomic_path_replaces_only_on_success(tmp_path):
    target = tmp_path / "x.bin"
    target.write_bytes(b"antigo")
    with pytest.raises(ValueError):
        with _safeio.atomic_path(target) as tmp:
            assert tmp.parent == tmp_path and tmp.exists()
            tmp.write_bytes(b"meio")
            raise ValueError("falhou no meio")
    assert target.read_bytes() == b"antigo" and sorted(os.listdir(tmp_path)) == ["x.bin"]
    with pytest.raises(KeyboardInterrupt):
        with _safeio.atomic_path(target) as tmp:
            tmp.write_bytes(b"meio")
            raise KeyboardInterrupt
    assert target.read_bytes() == b"antigo" and sorted(os.listdir(tmp_path)) == ["x.bin"]
    with _safeio.atomic_path(target) as tmp:
        tmp.write_bytes(b"novo")
    assert target.read_bytes() == b"novo" and sorted(os.listdir(tmp_path)) == ["x.bin"]


def test_stale_temps_and_build_dirs_of_dead_processes_are_removed(tmp_path, monkeypatch):
    dead, alive = _dead_pid(), os.getppid()
    (tmp_path / f".a.pdf.{dead}.tmp").write_bytes(b"resto")
    (tmp_path / f".a.pdf.{alive}.tmp").write_bytes(b"em uso")
    (tmp_path / "a.pdf.tmp").write_bytes(b"de outra coisa")  # não é nosso padrão: fica
    _safeio.remove_stale_temps(tmp_path)
    assert sorted(os.listdir(tmp_path)) == [f".a.pdf.{alive}.tmp", "a.pdf.tmp"]
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    (tmp_path / f"hw08-export-{dead}-abc").mkdir()
    (tmp_path / f"hw08-export-{dead}-abc" / "hw08.pdf").write_bytes(b"parcial")
    (tmp_path / f"hw08-export-{alive}-def").mkdir()
    new = _safeio.make_temp_dir("hw08-export-")
    assert new.name.startswith(f"hw08-export-{os.getpid()}-")
    assert not (tmp_path / f"hw08-export-{dead}-abc").exists()
    assert (tmp_path / f"hw08-export-{alive}-def").exists()


@pytest.mark.parametrize("code, words", [
    (errno.ENOSPC, "Sem espaço em disco"), (errno.EFBIG, "Sem espaço em disco"),
    (errno.EACCES, "Sem permissão"), (errno.ENOTDIR, "é um arquivo, não uma pasta"),
    (errno.EROFS, "somente leitura"),
])
def test_describe_os_error(code, words):
    msg = _safeio.describe_os_error(OSError(code, os.strerror(code), "/x/y"), "gravar /x/y")
    assert words in msg and "corrompido" not in msg


def test_run_cli_messages_and_status(capsys):
    def boom(_):
        raise KeyError("inesperado")

    assert _safeio.run_cli("prog", boom, None) == 1
    err = capsys.readouterr().err
    assert "prog: erro inesperado: KeyError" in err and "--debug" in err and "Traceback" not in err
    assert _safeio.run_cli("prog", boom, None, debug=True) == 1
    assert "Traceback" in capsys.readouterr().err

    def full(_):
        raise OSError(errno.ENOSPC, "No space left on device", "/x")

    assert _safeio.run_cli("prog", full, None) == 1
    assert "prog: erro: Sem espaço em disco" in capsys.readouterr().err
