"""Números no formato brasileiro (vírgula decimal) em textos, tabelas e figuras.

- :func:`pt` escreve um número como ``"42,7"``, ``"42,7 %"`` ou ``"1,2 × 10⁻⁵"``;
- :func:`estilo_pt` faz os eixos do matplotlib e as tabelas do pandas usarem vírgula decimal
  (chamada uma vez, no início de cada notebook), sem depender do *locale* do sistema;
- :func:`virgula` aplica a vírgula aos eixos de uma figura já desenhada.

>>> pt(0.4273, 1, pct=True)
'42,7 %'
>>> pt(-3.78249, 3)
'−3,782'
"""

from __future__ import annotations

import math
import numbers
import re

__all__ = ["pt", "pt_g", "estilo_pt", "virgula", "FormatadorPt"]

_SUPER = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _troca(texto):
    """Troca ponto decimal por vírgula e o hífen de sinal pelo sinal de menos (−)."""
    return texto.replace(",", "\0").replace(".", ",").replace("\0", " ").replace("-", "−")


def pt(x, casas=2, *, pct=False, milhar=True):
    """Escreve ``x`` com vírgula decimal e ``casas`` casas depois da vírgula.

    Parameters
    ----------
    x : float or int
        Número (``None``/NaN viram ``"—"``).
    casas : int, default=2
        Casas decimais.
    pct : bool, default=False
        ``x`` é uma fração: escreve ``100·x`` seguido de ``" %"``.
    milhar : bool, default=True
        Separa milhares com espaço a partir de 10 000 (``"60 000"``), como no texto dos notebooks.

    Returns
    -------
    str
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if isinstance(x, numbers.Integral) and not pct:
        texto = f"{int(x):,}" if milhar and abs(int(x)) >= 10_000 else f"{int(x)}"
        return _troca(texto)
    v = float(x) * (100 if pct else 1)
    if round(v, casas) == 0:
        v = 0.0                                   # sem "−0,00"
    texto = f"{v:,.{casas}f}" if milhar and abs(v) >= 10_000 else f"{v:.{casas}f}"
    return _troca(texto) + (" %" if pct else "")


def pt_g(x, algarismos=3):
    """Como ``f"{x:.{algarismos}g}"``, com vírgula e potência de 10 legível (``"4,53 × 10⁻⁹"``)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    texto = f"{float(x):.{algarismos}g}"
    if "e" in texto:
        mantissa, expoente = texto.split("e")
        expoente = str(int(expoente)).translate(_SUPER)
        base = "" if mantissa in ("1", "-1") else _troca(mantissa) + " × "
        return (("−" if mantissa == "-1" else "") + base + "10" + expoente)
    return _troca(texto)


def _formata_pandas(v):
    """Formato padrão dos floats nas tabelas do pandas.

    Até ``display.precision`` casas, sem os zeros finais (mas com ao menos uma casa): uma coluna
    arredondada com ``.round(2)`` mostra ``24,59`` e ``4,1``, não ``24,590`` e ``4,100`` — com vírgula
    decimal, ``288,000`` se leria como duzentos e oitenta e oito mil.
    """
    import pandas as pd

    casas = pd.get_option("display.precision")
    if v != 0 and math.isfinite(v) and (abs(v) < 10 ** (-casas) or abs(v) >= 1e9):
        return pt_g(v, max(casas, 3))
    texto = pt(v, casas)
    if "," in texto and casas > 1:
        inteiro, _, frac = texto.partition(",")
        texto = inteiro + "," + (frac.rstrip("0") or "0")
    return texto


# --------------------------------------------------------------------------- matplotlib
def _milhar(texto, sep):
    """Separa os milhares das partes inteiras com 5 ou mais algarismos (``20000`` → ``20 000``)."""
    return re.sub(r"(?<![\d.])\d{5,}",
                  lambda m: re.sub(r"(?<=\d)(?=(?:\d{3})+$)", lambda _: sep, m.group(0)), texto)


def _potencia(m):
    """``"1e6"`` → ``"×10⁶"``, ``"2.5e-3"`` → ``"2.5×10⁻³"`` (vírgula depois, em ``_v``)."""
    sinal = "-" if m.group(2) in ("-", "−") else ""
    mantissa = "" if m.group(1) == "1" else m.group(1)
    return mantissa + "×10" + (sinal + m.group(3)).translate(_SUPER)


def _classe_formatador():
    from matplotlib.ticker import ScalarFormatter

    class FormatadorPt(ScalarFormatter):
        """``ScalarFormatter`` do matplotlib com vírgula decimal nos rótulos e no deslocamento."""

        @staticmethod
        def _v(texto):
            if "$" in texto:                        # modo mathtext: vírgula sem espaço extra
                return _milhar(texto, "\\,").replace(".", "{,}")
            return _milhar(texto, "\u202f").replace(".", ",")

        def __call__(self, x, pos=None):
            return self._v(super().__call__(x, pos))

        def get_offset(self):
            # fator de escala do eixo: "1e6" (notação do Python) vira "×10⁶"
            texto = super().get_offset()
            if "$" not in texto:
                texto = re.sub(r"(\d+(?:\.\d+)?)e([-−+]?)0*(\d+)", _potencia, texto)
            return self._v(texto)

        def format_data_short(self, value):
            return self._v(super().format_data_short(value))

    return FormatadorPt


def __getattr__(name):          # FormatadorPt só importa o matplotlib quando usado
    if name == "FormatadorPt":
        return _classe_formatador()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def virgula(fig=None):
    """Troca o formatador dos eixos lineares de ``fig`` (padrão: figura atual) por um com vírgula.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import ScalarFormatter

    fig = fig if fig is not None else plt.gcf()
    classe = _classe_formatador()
    for ax in fig.axes:
        for eixo in (ax.xaxis, ax.yaxis):
            f = eixo.get_major_formatter()
            if type(f) is ScalarFormatter:
                eixo.set_major_formatter(classe())
    return fig


_ORIGINAL = {}


def estilo_pt(ativo=True):
    """Vírgula decimal em todos os eixos lineares novos do matplotlib e nas tabelas do pandas.

    Chame uma vez no início do notebook. Não depende do *locale* do sistema: troca o formatador
    padrão da escala linear do matplotlib pelo :class:`FormatadorPt` e o formato dos floats do
    pandas (``display.float_format``) por :func:`pt` com ``display.precision`` casas.
    ``estilo_pt(False)`` desfaz as duas trocas.
    """
    import matplotlib.scale as mscale
    import pandas as pd

    if "linear" not in _ORIGINAL:
        _ORIGINAL["linear"] = mscale.LinearScale.set_default_locators_and_formatters
    original = _ORIGINAL["linear"]
    if not ativo:
        mscale.LinearScale.set_default_locators_and_formatters = original
        pd.reset_option("display.float_format")
        return
    classe = _classe_formatador()

    def com_virgula(self, axis):
        original(self, axis)
        axis.set_major_formatter(classe())

    mscale.LinearScale.set_default_locators_and_formatters = com_virgula
    pd.set_option("display.float_format", _formata_pandas)
