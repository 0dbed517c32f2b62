"""Controles interativos e barras de progresso que ficam legíveis no notebook salvo.

Um widget (ipywidgets) só existe enquanto o kernel que o criou está vivo. O ``.ipynb`` salvo guarda,
junto com a referência ao widget, um texto (``text/plain``) que o JupyterLab mostra ao abrir o
notebook sem executá-lo — por padrão o ``repr`` do widget: ``Dropdown(description=...)``,
``Output()`` ou uma barra do tqdm congelada em 0 %. Aqui esse texto é uma linha em português que
diz o que fazer; com o kernel vivo, o controle funciona normalmente.

>>> from hw08.interactive import controls
>>> controls(mostra, init=seletor)   # na última linha da célula: seletor + figura que ele redesenha
"""

from __future__ import annotations

SAVED_CONTROL_TEXT = "controle interativo — execute a célula para usar"
SAVED_PROGRESS_TEXT = "barra de progresso — aparece quando a célula é executada"


class LiveWidget:
    """Mostra ``widget`` com ``text`` como a versão em texto salva no notebook.

    Parameters
    ----------
    widget : ipywidgets.Widget
        O widget exibido (com o kernel vivo, é ele que aparece).
    text : str
        O ``text/plain`` salvo no ``.ipynb`` no lugar do ``repr`` do widget.
    """

    def __init__(self, widget, text: str = SAVED_CONTROL_TEXT):
        self.widget = widget
        self.text = text

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        if not bundle:  # widget já fechado: só o texto
            return {"text/plain": self.text}
        return {**bundle, "text/plain": self.text}

    def __repr__(self):
        return self.text


def controls(func, **controls) -> LiveWidget:
    """Controles que redesenham a saída de ``func`` quando o valor muda.

    Equivale a ``ipywidgets.interactive_output(func, controls)`` exibido abaixo dos controles, num
    único bloco cuja versão salva é :data:`SAVED_CONTROL_TEXT`.

    Parameters
    ----------
    func : callable
        Chamada com os valores dos controles como argumentos nomeados (uma vez na criação e a
        cada mudança); o que ela desenha ou imprime aparece abaixo dos controles.
    **controls : ipywidgets.ValueWidget
        Um controle por argumento de ``func``.

    Returns
    -------
    LiveWidget
        Deixe-o na última linha da célula (ou passe-o a ``display``).
    """
    if not controls:
        raise ValueError("controls(...) precisa de pelo menos um controle, ex.: controls(f, k=slider).")
    import ipywidgets as widgets

    output = widgets.interactive_output(func, controls)
    return LiveWidget(widgets.VBox([*controls.values(), output]), SAVED_CONTROL_TEXT)


def progress(iterable=None, **kwargs):
    """Barra de progresso ``tqdm.auto`` cuja versão salva no notebook é uma linha de texto.

    Num kernel Jupyter com ipywidgets, a barra é o widget do tqdm (viva enquanto a célula roda);
    no ``.ipynb`` fica ``"<desc>: "`` + :data:`SAVED_PROGRESS_TEXT`, e não a barra em 0 % do
    instante em que foi criada. Fora do Jupyter é a barra de texto do tqdm. Os argumentos são os
    do ``tqdm``.
    """
    from tqdm.auto import tqdm
    from tqdm.notebook import tqdm as notebook_tqdm

    if not issubclass(tqdm, notebook_tqdm):
        return tqdm(iterable, **kwargs)
    from IPython.display import display

    kwargs.pop("display", None)
    bar = tqdm(iterable, display=False, **kwargs)
    desc = kwargs.get("desc")
    display(LiveWidget(bar.container, f"{desc}: {SAVED_PROGRESS_TEXT}" if desc else SAVED_PROGRESS_TEXT))
    return bar
