"""Comparação de saídas de notebooks que entende números (a conferência do ``make test``).

O nbval reexecuta cada notebook e compara as saídas novas com as salvas. Comparar texto caractere a
caractere falha em outra CPU: MKL, oneDNN, OpenBLAS e o treino de um MLP mudam os últimos dígitos.
Aqui o texto é partido em **números** e **o resto**: o resto tem de ser igual (espaços repetidos
contam como um só, para que uma coluna do pandas um caractere mais larga não conte), e cada número
tem de ficar dentro da tolerância declarada::

    |obtido - salvo| <= atol + rtol * max(|obtido|, |salvo|)

A tolerância é declarada no próprio notebook, nos metadados ``hw08.tolerance``:

* do notebook (vale para todas as células): ``{"hw08": {"tolerance": {"rtol": ..., "atol": ...}}}``;
* de uma célula (exceção): os mesmos campos nos metadados da célula.

``count_atol`` (opcional) é uma folga absoluta só para números impressos como inteiros — contagens
de uma matriz de confusão, número de iterações — sem alargar a tolerância das métricas com casas
decimais da mesma célula.

Sem declaração vale :data:`DEFAULT` (``rtol=1e-6``, ``atol=1e-9``): aritmética determinística só muda
o último dígito impresso. Toda tolerância mais larga que isso precisa de ``"reason"``: uma linha que
diz por que (ex.: "MLP treinado: a ordem das somas muda o 4º dígito da acurácia"). Uma tolerância
larga sem motivo é um erro de configuração, não um aviso.

Números reconhecidos: ``42``, ``-3.5``, ``0,9815`` (vírgula decimal), ``1.2e-05``, ``60 000`` e
``393 456,78`` (espaço comum, fino ou inseparável entre grupos de três dígitos) e o sinal ``−``
(U+2212). Como o pandas separa colunas com um espaço, ``5 164`` numa tabela é lido como um número só
(5164) — do mesmo jeito nas duas saídas, então a comparação continua valendo. Um número
colado a uma letra (``x1``, ``conv2d``) é texto e é comparado exatamente.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

__all__ = ["Tolerance", "DEFAULT", "ToleranceError", "tolerance_for", "split_numbers", "compare_text"]


class ToleranceError(ValueError):
    """Tolerância declarada de forma inválida nos metadados de um notebook."""


@dataclass(frozen=True)
class Tolerance:
    """Tolerância de uma comparação numérica.

    Parameters
    ----------
    rtol : float
        Tolerância relativa (em relação ao maior dos dois valores, em módulo).
    atol : float
        Tolerância absoluta.
    count_atol : float
        Tolerância absoluta extra só para números inteiros (contagens, iterações): uma matriz de
        confusão pode mudar ±1 sem que as acurácias, impressas com casas decimais, ganhem folga.
    reason : str
        Por que esta tolerância (obrigatório quando é mais larga que :data:`DEFAULT`).
    """

    rtol: float = 1e-6
    atol: float = 1e-9
    reason: str = ""
    count_atol: float = field(default=0.0, kw_only=True)

    def accepts(self, saved: float, obtained: float, *, integers: bool = False) -> bool:
        """``True`` se ``obtained`` está dentro da tolerância de ``saved``.

        ``integers=True`` quando os dois foram impressos como inteiros: vale também ``count_atol``.
        """
        if math.isnan(saved) or math.isnan(obtained):
            return math.isnan(saved) and math.isnan(obtained)
        if math.isinf(saved) or math.isinf(obtained):
            return saved == obtained
        diff = abs(obtained - saved)
        if integers and diff <= self.count_atol:
            return True
        return diff <= self.atol + self.rtol * max(abs(saved), abs(obtained))

    def is_wider_than(self, other: "Tolerance") -> bool:
        return (self.rtol > other.rtol or self.atol > other.atol
                or self.count_atol > other.count_atol)

    def describe(self) -> str:
        text = f"rtol={self.rtol:g}, atol={self.atol:g}"
        if self.count_atol:
            text += f", count_atol={self.count_atol:g}"
        return f"{text} (motivo: {self.reason})" if self.reason else text


#: Tolerância padrão: aritmética determinística só muda o último dígito impresso.
DEFAULT = Tolerance()

# separadores de milhar: espaço (como hw08.formato.pt escreve), inseparável, inseparável estreito, fino
_THOUSANDS = " \u00a0\u202f\u2009"
NUMBER = re.compile(
    r"(?<![\w.,])"                                   # não é pedaço de identificador (x1) nem de 1.2.3
    r"[-+\u2212]?"
    r"(?:\d{1,3}(?:[" + _THOUSANDS + r"]\d{3})+(?:[.,]\d+)?"   # 60 000 / 393 456,78
    r"|\d+(?:[.,]\d+)?"
    r"|[.,]\d+)"
    r"(?:[eE][-+]?\d+)?"
    r"(?![\w]|[.,]\d)"                               # nem seguido de letra ou de outro .3
)
_SPACES = re.compile(r"[ \t]+")
_KEYS = {"rtol", "atol", "count_atol", "reason"}
_INTEGER = re.compile(r"[-+\u2212]?[\d " + _THOUSANDS[1:] + r"]+")


def _parse(token: str) -> float:
    token = token.replace("\u2212", "-")
    for sep in _THOUSANDS:
        token = token.replace(sep, "")
    return float(token.replace(",", "."))


def split_numbers(text: str) -> tuple[list[str], list[str]]:
    """Parte ``text`` em texto e números.

    Returns
    -------
    parts : list of str
        ``len(numbers) + 1`` pedaços de texto, com espaços repetidos trocados por um só e sem
        espaços no fim das linhas.
    numbers : list of str
        Os números, como aparecem no texto.
    """
    parts, numbers, last = [], [], 0
    for match in NUMBER.finditer(text):
        parts.append(text[last:match.start()])
        numbers.append(match.group())
        last = match.end()
    parts.append(text[last:])
    normal = [re.sub(r" +\n", "\n", _SPACES.sub(" ", p)) for p in parts]
    return normal, numbers


def _context(parts: list[str], i: int) -> str:
    before = parts[i][-40:].replace("\n", "⏎")
    return before.lstrip()


def compare_text(saved: str, obtained: str, tol: Tolerance = DEFAULT) -> str | None:
    """Compara dois textos com tolerância nos números.

    Parameters
    ----------
    saved, obtained : str
        A saída salva no notebook e a obtida ao reexecutar.
    tol : Tolerance
        Tolerância para cada par de números.

    Returns
    -------
    str or None
        ``None`` se os textos concordam; senão uma frase em português que diz a primeira diferença.
    """
    if saved == obtained:
        return None
    s_parts, s_nums = split_numbers(saved)
    o_parts, o_nums = split_numbers(obtained)
    if len(s_nums) != len(o_nums) or s_parts != o_parts:
        for i, (a, b) in enumerate(zip(s_parts, o_parts)):
            if a != b:
                return (f"o texto difere (fora dos números) no trecho {i + 1}: "
                        f"salvo {a[:80]!r}, obtido {b[:80]!r}")
        return (f"número de valores diferente: {len(s_nums)} salvos, {len(o_nums)} obtidos")
    for i, (a, b) in enumerate(zip(s_nums, o_nums)):
        if a == b:
            continue
        va, vb = _parse(a), _parse(b)
        integers = bool(_INTEGER.fullmatch(a) and _INTEGER.fullmatch(b))
        if not tol.accepts(va, vb, integers=integers):
            where = _context(s_parts, i)
            return (f"número {i + 1} (depois de {where!r}): salvo {a}, obtido {b}; "
                    f"diferença {abs(vb - va):.3g} fora da tolerância {tol.describe()}")
    return None


def _read(meta, where: str, base: Tolerance) -> Tolerance:
    spec = (meta or {}).get("hw08", {}).get("tolerance")
    if spec is None:
        return base
    if not isinstance(spec, dict) or not set(spec) <= _KEYS:
        raise ToleranceError(f"{where}: 'hw08.tolerance' deve ser um objeto com {sorted(_KEYS)}; "
                             f"veio {spec!r}")
    try:
        values = [float(spec.get(k, getattr(base, k))) for k in ("rtol", "atol", "count_atol")]
    except (TypeError, ValueError):
        raise ToleranceError(f"{where}: rtol, atol e count_atol devem ser números; veio {spec!r}") from None
    if not all(v >= 0 and math.isfinite(v) for v in values):
        raise ToleranceError(f"{where}: rtol, atol e count_atol devem ser finitos e >= 0; veio {spec!r}")
    rtol, atol, count_atol = values
    tol = Tolerance(rtol, atol, str(spec.get("reason", "")).strip(), count_atol=count_atol)
    if not tol.reason and not tol.is_wider_than(base):  # não alarga o que herdou: herda o motivo
        tol = Tolerance(rtol, atol, base.reason, count_atol=count_atol)
    if tol.is_wider_than(DEFAULT) and not tol.reason:
        raise ToleranceError(f"{where}: tolerância {tol.describe()} é mais larga que a padrão "
                             f"({DEFAULT.describe()}) e não diz por quê: acrescente \"reason\".")
    return tol


def tolerance_for(notebook_metadata, cell_metadata=None, *, where: str = "notebook") -> Tolerance:
    """A tolerância que vale para uma célula: a da célula, senão a do notebook, senão :data:`DEFAULT`.

    Campos ausentes na célula herdam do notebook.

    Raises
    ------
    ToleranceError
        Declaração inválida, ou mais larga que :data:`DEFAULT` sem ``reason``.
    """
    base = _read(notebook_metadata, where, DEFAULT)
    return base if cell_metadata is None else _read(cell_metadata, where, base)


def _join(text) -> str:
    """Texto de um campo de notebook (no JSON, às vezes uma lista de linhas)."""
    return text if isinstance(text, str) else "".join(text)


def _texts(cell) -> list[tuple[str, str]]:
    """(chave, texto) das saídas de texto de uma célula, na ordem."""
    out, stdout = [], None
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            if o.get("name") == "stdout":  # como o nbval: todo o stdout da célula vira um texto só
                if stdout is None:
                    stdout = len(out)
                    out.append(("stdout", ""))
                out[stdout] = ("stdout", out[stdout][1] + _join(o.get("text", "")))
            continue
        for key, val in o.get("data", {}).items():
            if key.startswith("text/") and key != "text/latex":
                out.append((key, _join(val)))
    return out


_MARKER = re.compile(r"^\s*#\s*NBVAL_(IGNORE_OUTPUT|SKIP)\s*$", re.MULTILINE)


def _unchecked(cell) -> bool:
    """Célula cuja saída o nbval não confere (marcador ``# NBVAL_IGNORE_OUTPUT``/``SKIP`` ou tag)."""
    source = _join(cell["source"])
    tags = cell.get("metadata", {}).get("tags", [])
    return bool(_MARKER.search(source)) or bool({"nbval-ignore-output", "nbval-skip"} & set(tags))


def cell_report(saved_nb, obtained_nb):
    """Para cada célula de código: a maior diferença relativa e absoluta entre os números das
    saídas salvas e obtidas, e se passa na tolerância declarada. Serve para calibrar tolerâncias.

    Yields
    ------
    (int, dict)
        Índice da célula de código (0-based, como o nbval) e ``{"rel", "abs", "tol", "problem"}``.
    """
    saved = [c for c in saved_nb["cells"] if c["cell_type"] == "code"]
    obtained = [c for c in obtained_nb["cells"] if c["cell_type"] == "code"]
    for i, (s, o) in enumerate(zip(saved, obtained)):
        if _unchecked(s):
            continue
        tol = tolerance_for(saved_nb.get("metadata"), s.get("metadata"), where=f"célula {i}")
        rel = ab = 0.0
        problem = None
        st, ot = _texts(s), _texts(o)
        if [k for k, _ in st] != [k for k, _ in ot]:
            problem = "tipos de saída diferentes"
        for (_, a), (_, b) in zip(st, ot):
            pa, na = split_numbers(a)
            pb, nb_ = split_numbers(b)
            if pa != pb or len(na) != len(nb_):
                problem = problem or compare_text(a, b, Tolerance(math.inf, math.inf, "-"))
                continue
            for x, y in zip(na, nb_):
                vx, vy = _parse(x), _parse(y)
                if math.isfinite(vx) and math.isfinite(vy) and vx != vy:
                    ab = max(ab, abs(vx - vy))
                    rel = max(rel, abs(vx - vy) / max(abs(vx), abs(vy)))
            problem = problem or compare_text(a, b, tol)
        yield i, {"rel": rel, "abs": ab, "tol": tol, "problem": problem}


def main(argv=None) -> int:
    """``python -m hw08.nbcheck SALVO.ipynb REEXECUTADO.ipynb``: diferenças por célula."""
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m hw08.nbcheck", description=main.__doc__)
    parser.add_argument("saved")
    parser.add_argument("obtained")
    args = parser.parse_args(argv)
    with open(args.saved, encoding="utf-8") as f, open(args.obtained, encoding="utf-8") as g:
        saved, obtained = json.load(f), json.load(g)
    failed = 0
    for i, r in cell_report(saved, obtained):
        flag = "FALHA" if r["problem"] else "ok"
        failed += bool(r["problem"])
        if r["rel"] or r["problem"]:
            print(f"célula {i:3d}  {flag:5s}  rel {r['rel']:.2e}  abs {r['abs']:.2e}  "
                  f"[{r['tol'].describe()}]" + (f"\n      {r['problem']}" if r["problem"] else ""))
    print(f"{failed} célula(s) fora da tolerância")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
