"""Plugin do pytest: o nbval executa os notebooks, o hw08 compara (``pytest notebooks --nbval``).

Ativado pelo ``conftest.py`` da raiz do projeto; fora dele, ``pytest -p hw08.nbval_plugin --nbval ...``.

O nbval continua sendo o executor (kernel, células, marcadores ``# NBVAL_*``, sanitização). Este
arquivo troca as classes que ele coleta por subclasses que:

* comparam as saídas com tolerância numérica declarada no notebook (:mod:`hw08.nbcheck`), em vez de
  caractere a caractere — o que falhava em outra CPU;
* executam as células com ``store_history=True``, como o Jupyter: com ``False`` (o padrão do nbval)
  o IPython ignora o ``;`` final que suprime a saída de uma figura;
* não comparam ``stderr`` (barras de progresso e avisos mudam a cada execução);
* iniciam os kernels na aritmética canônica (:mod:`hw08.canonical`): as variáveis entram no ambiente
  do pytest antes do primeiro kernel, que as herda; o cabeçalho do pytest diz qual aritmética valeu.

Usa só a interface pública das classes do nbval (``IPyNbFile``, ``IPyNbCell.compare_outputs``,
``sanitize``, ``skip_compare``, ``comparison_traceback``); a versão do nbval está fixada em
``requirements-lock.txt`` e ``tests/test_nbval_plugin.py`` roda o plugin de ponta a ponta.
"""

from __future__ import annotations

import os
import types

import pytest

try:  # nbval é dependência de desenvolvimento; os testes unitários não precisam dele
    from nbval.plugin import IPyNbCell, IPyNbFile, transform_streams_for_comparison
except ImportError:  # pragma: no cover
    IPyNbFile = None

from hw08 import canonical
from hw08.nbcheck import ToleranceError, compare_text, tolerance_for


def _checks_notebooks(config):
    return bool(config.getoption("nbval", False) or config.getoption("nbval_lax", False))


def pytest_configure(config):
    """Com ``--nbval``, todo kernel que o nbval iniciar herda a aritmética canônica."""
    if _checks_notebooks(config):
        os.environ.update(canonical.CANONICAL_ENV)


def pytest_report_header(config):
    if _checks_notebooks(config):
        return f"hw08: notebooks conferidos na {canonical.describe()}"


if IPyNbFile is not None:

    def _execute_like_jupyter(kernel, cell_input, allow_stdin=None):
        return kernel.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin,
                                 stop_on_error=False)

    def _flatten(outputs, skip, sanitize):
        """{chave: [valores]} como o nbval: tipos MIME de ``data`` achatados, ``stream`` pelo nome."""
        flat = {}
        for out in transform_streams_for_comparison(outputs):
            for key, value in out.items():
                if key in skip:
                    continue
                items = value.items() if key == "data" else [(key, value)]
                for sub, val in items:
                    if sub not in skip:
                        flat.setdefault(sub, []).append(sanitize(val))
        return flat

    class ToleranceCell(IPyNbCell):
        """Uma célula cuja saída é comparada com a tolerância declarada (ver :mod:`hw08.nbcheck`)."""

        def compare_outputs(self, test, ref, skip_compare=None):
            tol = self.parent.tolerance(self.cell)
            skip = skip_compare or self.parent.skip_compare
            saved = _flatten(ref, skip, self.sanitize)
            obtained = _flatten(test, skip, self.sanitize)
            self.comparison_traceback = []
            problem = None
            if set(saved) != set(obtained):
                problem = (f"tipos de saída diferentes: salvos {sorted(saved)}, "
                           f"obtidos {sorted(obtained)}")
            for key in sorted(saved) if problem is None else ():
                if len(saved[key]) != len(obtained[key]):
                    problem = (f"'{key}': {len(saved[key])} saídas salvas, "
                               f"{len(obtained[key])} obtidas")
                    break
                for s, o in zip(saved[key], obtained[key]):
                    if isinstance(s, str) and isinstance(o, str):
                        why = compare_text(s, o, tol)
                    else:
                        why = None if s == o else "valores diferentes"
                    if why:
                        problem = f"'{key}': {why}"
                        self.format_output_compare(key, s, o)
                        break
                if problem:
                    break
            if problem:
                self.comparison_traceback.insert(0, f"Saída diferente da salva — {problem}")
                return False
            return True

    class ToleranceNotebook(IPyNbFile):
        """Um notebook conferido pelo nbval com a comparação de :class:`ToleranceCell`."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.skip_compare = tuple(self.skip_compare) + ("stderr",)

        def tolerance(self, cell):
            return tolerance_for(self.nb.metadata, cell.metadata,
                                 where=f"{self.path.name}, célula de código {cell.get('id', '?')}")

        def setup(self):
            super().setup()
            self.kernel.execute_cell_input = types.MethodType(_execute_like_jupyter, self.kernel)

        def collect(self):
            for item in super().collect():
                try:  # tolerância mal declarada é erro de coleta, antes de executar qualquer célula
                    self.tolerance(item.cell)
                except ToleranceError as err:
                    raise self.CollectError(str(err)) from None
                yield ToleranceCell.from_parent(self, name=item.name, cell_num=item.cell_num,
                                                cell=item.cell, options=item.options)

    @pytest.hookimpl(wrapper=True)
    def pytest_collect_file(file_path, parent):
        collected = yield
        return [ToleranceNotebook.from_parent(parent, path=file_path)
                if type(node) is IPyNbFile else node for node in collected]
