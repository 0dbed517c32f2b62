"""Conversões para o LaTeX do PDF de entrega (usadas por :mod:`hw08.export`).

- tabelas do pandas (o ``text/html`` salvo no notebook) viram tabelas LaTeX (booktabs), com o texto
  das células exatamente como o Lab mostra;
- títulos com fórmulas e aspas ganham uma versão em texto puro para os marcadores do PDF.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["fix_pdf_bookmarks", "html_table_to_latex", "math_to_text", "pdf_safe_headings",
           "table_warnings", "tex_to_plain"]


# ----- tabelas do pandas: text/html -> LaTeX ------------------------------------------------------

class _TableParser(HTMLParser):
    """Lê a primeira ``<table>`` de um HTML do pandas: linhas do cabeçalho e do corpo, células com o
    texto exatamente como exibido, ``th``/``td``, ``colspan`` e ``rowspan``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.head, self.body = [], []
        self._section, self._row, self._cell, self._depth, self._skip = None, None, None, 0, 0
        self.done = False

    def handle_starttag(self, tag, attrs):
        if self.done:
            return
        attrs = dict(attrs)
        if tag in ("style", "script"):
            self._skip += 1
        elif tag == "table":
            self._depth += 1
            if self._depth > 1:
                raise ValueError("tabela aninhada")
        elif tag in ("thead", "tbody"):
            self._section = tag
        elif tag == "tr" and self._depth:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = {"tag": tag, "text": "", "colspan": int(attrs.get("colspan") or 1),
                          "rowspan": int(attrs.get("rowspan") or 1)}
        elif tag == "br" and self._cell is not None:
            self._cell["text"] += " "

    def handle_endtag(self, tag):
        if self.done:
            return
        if tag in ("style", "script"):
            self._skip = max(0, self._skip - 1)
        elif tag in ("th", "td") and self._cell is not None:
            self._cell["text"] = " ".join(self._cell["text"].split())
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            (self.head if self._section == "thead" else self.body).append(self._row)
            self._row = None
        elif tag == "table":
            self.done = True

    def handle_data(self, data):
        if self._cell is not None and not self._skip:
            self._cell["text"] += data


def _expand_rowspans(rows):
    """Preenche as posições cobertas por ``rowspan`` com células vazias (a grade fica retangular)."""
    pending = {}  # coluna -> linhas que ainda faltam cobrir
    out = []
    for row in rows:
        new, col, queue = [], 0, list(row)
        while queue or any(c >= col for c in pending):
            if pending.get(col, 0) > 0:
                pending[col] -= 1
                new.append({"tag": "th", "text": "", "colspan": 1, "rowspan": 1})
                col += 1
                continue
            if not queue:
                break
            cell = queue.pop(0)
            if cell["rowspan"] > 1:
                for k in range(cell["colspan"]):
                    pending[col + k] = cell["rowspan"] - 1
            new.append(cell)
            col += cell["colspan"]
        pending = {c: n for c, n in pending.items() if n > 0}
        out.append(new)
    return out


def _tex(text: str) -> str:
    from nbconvert.filters import escape_latex

    return escape_latex(text)


LONG_TABLE_ROWS = 40  # mais linhas que isso: longtable (pode quebrar entre páginas, cabeçalho repetido)
#: Larguras mínimas (caracteres) tentadas para as linhas dos cabeçalhos, da mais folgada à mais
#: estreita: vale a primeira com que a tabela estimada cabe em ``TABLE_BUDGET_CHARS``.
HEADER_WRAP_WIDTHS = (None, 20, 16, 12, 10, 8, 5)
#: Largura do texto em caracteres de 10 pt (\small), com folga: 451 pt / ~5 pt por caractere.
TABLE_BUDGET_CHARS = 84
_COLUMN_PAD_CHARS = 2.4  # 2 \tabcolsep (12 pt) em caracteres
_BOLD = 1.1  # o cabeçalho é em negrito, mais largo


def _columns(row) -> list[int]:
    """A coluna onde começa cada célula da linha (as ``colspan`` contam)."""
    cols, col = [], 0
    for cell in row:
        cols.append(col)
        col += cell["colspan"]
    return cols


def _header_lines(text: str, width: int) -> list[str]:
    """Quebra o texto de um cabeçalho em linhas de até ``width`` caracteres: nos espaços e, numa
    palavra mais longa que ``width``, depois de ``_`` (``precisions_cholesky_`` → ``precisions_`` /
    ``cholesky_``). Uma palavra que não dá para quebrar fica inteira numa linha."""
    pieces = []  # (pedaço, separador antes dele)
    for w, word in enumerate(text.split()):
        parts = re.findall(r"[^_]+_*|_+", word) if len(word) > width else [word]
        pieces += [(part, " " if j == 0 and w else "") for j, part in enumerate(parts)]
    lines: list[str] = []
    for part, sep in pieces:
        if lines and len(lines[-1]) + len(sep) + len(part) <= width:
            lines[-1] += sep + part
        else:
            lines.append(part)
    return lines


def html_table_to_latex(html) -> str | None:
    r"""Converte a tabela HTML de um DataFrame/Styler do pandas numa tabela LaTeX (booktabs).

    O texto das células é o que o Lab mostra (a formatação do pandas é mantida). Cabeçalhos mais
    largos que os números da coluna quebram em linhas (``grupo`` / ``9 → 0``). Tabelas de até
    ``LONG_TABLE_ROWS`` linhas ficam numa caixa indivisível (``\hwtable`` do modelo: inteira numa
    página, no maior tamanho de letra em que cabe na largura); maiores viram ``longtable``
    (``\hwlongtable``). Devolve ``None`` se não houver tabela do pandas.
    """
    if isinstance(html, list):
        html = "".join(html)
    if not html or "<table" not in html or not ('class="dataframe"' in html or 'id="T_' in html):
        return None
    parser = _TableParser()
    try:
        parser.feed(html)
    except ValueError:
        return None
    head, body = _expand_rowspans(parser.head), _expand_rowspans(parser.body)
    width = max((sum(c["colspan"] for c in r) for r in head + body), default=0)
    if not width or not body:
        return None
    n_index = 0
    for cell in body[0]:
        if cell["tag"] != "th":
            break
        n_index += cell["colspan"]
    align = "l" * n_index + "r" * (width - n_index)
    data_width = [0] * width  # largura (caracteres) do corpo de cada coluna
    for row in body:
        col = 0
        for cell in row:
            if cell["colspan"] == 1:
                data_width[col] = max(data_width[col], len(cell["text"]))
            col += cell["colspan"]

    # cabeçalhos quebram só o necessário: a menor quebra com que a largura estimada cabe na página
    # (o modelo LaTeX ainda escolhe o tamanho da letra pela largura real)
    head_cells = [(cell, col) for row in head for cell, col in zip(row, _columns(row))
                  if cell["colspan"] == 1 and cell["text"]]
    for min_width in HEADER_WRAP_WIDTHS:
        wrapped = {id(cell): (_header_lines(cell["text"], max(data_width[col], min_width))
                              if min_width else [cell["text"]]) for cell, col in head_cells}
        col_chars = list(data_width)
        for cell, col in head_cells:
            col_chars[col] = max(col_chars[col], _BOLD * max(map(len, wrapped[id(cell)])))
        if sum(col_chars) + _COLUMN_PAD_CHARS * width <= TABLE_BUDGET_CHARS:
            break

    def header(cell, col):
        lines = wrapped[id(cell)]
        if len(lines) == 1:
            return f"\\textbf{{{_tex(lines[0])}}}"
        return (f"\\hwhead{{{align[col]}}}{{"
                + "\\\\".join(f"\\textbf{{{_tex(ln)}}}" for ln in lines) + "}")

    def line(row, is_header):
        parts, used = [], 0
        for cell in row:
            if cell["colspan"] > 1:
                text = _tex(cell["text"])
                if is_header and text:
                    text = f"\\textbf{{{text}}}"
                text = f"\\multicolumn{{{cell['colspan']}}}{{c}}{{{text}}}"
            elif is_header and cell["text"]:
                text = header(cell, used)
            else:
                text = _tex(cell["text"])
            parts.append(text)
            used += cell["colspan"]
        parts += [""] * (width - used)
        return " & ".join(parts) + r" \\"

    head_tex = "\n".join(line(r, True) for r in head)
    body_tex = "\n".join(line(r, False) for r in body)
    tabular = (f"\\begin{{tabular}}{{{align}}}\n\\toprule\n" + (f"{head_tex}\n\\midrule\n" if head else "")
               + f"{body_tex}\n\\bottomrule\n\\end{{tabular}}")
    if len(body) > LONG_TABLE_ROWS:
        # a longtable não cabe numa caixa: a tabular igual só mede a largura (escolhe a letra)
        return (f"\\hwlongtable{{{tabular}}}{{\\setlength{{\\LTleft}}{{0pt}}\n"
                f"\\begin{{longtable}}{{{align}}}\n\\toprule\n{head_tex}\n\\midrule\n\\endhead\n"
                f"{body_tex}\n\\bottomrule\n\\end{{longtable}}}}\n")
    return f"\\hwtable{{%\n{tabular}}}\n"


_TABLE_WARNING = re.compile(r"hw08-aviso-tabela: (?:letra de ([\d.]+)pt|(longa)[^\n]*?) na página\s*(\d+)")


def table_warnings(log: str) -> list[str]:
    """Avisos, em português, das tabelas que o modelo LaTeX não conseguiu pôr com letra legível
    (abaixo de 6 pt efetivos mesmo girada, ou ``longtable`` mais larga que a página), lidos do log
    do xelatex (linhas ``hw08-aviso-tabela`` de ``\\hwtable``/``\\hwlongtable``)."""
    out = []
    for size, long_, page in dict.fromkeys(_TABLE_WARNING.findall(log)):
        what = ("uma tabela longa ficou mais larga que a página" if long_ else
                f"uma tabela larga demais ficou com letra de {float(size):.1f} pt mesmo girada"
                .replace(".", ","))
        out.append(f"{what} (perto da página {page}); divida-a em partes no notebook "
                   "(por exemplo, df.iloc[:, :10] e df.iloc[:, 10:]).")
    return out


# ----- títulos: marcadores do PDF em texto puro ---------------------------------------------------

_HEADING_LINE = re.compile(r"^(#{1,6}[ \t]+)(.+)$", re.MULTILINE)
_INLINE_MATH = re.compile(r"(?<![\\$])\$([^$\n]+?)\$")
_MATH_WORDS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "sigma": "σ", "tau": "τ", "phi": "φ",
    "Sigma": "Σ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Pi": "Π", "Phi": "Φ", "Omega": "Ω",
    "omega": "ω", "in": "∈", "times": "×", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "to": "→", "infty": "∞", "sum": "Σ", "cdot": "·", "approx": "≈", "ne": "≠", "neq": "≠",
    "lVert": "‖", "rVert": "‖", "top": "ᵀ", "{": "\x00", "}": "\x01", ",": " ", ";": " ", " ": " ",
}


def math_to_text(math: str) -> str:
    """Texto puro aproximado de uma fórmula TeX curta (para marcadores do PDF): ``\\mu_k`` -> ``μk``."""
    text = re.sub(r"\\([A-Za-z]+|[{},; ])\s*",
                  lambda m: _MATH_WORDS.get(m.group(1), "" if m.group(1).isalpha() else m.group(1)),
                  math)
    text = text.replace("{", "").replace("}", "").replace("_", "").replace("^", "")
    return " ".join(text.replace("\x00", "{").replace("\x01", "}").split())


def _plain_escape(math: str) -> str:
    return re.sub(r"([{}_&%#$])", r"\\\1", math_to_text(math))


def pdf_safe_headings(source: str) -> str:
    """Nos títulos ``#``, fórmulas viram ``\\texorpdfstring{$...$}{texto}``: o pandoc descarta as
    fórmulas na versão texto dos títulos, e os marcadores do PDF ficariam sem elas (ver
    :func:`fix_pdf_bookmarks`)."""
    def fix(m):
        title = _INLINE_MATH.sub(
            lambda k: f"\\texorpdfstring{{${k.group(1)}$}}{{{_plain_escape(k.group(1))}}}", m.group(2))
        return m.group(1) + title

    return _HEADING_LINE.sub(fix, source)


def _braced(text: str, start: int) -> int:
    """Índice logo depois do grupo ``{...}`` que começa em ``text[start] == '{'`` (chaves balanceadas,
    ignorando ``\\{`` e ``\\}``)."""
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("chaves desbalanceadas")


def tex_to_plain(tex: str) -> str:
    """Texto puro de um título em LaTeX (para os marcadores do PDF): fórmulas em Unicode
    aproximado, aspas tipográficas, sem comandos de fonte; ``\\_``, ``\\&``... ficam escapados."""
    out, i = [], 0
    while i < len(tex):
        if tex.startswith("\\texorpdfstring{", i):  # um já pronto: vale a versão em texto
            a_end = _braced(tex, i + len("\\texorpdfstring"))
            b_end = _braced(tex, a_end)
            out.append(tex[a_end + 1:b_end - 1])
            i = b_end
        elif tex.startswith("\\(", i):
            end = tex.find("\\)", i)
            end = len(tex) if end < 0 else end
            out.append(math_to_text(tex[i + 2:end]))
            i = end + 2
        elif tex[i] == "$":
            end = tex.find("$", i + 1)
            end = len(tex) if end < 0 else end
            out.append(math_to_text(tex[i + 1:end]))
            i = end + 1
        elif tex[i] == "\\" and i + 1 < len(tex) and tex[i + 1] in "_&%#${}":
            out.append(tex[i:i + 2])
            i += 2
        elif tex[i] == "\\":
            m = re.match(r"\\[A-Za-z]+\*?\s*", tex[i:])
            i += m.end() if m else 2  # \emph{x} -> {x}; as chaves caem abaixo
        elif tex[i] in "{}":
            i += 1
        else:
            out.append(tex[i])
            i += 1
    text = "".join(out).replace("``", "“").replace("''", "”").replace("`", "‘")
    text = text.replace("~", " ")
    return " ".join(text.split())


_HEADING_CMD = re.compile(r"\\(chapter|section|subsection|subsubsection|paragraph)\*?\{")


def fix_pdf_bookmarks(body: str) -> str:
    """Marcadores do PDF em texto puro. Nos títulos ``\\section{\\texorpdfstring{A}{B}}`` do pandoc,
    troca ``B`` (onde o pandoc perde as fórmulas e deixa ````...''``) por :func:`tex_to_plain` de
    ``A``; um título ``\\section{A}`` com comandos ou aspas do LaTeX ganha o ``\\texorpdfstring``."""
    out, pos = [], 0
    for m in _HEADING_CMD.finditer(body):
        if m.start() < pos:
            continue
        try:
            arg_end = _braced(body, m.end() - 1)
            arg = body[m.end():arg_end - 1]
            if arg.startswith("\\texorpdfstring{"):
                a_end = _braced(arg, len("\\texorpdfstring"))
                b_end = _braced(arg, a_end)
                if arg[b_end:].strip():
                    continue
                visible = arg[len("\\texorpdfstring") + 1:a_end - 1]
            else:
                visible = arg
        except ValueError:
            continue
        plain = tex_to_plain(visible)
        if arg is visible and plain == visible:
            continue
        out.append(body[pos:m.end()] + f"\\texorpdfstring{{{visible}}}{{{plain}}}}}")
        pos = arg_end
    out.append(body[pos:])
    return "".join(out)
