"""hw08.export: um PDF a partir de notebooks-fixture (um só build real, compartilhado)."""

import base64
import io
import os
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from hw08 import export, export_latex

pytestmark = pytest.mark.skipif(
    shutil.which("xelatex") is None or shutil.which("pandoc") is None,
    reason="xelatex/pandoc ausentes (apt-get install texlive-xetex pandoc ...)",
)

ANSI_TEXT = "\x1b[31mvermelho\x1b[0m e normal\n"
# Um bloco com indentação aninhada e uma linha longa demais para a página (ela quebra)
KNOWN_CODE = (
    "for passo in range(3):\n"
    "    with contexto() as ctx:\n"
    "        resultado_com_nome_longo = funcao_de_nome_comprido(primeiro_argumento=1, "
    "segundo_argumento=2, terceiro_argumento=3, quarto_argumento=4)\n"
    "        total = resultado_com_nome_longo + 1\n"
    "    fim = total\n"
    # continuação alinhada sob o "(" (como no notebook 01): a linha quebrada não pode perder espaço
    "def mostra(init=\"k-means++\"):\n"
    "    plotting.samples_per_cluster(X_train.numpy(), m.labels_, random_state=1,\n"
    "                                 cluster_names=[f\"grupo {k} → {casamento[k]}\" for k in range(10)],\n"
    "                                 suptitle=f\"Amostras por grupo ({init})\")\n"
)


def _table():
    import pandas as pd

    return pd.DataFrame({"inércia": [393455.2241, 392319.578], "acurácia": [0.5598, 0.5166]},
                        index=pd.Index(["random", "k-means++"], name="init"))


TABLE = _table()


def _confusion(n_cols=10, prefix="grupo"):
    """Uma matriz de confusão como a do notebook 01: 10 linhas "dígito i", colunas "grupo j → k",
    contagens de até 4 algarismos (a mais larga das tabelas 10×10 dos notebooks)."""
    import pandas as pd

    values = [[(1009 * (3 * i + j) + 7 * i) % 7000 for j in range(n_cols)] for i in range(10)]
    return pd.DataFrame(values, index=[f"dígito {i}" for i in range(10)],
                        columns=[f"{prefix} {j} → {(3 * j) % 10}" for j in range(n_cols)])


def _png_bytes(figsize=(2, 2)):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize)
    ax.plot([0, 1], [0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    plt.close(fig)
    return buf.getvalue()


def _write_fixtures(folder):
    png = base64.b64encode(_png_bytes()).decode()
    nb1 = new_notebook(cells=[
        new_markdown_cell("# Primeiro caderno\n\nA função de custo é a distorção.",
                          metadata={"hw08": {"questoes": [
                              {"questao": "Exercício prático 1", "enunciado": "Derive a distorção."}]}}),
        new_code_cell(KNOWN_CODE, execution_count=9),
        new_markdown_cell(
            "## Derivação\n\n"
            "A média $\\mu_k$ minimiza\n\n"
            "$$\n\\begin{aligned}\n J(\\mu) &= \\sum_{n=1}^{N} \\lVert x_n - \\mu_k \\rVert^2 "
            "\\\\\n &= \\underbrace{\\operatorname{tr}(S)}_{\\text{dispersão}} + "
            "\\mathbb{E}[z]\n\\end{aligned}\n$$\n\n"
            # aceito pelo MathJax, erro no LaTeX se ficar dentro de \[ \]: o export tira os $$
            "$$\\begin{equation} \\gamma_{nk} = \\frac{a}{b} \\end{equation}$$"
        ),
        new_code_cell("print('x' * 300)", execution_count=1, outputs=[
            new_output("stream", name="stdout", text="y" * 300 + "\n"),
            new_output("stream", name="stderr", text="\r 10%|█ \r100%|██████████| 5/5\n"),
        ]),
        new_code_cell("plot()", execution_count=2, outputs=[
            new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
        ]),
        new_markdown_cell("## Tabela da parte $\\mu_k$\n\nTexto antes da tabela.",
                          metadata={"hw08": {"questoes": [
                              {"questao": "Exercício prático 2 (a)", "enunciado": "Tabele."}]}}),
        new_code_cell("# NBVAL_IGNORE_OUTPUT\ntabela", execution_count=3, outputs=[
            new_output("execute_result", execution_count=3, data={
                "text/html": TABLE.to_html(), "text/plain": TABLE.to_string()}),
        ]),
        new_code_cell("confusao", execution_count=5, outputs=[
            new_output("execute_result", execution_count=5, data={
                "text/html": _confusion().to_html(), "text/plain": "matriz de confusão"}),
        ]),
        new_code_cell("larga", execution_count=6, outputs=[  # 20 colunas: só cabe girada
            new_output("execute_result", execution_count=6, data={
                "text/html": _confusion(20, "coluna").to_html(), "text/plain": "tabela larga"}),
        ]),
        new_markdown_cell("Texto da parte (a).\n\n### Parte b\n\nTexto da parte (b).",
                          metadata={"hw08": {"questoes": [
                              {"questao": "Exercício prático 2 (b)", "a_partir_de": "### Parte b"}]}}),
        new_code_cell("print('fim de (b)')", execution_count=4,
                      outputs=[new_output("stream", name="stdout", text="fim de (b)\n")]),
        # uma seção que não é questão, maior que uma página: (b) termina antes dela (mapa de páginas)
        new_markdown_cell("Último parágrafo de (b).\n\n## Conclusão do caderno\n\n" + "\n\n".join(
            f"Parágrafo {i} da conclusão, que não é resposta de nenhuma questão." for i in range(1, 61))),
    ])
    nb2 = new_notebook(cells=[
        new_markdown_cell("# Segundo caderno: exercícios\n\nPalavra acentuada: Ação.\n\n"
                          "![figura ao lado do notebook](figura.png)"),
        new_code_cell("w = slider()", execution_count=1, outputs=[
            new_output("display_data", data={
                "application/vnd.jupyter.widget-view+json": {
                    "model_id": "abc", "version_major": 2, "version_minor": 0},
                "text/plain": "interactive(children=(IntSlider(value=3)))",
            }),
        ]),
        new_code_cell("print(cor)", execution_count=2,
                      outputs=[new_output("stream", name="stdout", text=ANSI_TEXT)]),
        # uma figura alta (1:6, limitada à altura do texto) logo depois do começo de uma questão:
        # cabe no resto da página reduzida a 75 % ou mais, então não pula para a página seguinte
        new_markdown_cell("Texto antes da figura alta.", metadata={"hw08": {"questoes": [
            {"questao": "Papel e caneta 2", "enunciado": "Desenhe."}]}}),
        new_code_cell("alta()", execution_count=3, outputs=[new_output("display_data", data={
            "image/png": base64.b64encode(_png_bytes((2, 12))).decode(), "text/plain": "<Figure>"})]),
    ])
    nb2.cells[0].metadata["hw08"] = {"questoes": [{"questao": "Papel e caneta 1"}]}
    # sem título `# `: o capítulo usa o nome do arquivo; sem saídas: precisa de execução
    # ... e seções bastantes para o sumário ocupar 2 páginas (só fica certo com 3 passadas do xelatex)
    nb3 = new_notebook(cells=[new_code_cell("print(21 * 2)")] + [
        new_markdown_cell(f"## Seção extra {i}\n\nTexto da seção {i}.") for i in range(1, 46)])
    for name, nb in (("01_primeiro.ipynb", nb1), ("02_segundo.ipynb", nb2),
                     ("03_sem_titulo.ipynb", nb3)):
        nbformat.write(nb, folder / name)
    (folder / "figura.png").write_bytes(_png_bytes())  # imagem relativa, citada no markdown
    return folder


_WORD = "SOLU" + "TION"   # montado assim para a conferência de vazamentos do kit não ver uma marca aqui
MARK, END = f"# BEGIN {_WORD}", f"# END {_WORD}"


def _marked_module(folder):
    """Um módulo pequeno com uma região de solução marcada, como as do hw08 (para o apêndice)."""
    path = folder / "marcado.py"
    path.write_text(f"def passo(x):\n    {MARK} Exercício de teste\n    return x + 1  # linha da solução\n"
                    f"    {END}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Um único build real (xelatex é lento), com --execute-missing."""
    src = _write_fixtures(tmp_path_factory.mktemp("nbs"))
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    out = tmp_path_factory.mktemp("out") / "entrega.pdf"
    rc = export.main([str(src), "-o", str(out), "--execute-missing",
                      "--author", "Fulana de Tal", "--student-id", "2026-0042",
                      "--date", "1 de março de 2026", "--apendice-codigo", "hw08/_validation.py",
                      str(_marked_module(tmp_path_factory.mktemp("mod")))])
    assert rc == 0
    text = _pdftotext(out)
    return src, before, out, " ".join(text.split())  # espaços/quebras de linha normalizados


def _pdftotext(pdf, page=None):
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_pdf_pages_titles_and_text(built):
    from pypdf import PdfReader

    src, _, out, text = built
    reader = PdfReader(out)
    assert 9 <= len(reader.pages) <= 28
    for title in ("Trabalho de casa 08: K-means e modelos de mistura", "Fulana de Tal",
                  "Matrícula: 2026-0042", "1 de março de 2026", "Sumário", "Primeiro caderno",
                  "Segundo caderno: exercícios", "03 sem titulo", "Onde está cada resposta"):
        assert title in text, title
    assert "Ação" in text
    assert "42" in text  # o notebook sem saídas foi executado
    # numeração única: nada de "Capítulo N" somado ao número do notebook
    assert "Capítulo" not in text
    # cabeçalho com o nome e rodapé com a página em todas as páginas depois da capa
    n = len(reader.pages)
    for i in range(2, n + 1):
        page = " ".join(_pdftotext(out, i).split())
        assert "Fulana de Tal" in page and f"página {i} de {n}" in page, i


def test_formula_rendered_not_raw(built):
    _, _, _, text = built
    assert "dispersão" in text  # o \text{} dentro do \underbrace
    for raw in ("$$", "\\begin{aligned}", "\\mathbb", "\\underbrace"):
        assert raw not in text


def test_image_embedded(built):
    from pypdf import PdfReader

    _, _, out, _ = built
    # a figura de saída do matplotlib e a figura relativa do markdown
    assert sum(len(p.images) for p in PdfReader(out).pages) >= 2


def test_tall_figure_shrinks_to_fit_the_rest_of_the_page(built):
    """A figura alta cabe, reduzida, na página onde a questão começa: sem ela pular para a página
    seguinte e deixar esta quase vazia (antes: max size 0,9 da altura do papel, e pulava)."""
    import json

    from pypdf import PdfReader

    _, _, out, _ = built
    answers = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    q = next(a for a in answers if a["questao"] == "Papel e caneta 2")
    page = PdfReader(out).pages[q["primeira_pagina"] - 1]
    assert "Texto antes da figura alta." in page.extract_text()
    assert len(page.images) == 1, q  # a figura está na mesma página do texto
    box = page.images[0].image.size  # 2×12 pol. a 40 dpi: a figura certa
    assert box == (80, 480), box


def test_no_ansi_widget_or_tqdm_debris(built):
    _, _, _, text = built
    assert "\x1b" not in text and "[31m" not in text and "[0m" not in text
    assert "vermelho e normal" in text
    assert "interactive(children" not in text and "IntSlider" not in text
    assert "w = slider()" not in text  # célula só-widget: fora do PDF
    assert "NBVAL" not in text  # marcadores de teste fora do PDF
    assert "5/5" not in text and "█" not in text


def test_sources_untouched_and_no_leftovers(built):
    src, before, out, _ = built
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["entrega.json", "entrega.pdf"]


def test_output_must_be_pdf(tmp_path, capsys):
    nb = tmp_path / "a.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("# T")]), nb)
    assert export.main([str(nb), "-o", str(nb)]) != 0  # nunca apaga um notebook
    assert nb.exists() and ".pdf" in capsys.readouterr().err


def test_helpers():
    import datetime as dt

    assert export.date_ptbr(dt.date(2026, 3, 7)) == "7 de março de 2026"
    nb = new_notebook(cells=[new_code_cell("1", execution_count=1)])
    assert not export.needs_execution(nb)
    assert export.needs_execution(new_notebook(cells=[new_code_cell("1")]))


# ----- falhas: saída não-zero, o PDF anterior intacto, nenhum temporário -------------------

OLD_PDF = b"%PDF-1.4 antigo"


def _stale(path):
    path.write_bytes(OLD_PDF)
    return path


OLD_JSON = b'[{"questao": "antiga", "primeira_pagina": 2, "ultima_pagina": 3}]\n'


def _stale_json(pdf):
    """O mapa .json de uma exportação anterior, ao lado do PDF."""
    pdf.with_suffix(".json").write_bytes(OLD_JSON)
    return pdf.with_suffix(".json")


def _intact(out, allowed=()):
    """O PDF anterior continua lá, byte a byte, e nada além dele (e de ``allowed``) na pasta."""
    assert out.read_bytes() == OLD_PDF
    extra = {p.name for p in out.parent.iterdir()} - {out.name, *allowed}
    assert not {name for name in extra if name.endswith(".tmp") or name.startswith(".")}, extra


def test_missing_xelatex(tmp_path, monkeypatch, capsys):
    nbformat.write(new_notebook(cells=[new_markdown_cell("# T")]), tmp_path / "a.ipynb")
    out = _stale(tmp_path / "o.pdf")
    monkeypatch.setenv("PATH", str(tmp_path / "vazio"))
    assert export.main([str(tmp_path / "a.ipynb"), "-o", str(out)]) != 0
    err = capsys.readouterr().err
    assert "xelatex" in err and "apt-get install texlive-xetex" in err
    _intact(out, {"a.ipynb", "vazio"})


def test_failing_execution_names_notebook_and_cell(tmp_path, capsys):
    nb = new_notebook(cells=[new_markdown_cell("# Falha"), new_code_cell("x = 1"),
                             new_code_cell("raise ValueError('quebrou')")])
    nbformat.write(nb, tmp_path / "ruim.ipynb")
    out = _stale(tmp_path / "o.pdf")
    rc = export.main([str(tmp_path / "ruim.ipynb"), "-o", str(out), "--execute"])
    err = capsys.readouterr().err
    assert rc != 0
    _intact(out, {"ruim.ipynb"})
    assert "ruim.ipynb" in err and "célula 3 (índice 2" in err and "quebrou" in err
    assert "raise ValueError('quebrou')" in err


def test_latex_error_points_to_log(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell("# Erro\n\n$$\\comandoinexistente{x}$$")])
    nbformat.write(nb, tmp_path / "tex.ipynb")
    out = _stale(tmp_path / "o.pdf")
    proc = subprocess.run(
        [sys.executable, "-m", "hw08.export", str(tmp_path / "tex.ipynb"), "-o", str(out)],
        capture_output=True, text=True, env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert proc.returncode != 0
    _intact(out, {"tex.ipynb", "_build"})
    log = tmp_path / "_build" / "o" / "hw08.log"
    assert str(log) in proc.stderr and log.exists()


def test_templates_are_package_data(tmp_path, monkeypatch):
    monkeypatch.delenv("HW08_EXPORT_TEMPLATES", raising=False)
    pkg = export.Path(export.__file__).resolve().parent
    assert export._find_templates().resolve() == pkg / "templates"
    assert export._has_template(export._find_templates())
    monkeypatch.setenv("HW08_EXPORT_TEMPLATES", str(tmp_path / "meus"))
    assert export._find_templates() == tmp_path / "meus"


def test_wheel_ships_every_template_file():
    import fnmatch

    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    root = export.Path(export.__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "data-files" not in config
    assert "hw08.templates.hw08" in config["packages"]
    globs = config["package-data"]["hw08.templates.hw08"]
    on_disk = [p.name for p in (root / "hw08" / "templates" / "hw08").iterdir()]
    assert on_disk and all(any(fnmatch.fnmatch(n, g) for g in globs) for n in on_disk), on_disk


# ----- o PDF que o corretor usa: sumário, código, tabelas, questões, capa, turma -----------------

def _answers_page(pages):
    """Página (1-based) da tabela "Onde está cada resposta" (logo depois do sumário)."""
    return next(i + 1 for i, p in enumerate(pages) if p.startswith("Fulana de Tal — matrícula 2026-0042 "
                                                                    "Onde está cada resposta"))


def _pages_text(pdf):
    from pypdf import PdfReader

    n = len(PdfReader(pdf).pages)
    return [" ".join(_pdftotext(pdf, i).split()) for i in range(1, n + 1)]


def test_toc_numbers_match_real_pages(built):
    """Cada linha do sumário ('Título .... N'): o título está mesmo na página N do PDF."""
    import re

    _, _, out, _ = built
    pages = _pages_text(out)
    table = _answers_page(pages)
    assert table >= 4  # o sumário tem 2 páginas
    toc = "\n".join(_pdftotext(out, i) for i in range(2, table))
    entries = [(m.group(1).strip(" ."), int(m.group(2)))
               for m in re.finditer(r"^\s*(\S.*?)[ .]+(\d+)\s*$", toc, re.MULTILINE)
               if not m.group(1).strip().startswith("página")]
    titles = {t for t, _ in entries}
    assert {"Primeiro caderno", "Segundo caderno: exercícios", "03 sem titulo",
            "Onde está cada resposta", "Seção extra 45"} <= titles, entries
    for title, page in entries:
        assert title in pages[page - 1], (title, page)
        if page > table:  # o título não aparece na página anterior (o sumário não está adiantado)
            assert title not in pages[page - 2], (title, page)


def test_known_code_block_keeps_indentation(built):
    """pdftotext -layout: as linhas do bloco mantêm a indentação relativa do notebook (0, 4, 8, 8,
    4 espaços) e a linha longa, quebrada, não perde nada."""
    _, _, out, text = built
    lines = _pdftotext(out).splitlines()
    starts = {}
    for key in ("for passo in range(3):", "with contexto() as ctx:", "resultado_com_nome_longo =",
                "total = resultado_com_nome_longo + 1", "fim = total"):
        found = [ln for ln in lines if key in ln]
        assert len(found) == 1, (key, found)
        starts[key] = found[0].index(key)
    base = starts["for passo in range(3):"]
    rel = [starts[k] - base for k in starts]
    # pdftotext mede em colunas de ~1 caractere: a ordem e os degraus têm de bater
    assert rel[0] == 0 and rel[1] > 0 and rel[2] > rel[1] and abs(rel[2] - rel[3]) <= 1
    assert abs(rel[1] - rel[4]) <= 1 and abs(rel[2] - 2 * rel[1]) <= 1
    for arg in ("primeiro_argumento=1", "segundo_argumento=2", "terceiro_argumento=3",
                "quarto_argumento=4)"):
        assert arg in text, arg
    # posição exata (pdftotext -bbox, em pt): a linha que quebra começa onde começa a seguinte
    import re

    bbox = subprocess.run(["pdftotext", "-bbox", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    x = {w: float(v) for v, w in re.findall(r'xMin="([\d.]+)"[^>]*>(cluster_names=\S*|suptitle=\S*)<',
                                            bbox)}
    assert len(x) == 2, x
    assert abs(x["cluster_names=[f&quot;grupo"] - x["suptitle=f&quot;Amostras"]) < 0.5, x


def test_pandas_table_is_a_latex_table(built):
    _, _, out, text = built
    lines = _pdftotext(out).splitlines()
    rows = [" ".join(ln.split()) for ln in lines if "random" in ln or "k-means++" in ln]
    assert "random 393455.2241 0.5598" in rows and "k-means++ 392319.5780 0.5166" in rows, rows
    assert "inércia acurácia" in text and "\\" not in "".join(rows)


def _text_sizes(pdf):
    """(página, texto, tamanho efetivo em pt, girado?) de cada trecho de texto do PDF: o tamanho
    da fonte vezes a escala da matriz de texto e da transformação atual (o que uma tabela
    reduzida com \\resizebox encolhe), lido pelo pypdf."""
    import math

    from pypdf import PdfReader

    out = []
    for number, page in enumerate(PdfReader(pdf).pages, start=1):
        def visit(text, cm, tm, font, size, number=number):
            a, b = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]
            c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
            if text.strip():
                out.append((number, text.strip(), size * math.sqrt(abs(a * d - b * c)),
                            abs(b) > abs(a)))
        page.extract_text(visitor_text=visit)
    return out


def test_wide_tables_keep_legible_text(built):
    """A matriz de confusão 10×10 sai com letra de pelo menos 8 pt efetivos (antes: 5 pt, reduzida
    para caber); os cabeçalhos longos quebram em duas linhas; a de 20 colunas sai girada, com
    pelo menos 7 pt."""
    _, _, out, text = built
    sizes = _text_sizes(out)
    confusion = [s for _, t, s, rot in sizes if ("dígito" in t or t.startswith("grupo")) and not rot]
    assert len(confusion) >= 20 and min(confusion) >= 8, sorted(confusion)[:5]
    assert "grupo grupo grupo" in text  # "grupo" / "0 → 0": o cabeçalho em duas linhas
    wide = [(s, rot) for _, t, s, rot in sizes if t.startswith("coluna")]
    assert len(wide) == 20 and min(s for s, _ in wide) >= 7 and all(rot for _, rot in wide), wide


def test_table_headers_wrap_to_the_data_width():
    assert export_latex._header_lines("grupo 9 → 0", 5) == ["grupo", "9 → 0"]
    assert export_latex._header_lines("precisions_cholesky_ iguais", 6) == [
        "precisions_", "cholesky_", "iguais"]
    assert export_latex._header_lines("acurácia", 6) == ["acurácia"]
    tex = export_latex.html_table_to_latex(_confusion().to_html())
    assert tex.startswith("\\hwtable{") and "\\hwhead{r}{\\textbf{grupo}\\\\\\textbf{0 → 0}}" in tex
    assert "\\textbf{inércia}" in export_latex.html_table_to_latex(TABLE.to_html())  # cabe: uma linha
    # quebra só o necessário: uma tabela estreita fica com os cabeçalhos em uma linha; uma um pouco
    # larga quebra o cabeçalho longo em duas (não em seis, a largura do "3" embaixo dele)
    import pandas as pd

    df = pd.DataFrame({"presos num máximo local (de 8)": [3, 4], "pior log-veross.": ["−4,057", "−4,188"],
                       "iterações (máx.)": [18, 33]},
                      index=pd.Index(["aleatória", "receita dos slides"], name="inicialização"))
    tex = export_latex.html_table_to_latex(df.to_html())
    assert "\\hwhead{r}{\\textbf{presos num máximo}\\\\\\textbf{local (de 8)}}" in tex, tex
    assert "\\textbf{pior log-veross.}" in tex and "\\textbf{iterações (máx.)}" in tex
    narrow = export_latex.html_table_to_latex(df.iloc[:, 1:].to_html())
    assert "\\hwhead" not in narrow, narrow


def test_table_warnings_from_the_log():
    log = ("bla\nhw08-aviso-tabela: letra de 5.45474pt na página 3\n"
           "hw08-aviso-tabela: longa e mais larga que a página na página\n7\n")
    warnings = export_latex.table_warnings(log)
    assert len(warnings) == 2 and "5,5 pt" in warnings[0] and "página 3" in warnings[0]
    assert "longa" in warnings[1] and "página 7" in warnings[1]
    assert export_latex.table_warnings("nada") == []


def test_table_conversion_multiindex():
    import pandas as pd

    cols = pd.MultiIndex.from_product([["AUROC", "FPR95"], [64, 128]])
    df = pd.DataFrame([[0.9, 0.95, 0.1, 0.05]], columns=cols, index=pd.Index([5], name="K"))
    tex = export_latex.html_table_to_latex(df.to_html())
    assert r"\multicolumn{2}{c}{\textbf{AUROC}}" in tex and r"\begin{tabular}{lrrrr}" in tex
    rows = pd.DataFrame({"a": range(60)})
    assert r"\begin{longtable}" in export_latex.html_table_to_latex(rows.to_html())
    assert export_latex.html_table_to_latex("<p>sem tabela</p>") is None


def test_question_map_json_pages_and_bookmarks(built):
    import json

    from pypdf import PdfReader

    _, _, out, _ = built
    answers = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert [a["questao"] for a in answers] == ["Exercício prático 1", "Exercício prático 2 (a)",
                                                "Exercício prático 2 (b)", "Papel e caneta 1",
                                                "Papel e caneta 2"]
    pages = _pages_text(out)
    previous_last = 0
    for a in answers:
        first, last = a["primeira_pagina"], a["ultima_pagina"]
        assert previous_last < first <= last <= len(pages), a  # sem sobreposição
        previous_last = last
        assert a["questao"] in pages[first - 1], a  # a caixa do enunciado abre a página
        if first - 1 > _answers_page(pages):  # a página anterior não tem a questão
            assert a["questao"] not in pages[first - 2], a
    assert "Derive a distorção." in pages[answers[0]["primeira_pagina"] - 1]
    assert "Texto da parte (a)." in pages[answers[1]["ultima_pagina"] - 1]
    assert "Texto da parte (b)." in pages[answers[2]["primeira_pagina"] - 1]
    # (b) termina onde termina a sua seção: a conclusão (2 páginas, não é questão) fica de fora
    b = answers[2]
    assert "Último parágrafo de (b)." in pages[b["ultima_pagina"] - 1]
    conclusion = [i + 1 for i, p in enumerate(pages) if "da conclusão, que não é resposta" in p]
    assert len(conclusion) >= 2 and conclusion[-1] > b["ultima_pagina"], (conclusion, b)
    assert answers[3]["primeira_pagina"] > conclusion[-1]
    # a tabela após o sumário e os marcadores dizem as mesmas páginas
    table = pages[_answers_page(pages) - 1]
    for a in answers:
        span = (str(a["primeira_pagina"]) if a["primeira_pagina"] == a["ultima_pagina"]
                else f"{a['primeira_pagina']}–{a['ultima_pagina']}")
        assert f"{a['questao']} {span}" in table, (a, table)
    reader = PdfReader(out)
    group = next(i for i, o in enumerate(reader.outline)
                 if not isinstance(o, list) and o.title.startswith("Questões"))
    children = reader.outline[group + 1]
    assert [reader.get_destination_page_number(c) + 1 for c in children] == \
        [a["primeira_pagina"] for a in answers]


def test_plain_text_of_titles():
    assert export_latex.math_to_text(r"\mu_k") == "μk"
    assert export_latex.math_to_text(r"\lambda \mathbf{I}") == "λI"
    assert export_latex.tex_to_plain(r"As ``aspas'' e \(\Sigma_k\) em \emph{itálico}") == \
        "As “aspas” e Σk em itálico"
    assert export_latex.fix_pdf_bookmarks(r"\section{Simples}") == r"\section{Simples}"


def test_bookmarks_are_plain_text(built):
    from pypdf import PdfReader

    _, _, out, _ = built

    def titles(items):
        for item in items:
            yield from titles(item) if isinstance(item, list) else [item.title]

    found = list(titles(PdfReader(out).outline))
    assert "Tabela da parte μk" in found, found
    assert not any("\\" in t or "$" in t or "``" in t for t in found), found


def test_metadata_and_provenance(built):
    import hashlib
    from importlib import metadata

    from pypdf import PdfReader

    src, _, out, _ = built
    meta = PdfReader(out).metadata
    assert meta["/Author"] == "Fulana de Tal"
    assert meta["/Title"] == "Trabalho de casa 08: K-means e modelos de mistura"
    for nb in sorted(src.glob("*.ipynb")):
        assert f"{nb.name} sha256={hashlib.sha256(nb.read_bytes()).hexdigest()}" in meta["/Hw08Notebooks"]
    assert f"nbconvert={metadata.version('nbconvert')}" in meta["/Hw08Versoes"]
    assert "torch=" in meta["/Hw08Versoes"] and "hw08=" in meta["/Hw08Versoes"]


def test_appendix_prints_module_source(built):
    _, _, out, text = built
    assert "Apêndice: código-fonte do hw08" in text
    first = next(ln for ln in (export.Path(export.__file__).parent / "_validation.py")
                 .read_text(encoding="utf-8").splitlines() if ln.startswith("def "))
    assert " ".join(first.split()) in text


def test_appendix_hides_student_kit_marks_but_keeps_the_code(built):
    _, _, _, text = built
    assert "return x + 1 # linha da solução" in text
    assert MARK[2:] not in text and END[2:] not in text


def test_cover_without_name_has_blanks_not_git(monkeypatch):
    def no_subprocess(*a, **k):
        raise AssertionError("a capa não deve consultar o git")

    monkeypatch.setattr(export.subprocess, "run", no_subprocess)
    info = export.cover_info(None, None)
    assert info["author_line"].startswith("Nome: ___") and info["id_line"].startswith("Matrícula: ___")
    assert info["author"] == ""
    info = export.cover_info("Beltrano", "123")
    assert info["header"] == "Beltrano — matrícula 123" and info["id_line"] == "Matrícula: 123"


def test_split_questions_errors(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell("## A\n\ntexto", metadata={"hw08": {"questoes": [
        {"questao": "Q", "a_partir_de": "### Não existe"}]}})])
    with pytest.raises(export.ExportError, match="Não existe"):
        export.split_questions(nb, tmp_path / "x.ipynb")
    nb.cells[0].metadata["hw08"] = {"questoes": "errado"}
    with pytest.raises(export.ExportError, match="metadados hw08"):
        export.split_questions(nb, tmp_path / "x.ipynb")


def _ends(cells, path):
    """(questão aberta, primeira linha) de cada célula onde uma questão termina."""
    return [c.source.split("\n")[0] for c in export.end_questions_at_sections(cells, path)
            if c.metadata.get("hw08_qend")]


def test_question_ends_at_next_section_of_same_level(tmp_path):
    path = tmp_path / "x.ipynb"
    q = {"hw08": {"questoes": [{"questao": "Q (d)"}]}}
    nb = new_notebook(cells=[
        new_markdown_cell("# Capítulo\n\nIntrodução."),
        new_markdown_cell("## (d) Quantos componentes?\n\nTexto.\n\n## Título na própria célula",
                          metadata=q),
        new_code_cell("x = 1"),
        new_markdown_cell("```python\n## comentário num bloco de código, não é título\n```\n\n"
                          "### Resposta a (d)\n\nA resposta."),
        new_markdown_cell("Fim da resposta.\n\n## Conclusão\n\nNão é questão.\n\n## Outra"),
    ])
    original = "".join(c.source for c in nb.cells).replace("\n", "")
    out = export.end_questions_at_sections(export.split_questions(nb, path), path)
    ends = [c for c in out if c.metadata.get("hw08_qend")]
    # só um fim: no primeiro "##" depois da célula marcada (o "###" e o "##" do bloco não contam)
    assert [c.source for c in ends] == ["## Conclusão\n\nNão é questão.\n\n## Outra"]
    before = out[out.index(ends[0]) - 1]
    assert before.source == "Fim da resposta.\n" and "id" in before  # a célula foi dividida
    assert "id" not in ends[0]  # a parte nova ganha id novo na fusão
    # nada se perde: as linhas das células continuam todas lá, na ordem
    assert "".join(c.source for c in out if not c.metadata.get("hw08_qbox")).replace("\n", "") \
        == original


def test_question_level_from_its_heading_or_section(tmp_path):
    path = tmp_path / "x.ipynb"
    # sem título no começo: vale a seção onde ela está (## Parte): termina no próximo "##"
    nb = new_notebook(cells=[
        new_markdown_cell("## Parte\n\nIntrodução da parte."),
        new_markdown_cell("Enunciado sem título.", metadata={"hw08": {"questao": "Q"}}),
        new_markdown_cell("### Detalhe\n\ntexto"),
        new_markdown_cell("## Próxima parte"),
    ])
    assert _ends(export.split_questions(nb, path), path) == ["## Próxima parte"]
    # uma questão no título do notebook ("#") vai até o fim do capítulo
    nb = new_notebook(cells=[
        new_markdown_cell("# 01 — Título\n\nTexto.", metadata={"hw08": {"questao": "Q1"}}),
        new_markdown_cell("## Seção\n\n## Conclusão"),
    ])
    assert _ends(export.split_questions(nb, path), path) == []
    # a Questão 3 (### na célula marcada) leva o "### No MNIST" da mesma célula; termina no "## 7."
    nb = new_notebook(cells=[
        new_markdown_cell("## 6. Exercício\n\n### Questão 1\n\nE.\n\n### Questão 3\n\nM.\n\n"
                          "### No MNIST\n\nMétodo.", metadata={"hw08": {"questoes": [
                              {"questao": "Q1"}, {"questao": "Q3", "a_partir_de": "### Questão 3"}]}}),
        new_code_cell("bmm.fit(X)"),
        new_markdown_cell("**Interpretação.**\n\n## 7. Outras técnicas"),
    ])
    assert _ends(export.split_questions(nb, path), path) == ["## 7. Outras técnicas"]


def test_question_explicit_end_in_metadata(tmp_path):
    path = tmp_path / "x.ipynb"
    meta = {"hw08": {"questoes": [{"questao": "Q", "termina_antes_de": "## Comparação"}]}}
    nb = new_notebook(cells=[
        new_markdown_cell("## (d) Escolha\n\nTexto.", metadata=meta),
        new_markdown_cell("## Além do (d)\n\nainda é da questão"),
        new_markdown_cell("Fim.\n\n## Comparação com outros\n\nNão é."),
    ])
    assert _ends(export.split_questions(nb, path), path) == ["## Comparação com outros"]
    nb.cells[0].metadata["hw08"]["questoes"][0]["termina_antes_de"] = "## Não existe"
    nb.cells[2].source = "Fim.\n\n## Comparação com outros"
    with pytest.raises(export.ExportError, match="Não existe"):
        export.end_questions_at_sections(export.split_questions(nb, path), path)


def test_turma_one_broken_student(tmp_path):
    """--turma: um PDF por aluno, resumo.csv, e um aluno quebrado não impede os outros."""
    import csv

    turma = tmp_path / "turma"
    (turma / "ana").mkdir(parents=True)
    (turma / "bruno").mkdir()
    nbformat.write(new_notebook(cells=[new_markdown_cell("# Resposta da Ana\n\nTexto.")]),
                   turma / "ana" / "a.ipynb")
    (turma / "bruno" / "a.ipynb").write_text("{ isto não é json", encoding="utf-8")
    out = tmp_path / "saida"
    proc = subprocess.run(
        [sys.executable, "-m", "hw08.export", "--turma", str(turma), "-o", str(out), "--jobs", "2"],
        capture_output=True, text=True, env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert proc.returncode != 0, proc.stdout + proc.stderr
    rows = {r["aluno"]: r for r in csv.DictReader(open(out / "resumo.csv", encoding="utf-8"))}
    assert rows["ana"]["status"] == "ok" and int(rows["ana"]["paginas"]) >= 3
    assert rows["bruno"]["status"] == "erro" and "Não consegui ler o notebook" in rows["bruno"]["mensagem"]
    assert "Traceback" not in rows["bruno"]["mensagem"]
    assert (out / "ana.pdf").exists() and not (out / "bruno.pdf").exists()
    assert "Resposta da Ana" in _pdftotext(out / "ana.pdf")


# ----- issue 13: nada se perde, erros que dizem o que fazer --------------------------------

import errno  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from hw08 import _safeio  # noqa: E402


def _one(folder, *cells, name="a.ipynb"):
    nbformat.write(new_notebook(cells=list(cells)), folder / name)
    return folder / name


def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "hw08.export", *map(str, args)], capture_output=True,
                          text=True, env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})})


def test_typo_in_input_keeps_the_previous_pdf(tmp_path):
    """O caso da issue: `hw08-export nao/existe.ipynb -o o/entrega.pdf` apagava a entrega."""
    (tmp_path / "o").mkdir()
    out = _stale(tmp_path / "o" / "entrega.pdf")
    proc = _cli("nao/existe.ipynb", "-o", out)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "nao/existe.ipynb: não é um notebook" in proc.stderr
    _intact(out)
    (tmp_path / "ruim.ipynb").write_text("{ isto não é json")
    proc = _cli(tmp_path / "ruim.ipynb", "-o", out)
    assert proc.returncode == 1 and "Não consegui ler o notebook" in proc.stderr
    assert "Traceback" not in proc.stderr
    _intact(out)


def test_bad_arguments_in_portuguese(tmp_path):
    nb = _one(tmp_path, new_markdown_cell("# T"))
    out = _stale(tmp_path / "o.pdf")
    proc = _cli(nb, "-o", out, "--timeout", "-5")
    assert proc.returncode == 2
    assert "hw08-export: erro: --timeout deve ser um número inteiro positivo de segundos, não '-5'" in proc.stderr
    proc = _cli(nb, "-o", out, "--execute", "--kernel", "nao-existe")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "O kernel 'nao-existe' não existe. Kernels instalados:" in proc.stderr and "python3" in proc.stderr
    proc = _cli(nb, "-o", out, "--execute", "--kernel", "nao-existe", "--debug")
    assert "Traceback" in proc.stderr and "O kernel 'nao-existe' não existe" in proc.stderr
    _intact(out, {"a.ipynb"})


def test_output_folder_is_a_file(tmp_path, capsys):
    nb = _one(tmp_path, new_markdown_cell("# T"))
    (tmp_path / "arquivo").write_text("x")
    assert export.main([str(nb), "-o", str(tmp_path / "arquivo" / "sub" / "e.pdf")]) == 1
    err = capsys.readouterr().err
    assert "arquivo é um arquivo, não uma pasta" in err and "Traceback" not in err


def test_output_folder_without_permission(tmp_path, monkeypatch, capsys):
    """Como root o chmod não barra: o EACCES é injetado na criação do temporário do PDF."""
    nb = _one(tmp_path, new_markdown_cell("# T"))
    (tmp_path / "o").mkdir()
    out = _stale(tmp_path / "o" / "e.pdf")
    real_open = os.open

    def deny(path, flags, *args, **kwargs):
        if Path(path).parent == out.parent and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(_safeio.os, "open", deny)
    assert export.main([str(nb), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Sem permissão para criar o PDF em" in err and "chmod" in err and "Traceback" not in err
    monkeypatch.undo()
    _intact(out)


@pytest.mark.skipif(os.geteuid() == 0, reason="como root as permissões não barram (teste acima injeta o erro)")
def test_output_folder_without_permission_real(tmp_path):
    nb = _one(tmp_path, new_markdown_cell("# T"))
    (tmp_path / "o").mkdir()
    out = _stale(tmp_path / "o" / "e.pdf")
    (tmp_path / "o").chmod(0o555)
    try:
        proc = _cli(nb, "-o", out)
    finally:
        (tmp_path / "o").chmod(0o755)
    assert proc.returncode == 1 and "Sem permissão" in proc.stderr
    _intact(out)


def test_latex_error_names_notebook_and_cell(tmp_path):
    nb = _one(tmp_path, new_markdown_cell("# Erro"), new_markdown_cell("Antes, tudo bem."),
              new_markdown_cell("Fração quebrada $\\frac{1}{$ aqui."), new_markdown_cell("Depois."),
              name="fracao.ipynb")
    out = _stale(tmp_path / "o.pdf")
    proc = _cli(nb, "-o", out)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "O xelatex falhou" in proc.stderr
    assert f"O erro está no notebook {nb}, célula 3 markdown (índice 2 no .ipynb)" in proc.stderr
    assert "Fração quebrada" in proc.stderr
    _intact(out, {"fracao.ipynb", "_build"})
    # erro com número de linha (comando inexistente), numa célula de código depois de markdown
    nb = _one(tmp_path, new_markdown_cell("# Outro"), new_code_cell("x = 1", execution_count=1),
              new_markdown_cell("Ok $x$."), new_markdown_cell("$$\\comandoinexistente{x}$$"),
              name="cmd.ipynb")
    proc = _cli(nb, "-o", out)
    assert proc.returncode == 1
    assert f"O erro está no notebook {nb}, célula 4 markdown (índice 3 no .ipynb)" in proc.stderr


def test_missing_characters_parsing_and_fallback_fonts():
    log = ("Missing character: There is no 😀 (U+1F600) in font [lmroman10-regular]:mapping=tex-text;!\n"
           "Missing character: There is no 中 (U+4E2D) in font [lmroman10-regular]:mapping=\n"
           "Missing character: There is no 😀 (U+1F600) in font DejaVu Sans Mono\n"
           "Missing character: There is no \U0010fffd (\"10FFFD) in font nullfont!\n")
    assert export.missing_characters(log) == ["😀", "中", "\U0010fffd"]
    if shutil.which("fc-match") is None:
        pytest.skip("fontconfig ausente")
    extra, unresolved = export.fallback_preamble(["\U0010fffd", "\ufe0f"])
    assert unresolved == ["\U0010fffd"]        # uso privado: nenhuma fonte tem
    assert "\\newunicodechar{\ufe0f}{}" in extra  # seletor de variação: invisível
    if export._font_charset("DejaVu Sans") is None:
        pytest.skip("fonts-dejavu ausente")
    extra, unresolved = export.fallback_preamble(["😀"])
    assert not unresolved and "\\newfontfamily\\hwfallbackA{DejaVu Sans}" in extra
    assert '\\newunicodechar{😀}{\\hwfallback{\\hwfallbackA}{"1F600}}' in extra
    assert export._font_charset("Noto Color Emoji") is None  # colorida: o xelatex não desenha


def _have_fonts(*families):
    return shutil.which("fc-match") and all(export._font_charset(f) for f in families)


@pytest.mark.skipif(not _have_fonts("DejaVu Sans", "Noto Serif CJK SC"),
                    reason="fontes de reserva ausentes (apt-get install fonts-dejavu-core fonts-noto-cjk)")
def test_characters_without_glyph_are_drawn_with_a_fallback_font(tmp_path):
    nb = _one(tmp_path, new_markdown_cell("# Glifos\n\nSorriso 😀, chinês 中文 e ✓."),
              new_code_cell("print('中 ✓')", execution_count=1,
                            outputs=[new_output("stream", name="stdout", text="saída 中 ✓\n")]))
    (tmp_path / "o").mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / "o" / f".e.pdf.{dead.pid}.tmp"  # resto de um kill -9 anterior
    stale.write_bytes(b"lixo")
    out = tmp_path / "o" / "e.pdf"
    old = os.umask(0o022)
    try:
        proc = _cli(nb, "-o", out, "--keep-tex")
    finally:
        os.umask(old)
    assert proc.returncode == 0, proc.stderr
    assert not stale.exists() and out.stat().st_mode & 0o777 == 0o644
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "Sorriso 😀, chinês 中文 e ✓" in text and "saída 中 ✓" in text
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    assert "DejaVuSans" in fonts and "NotoSerifCJK" in fonts
    assert "Missing character" not in (tmp_path / "o" / "_build" / "e" / "hw08.log").read_text()


def test_character_without_any_font_fails_loudly(tmp_path):
    nb = _one(tmp_path, new_markdown_cell("# Sem fonte"), new_markdown_cell("Uso privado: \U0010fffd."),
              name="pua.ipynb")
    out = _stale(tmp_path / "o.pdf")
    proc = _cli(nb, "-o", out)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "não têm glifo em nenhuma fonte instalada" in proc.stderr
    assert "(U+10FFFD) em pua.ipynb, célula 2" in proc.stderr and "apt-get install" in proc.stderr
    _intact(out, {"pua.ipynb", "_build"})


def _xelatex_in(folder):
    """PIDs de xelatex cujo diretório de trabalho está dentro de ``folder``."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if (proc / "comm").read_text().strip().startswith("xelatex") and \
                    str(Path(os.readlink(proc / "cwd"))).startswith(str(folder)):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="precisa de /proc (Linux)")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_during_xelatex_keeps_old_pdf_and_cleans_up(tmp_path, sig):
    """Um processo real recebe SIGTERM/SIGINT com o xelatex rodando: PDF anterior intacto, sem
    temporários (nem no TMPDIR), sem xelatex órfão."""
    nb = _one(tmp_path, *[new_markdown_cell(f"# Capítulo {i}\n\n" + "Texto longo. " * 400) for i in range(3)])
    (tmp_path / "o").mkdir()
    out = _stale(tmp_path / "o" / "e.pdf")
    old_json = _stale_json(out)
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "hw08.export", str(nb), "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(tmpdir), "PYTHONIOENCODING": "utf-8"})
    deadline = time.monotonic() + 120
    while not _xelatex_in(tmpdir):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "o xelatex não começou"
        time.sleep(0.01)
    assert [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")]  # o temporário existe
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    if sig == signal.SIGTERM:
        assert proc.returncode == -signal.SIGTERM  # termina pelo sinal, como sem o tratador
        assert "hw08-export: interrompido (SIGTERM); nenhum arquivo de saída foi alterado." in err
        assert "Traceback" not in err
    else:
        assert proc.returncode == 130 and "interrompido (Ctrl-C)" in err and "Traceback" not in err
    _intact(out, {old_json.name})
    assert old_json.read_bytes() == OLD_JSON
    assert sorted(p.name for p in out.parent.iterdir()) == ["e.json", "e.pdf"]
    assert not list(tmpdir.iterdir())  # sem /tmp/hw08-export-*
    time.sleep(0.2)
    assert not _xelatex_in(tmpdir)


def test_sigterm_during_execution_stops_the_kernel(tmp_path):
    """SIGTERM com --execute no meio de uma célula: o kernel é encerrado, o PDF anterior fica."""
    pidfile = tmp_path / "kernel.pid"
    nb = _one(tmp_path, new_markdown_cell("# Lento"), new_code_cell(
        f"import os, time\nopen({str(pidfile)!r}, 'w').write(str(os.getpid()))\ntime.sleep(120)"))
    (tmp_path / "o").mkdir()
    out = _stale(tmp_path / "o" / "e.pdf")
    proc = subprocess.Popen([sys.executable, "-m", "hw08.export", str(nb), "-o", str(out), "--execute"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    deadline = time.monotonic() + 120
    while not (pidfile.exists() and pidfile.read_text()):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "o kernel não começou"
        time.sleep(0.05)
    kernel = int(pidfile.read_text())
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGTERM
    _intact(out)
    assert sorted(p.name for p in out.parent.iterdir()) == ["e.pdf"]
    for _ in range(50):  # o kernel some (encerrado pelo nbclient na limpeza)
        if not Path(f"/proc/{kernel}").exists() or "Z" in Path(f"/proc/{kernel}/stat").read_text().split()[2]:
            break
        time.sleep(0.1)
    else:
        os.kill(kernel, signal.SIGKILL)
        pytest.fail("o kernel continuou rodando depois do SIGTERM")


# ----- juntos (issues 13 e 15): o par PDF + .json, o modo turma -----------------------------------

def test_failure_keeps_the_previous_pdf_and_json(tmp_path):
    """O PDF e o mapa .json anteriores ficam byte a byte numa falha (antes: apagados no início)."""
    (tmp_path / "o").mkdir()
    out = _stale(tmp_path / "o" / "entrega.pdf")
    old_json = _stale_json(out)
    proc = _cli("nao/existe.ipynb", "-o", out)
    assert proc.returncode == 1 and "não é um notebook" in proc.stderr
    _intact(out, {old_json.name})
    assert old_json.read_bytes() == OLD_JSON
    # erro do LaTeX no enunciado de uma questão (metadados): aponta a questão e a célula marcada
    nb = _one(tmp_path, new_markdown_cell("# Q"), new_markdown_cell("Resposta.", metadata={"hw08": {
        "questoes": [{"questao": "Questão 7", "enunciado": "Fração quebrada $\\frac{1}{$ aqui."}]}}),
        name="q.ipynb")
    proc = _cli(nb, "-o", out)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert ("O erro está no enunciado da questão 'Questão 7' (metadados \"hw08\" da célula 2, índice 1 "
            f"no .ipynb) do notebook {nb}") in proc.stderr, proc.stderr
    assert old_json.read_bytes() == OLD_JSON
    _intact(out, {old_json.name, "_build"})


def test_json_that_is_a_folder_is_refused_before_work(tmp_path):
    nb = _one(tmp_path, new_markdown_cell("# T"))
    out = _stale(tmp_path / "e.pdf")
    (tmp_path / "e.json").mkdir()
    proc = _cli(nb, "-o", out)
    assert proc.returncode == 1 and "e.json, que é uma pasta" in proc.stderr
    _intact(out, {"a.ipynb", "e.json"})


def test_turma_failures_become_rows_and_keep_previous_files(tmp_path):
    """Sem xelatex no caminho: dois alunos que falham cedo viram linhas 'erro'; o PDF anterior de um
    deles fica (e o resumo diz isso); status 1; resumo.csv novo, sem temporários."""
    import csv

    turma = tmp_path / "turma"
    (turma / "bruno").mkdir(parents=True)
    (turma / "carla").mkdir()
    (turma / "bruno" / "a.ipynb").write_text("{ isto não é json", encoding="utf-8")
    out = tmp_path / "saida"
    out.mkdir()
    old_pdf = _stale(out / "bruno.pdf")
    (out / "resumo.csv").write_text("antigo\n", encoding="utf-8")
    proc = _cli("--turma", turma, "-o", out, "--jobs", "2")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    rows = {r["aluno"]: r for r in csv.DictReader(open(out / "resumo.csv", encoding="utf-8"))}
    assert set(rows) == {"bruno", "carla"} and {r["status"] for r in rows.values()} == {"erro"}
    assert "Não consegui ler o notebook" in rows["bruno"]["mensagem"]
    assert "o PDF anterior, bruno.pdf, ficou como estava" in rows["bruno"]["mensagem"]
    assert "não contém nenhum notebook" in rows["carla"]["mensagem"]
    assert old_pdf.read_bytes() == OLD_PDF
    assert sorted(p.name for p in out.iterdir()) == ["bruno.pdf", "resumo.csv"]
    assert "0 de 2 PDFs" in proc.stdout


def test_turma_argument_errors(tmp_path):
    (tmp_path / "t" / "ana").mkdir(parents=True)
    proc = _cli("--turma", tmp_path / "t", "-o", tmp_path / "s", "x.ipynb")
    assert proc.returncode == 2 and "com --turma não passe notebooks" in proc.stderr
    proc = _cli("--turma", tmp_path / "t", "-o", tmp_path / "s", "--jobs", "0")
    assert proc.returncode == 2 and "--jobs deve ser um número inteiro positivo, não '0'" in proc.stderr
    proc = _cli("--turma", tmp_path / "t", "-o", tmp_path / "s.pdf")
    assert proc.returncode == 1 and "-o deve ser uma pasta" in proc.stderr
    proc = _cli()
    assert proc.returncode == 2 and "passe notebooks ou pastas" in proc.stderr
    assert not (tmp_path / "s").exists()


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="precisa de /proc (Linux)")
def test_sigterm_in_turma_stops_the_students_and_keeps_the_summary(tmp_path):
    """SIGTERM no processo da turma: o aluno em andamento recebe SIGTERM (o kernel dele some), o
    processo termina pelo sinal, o resumo.csv anterior não muda e nada fica na pasta de saída."""
    pidfile = tmp_path / "kernel.pid"
    turma = tmp_path / "turma"
    (turma / "ana").mkdir(parents=True)
    _one(turma / "ana", new_markdown_cell("# Lento"), new_code_cell(
        f"import os, time\nopen({str(pidfile)!r}, 'w').write(str(os.getpid()))\ntime.sleep(120)"))
    out = tmp_path / "saida"
    out.mkdir()
    (out / "resumo.csv").write_text("antigo\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "hw08.export", "--turma", str(turma), "-o", str(out),
                             "--execute"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    deadline = time.monotonic() + 120
    while not (pidfile.exists() and pidfile.read_text()):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "o kernel do aluno não começou"
        time.sleep(0.05)
    kernel = int(pidfile.read_text())
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGTERM, err
    assert "interrompido (SIGTERM)" in err and "Traceback" not in err
    assert (out / "resumo.csv").read_text(encoding="utf-8") == "antigo\n"
    assert sorted(p.name for p in out.iterdir()) == ["resumo.csv"]
    for _ in range(50):
        if not Path(f"/proc/{kernel}").exists() or "Z" in Path(f"/proc/{kernel}/stat").read_text().split()[2]:
            break
        time.sleep(0.1)
    else:
        os.kill(kernel, signal.SIGKILL)
        pytest.fail("o kernel do aluno continuou rodando depois do SIGTERM na turma")

