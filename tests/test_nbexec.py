"""hw08._nbexec: executar notebooks com widgets sem esperar o timeout (jupyter/nbclient#312)."""

import asyncio
import time
from queue import Empty

import nbformat
import pytest

from hw08 import _nbexec
from hw08._nbexec import ShellChannel, notebook_client


class _LostWakeupSocket:
    """Socket falso: a mensagem já está na fila, mas um poll sem prazo nunca acorda (o bug)."""

    def __init__(self, ready_after=0):
        self.calls = []
        self.ready_after = ready_after

    async def poll(self, timeout_ms):
        self.calls.append(timeout_ms)
        if timeout_ms is None:
            await asyncio.Event().wait()            # o aviso perdido: espera para sempre
        if len(self.calls) > self.ready_after:
            return 1
        await asyncio.sleep(timeout_ms / 1000)
        return 0


def _channel(socket):
    channel = ShellChannel.__new__(ShellChannel)   # o __init__ exige um socket zmq.asyncio de verdade
    channel.socket, channel.session = socket, None

    async def recv():
        return {"msg_type": "execute_reply"}

    channel._recv = recv
    return channel


def test_get_msg_without_deadline_polls_in_slices_and_finds_the_queued_reply():
    socket = _LostWakeupSocket(ready_after=2)
    msg = asyncio.run(asyncio.wait_for(_channel(socket).get_msg(timeout=None), 10))
    assert msg == {"msg_type": "execute_reply"}
    assert socket.calls == [250, 250, 250]          # nunca um poll sem prazo


def test_get_msg_keeps_the_total_deadline():
    socket = _LostWakeupSocket(ready_after=10**6)
    start = time.monotonic()
    with pytest.raises(Empty):
        asyncio.run(_channel(socket).get_msg(timeout=0.6))
    assert 0.55 <= time.monotonic() - start < 5
    assert socket.calls[:2] == [250, 250] and socket.calls[-1] <= 100


def test_notebook_client_uses_the_sliced_client():
    nb = nbformat.v4.new_notebook()
    client = notebook_client(nb, timeout=5, kernel_name="hw08")
    assert client.config.AsyncKernelManager.client_class == _nbexec.CLIENT_CLASS
    module, name = _nbexec.CLIENT_CLASS.rsplit(".", 1)
    assert module == _nbexec.__name__ and getattr(_nbexec, name) is _nbexec.KernelClient


def test_widget_with_figure_does_not_wait_for_the_cell_timeout(hw08_kernel_dir, tmp_path, monkeypatch):
    # Reproduz o 01: controls() desenhando uma grade de amostras dentro do Output do widget.
    # Com o AsyncKernelClient padrão do nbclient 0.11 esta célula só terminava no timeout
    # (medido: 9 s de trabalho + os 20 s do timeout); aqui ela deve terminar bem antes dele.
    pytest.importorskip("ipywidgets")
    monkeypatch.setenv("JUPYTER_PATH", str(hw08_kernel_dir))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import numpy as np\n"
        "import ipywidgets as w\n"
        "from hw08 import plotting\n"
        "from hw08.interactive import controls\n"
        "X = np.random.default_rng(0).random((2000, 784)).astype('float32')\n"
        "lab = np.arange(2000) % 10\n"
        "def f(k='a'):\n"
        "    plotting.samples_per_cluster(X, lab, random_state=0, suptitle=k)\n"
        "controls(f, k=w.Dropdown(options=['a', 'b']))"),
        nbformat.v4.new_code_cell("print('depois do widget')")]
    timeout = 120
    start = time.monotonic()
    notebook_client(nb, timeout=timeout, kernel_name="hw08",
                    resources={"metadata": {"path": str(tmp_path)}}).execute()
    elapsed = time.monotonic() - start
    assert nb.cells[1].outputs[0]["text"] == "depois do widget\n"
    assert elapsed < timeout / 2, f"a execução esperou {elapsed:.0f} s (o timeout da célula é {timeout} s)"


def test_kernel_starts_in_the_canonical_arithmetic(hw08_kernel_dir, tmp_path, monkeypatch):
    """O kernel do exportador (``--execute``) roda na aritmética canônica, mesmo com outra no pytest."""
    monkeypatch.setenv("JUPYTER_PATH", str(hw08_kernel_dir))
    monkeypatch.setenv("MKL_CBWR", "AUTO")
    monkeypatch.delenv("ATEN_CPU_CAPABILITY", raising=False)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import os, torch\nprint(os.environ['MKL_CBWR'], torch.backends.cpu.get_cpu_capability())")]
    notebook_client(nb, timeout=120, kernel_name="hw08",
                    resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert nb.cells[0].outputs[0]["text"].split() == ["COMPATIBLE", "DEFAULT"]
