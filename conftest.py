"""Configuração do nbval para os notebooks (vale para `pytest notebooks --nbval`)."""

try:  # nbval é uma dependência de desenvolvimento; os testes unitários não precisam dele
    from nbval.kernel import RunningKernel
except ImportError:  # pragma: no cover
    RunningKernel = None


if RunningKernel is not None:
    def _execute_like_jupyter(self, cell_input, allow_stdin=None):
        """Executa a célula com ``store_history=True``, como o Jupyter faz.

        O nbval usa ``store_history=False``; aí o IPython não vê a célula atual no histórico e
        ignora o ``;`` final que suprime a saída — uma figura devolvida por ``f(...);`` aparecia
        duas vezes só sob o nbval.
        """
        return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin,
                               stop_on_error=False)

    RunningKernel.execute_cell_input = _execute_like_jupyter


def pytest_collectstart(collector):
    # Notebooks: stdout e os resultados são comparados; stderr traz barras de progresso e
    # avisos que mudam a cada execução.
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)
