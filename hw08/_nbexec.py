"""Execução de notebooks pelo nbclient sem a espera da issue jupyter/nbclient#312.

Quando uma célula mostra um ``ipywidgets.Output`` com uma figura (``hw08.interactive.controls``), o
nbclient imita o widget e devolve o estado ao kernel pelo canal *shell* (``OutputWidget.sync_state``)
enquanto outra corrotina espera a resposta da célula no mesmo socket. O aviso de "mensagem chegou"
do zmq se perde e a espera só acaba no ``timeout`` da célula — com o padrão do ``jupyter nbconvert``
(sem limite), nunca. Medido aqui: uma célula de 9 s levou 9 s + o ``timeout`` inteiro (20 s → 28 s;
900 s → o ``make notebooks`` parado no 01).

:class:`KernelClient` espera a resposta em fatias de 0,25 s: a cada fatia o ``poll`` do zmq olha de
novo o socket e encontra a mensagem que já está lá. Use-o com

``jupyter nbconvert --execute --AsyncKernelManager.client_class=hw08._nbexec.KernelClient ...``

ou com :func:`notebook_client`, que além disso inicia o kernel na aritmética canônica
(:mod:`hw08.canonical`): é o executor do exportador (``--execute``), cujas saídas vão para o PDF.
"""

from __future__ import annotations

import time
from queue import Empty

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from traitlets import Type

__all__ = ["ShellChannel", "KernelClient", "CLIENT_CLASS", "notebook_client"]

CLIENT_CLASS = "hw08._nbexec.KernelClient"
_SLICE = 0.25


class ShellChannel(AsyncZMQSocketChannel):
    """Canal *shell* cujo ``get_msg`` espera em fatias de ``_SLICE`` segundos (mesmo prazo total)."""

    async def get_msg(self, timeout=None):
        """Como :meth:`AsyncZMQSocketChannel.get_msg`, olhando o socket de novo a cada fatia.

        Raises
        ------
        queue.Empty
            Se nada chegou em ``timeout`` segundos (``None``: espera sem prazo).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = _SLICE if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await super().get_msg(timeout=min(_SLICE, remaining))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise


class KernelClient(AsyncKernelClient):
    """``AsyncKernelClient`` com :class:`ShellChannel` (ver o início do módulo)."""

    shell_channel_class = Type(ShellChannel)


def notebook_client(nb, **kwargs):
    """``nbclient.NotebookClient(nb, **kwargs)`` usando :class:`KernelClient`, com o kernel iniciado
    na aritmética canônica (:func:`hw08.canonical.canonical_env`; um ``env=`` explícito em
    ``setup_kernel``/``execute`` tem precedência)."""
    from nbclient import NotebookClient
    from nbclient.util import run_sync
    from traitlets.config import Config

    from .canonical import canonical_env

    class CanonicalNotebookClient(NotebookClient):
        async def async_start_new_kernel(self, **kw):
            kw.setdefault("env", canonical_env())
            return await super().async_start_new_kernel(**kw)

        start_new_kernel = run_sync(async_start_new_kernel)

    config = Config()
    config.AsyncKernelManager.client_class = CLIENT_CLASS
    return CanonicalNotebookClient(nb, config=config, **kwargs)
