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

from hw08 import export

pytestmark = pytest.mark.skipif(
    shutil.which("xelatex") is None or shutil.which("pandoc") is None,
    reason="xelatex/pandoc ausentes (apt-get install texlive-xetex pandoc ...)",
)

ANSI_TEXT = "\x1b[31mvermelho\x1b[0m e normal\n"


def _png_bytes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    plt.close(fig)
    return buf.getvalue()


def _write_fixtures(folder):
    png = base64.b64encode(_png_bytes()).decode()
    nb1 = new_notebook(cells=[
        new_markdown_cell("# Primeiro caderno\n\nA função de custo é a distorção."),
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
    ])
    # sem título `# `: o capítulo usa o nome do arquivo; sem saídas: precisa de execução
    nb3 = new_notebook(cells=[new_code_cell("print(21 * 2)")])
    for name, nb in (("01_primeiro.ipynb", nb1), ("02_segundo.ipynb", nb2),
                     ("03_sem_titulo.ipynb", nb3)):
        nbformat.write(nb, folder / name)
    (folder / "figura.png").write_bytes(_png_bytes())  # imagem relativa, citada no markdown
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Um único build real (xelatex é lento), com --execute-missing."""
    src = _write_fixtures(tmp_path_factory.mktemp("nbs"))
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    out = tmp_path_factory.mktemp("out") / "entrega.pdf"
    rc = export.main([str(src), "-o", str(out), "--execute-missing",
                      "--author", "Fulana de Tal", "--date", "1 de março de 2026"])
    assert rc == 0
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    return src, before, out, " ".join(text.split())  # espaços/quebras de linha normalizados


def test_pdf_pages_titles_and_text(built):
    from pypdf import PdfReader

    src, _, out, text = built
    reader = PdfReader(out)
    # capa, sumário e três capítulos, cada um começando em página nova
    assert 5 <= len(reader.pages) <= 10
    for title in ("Trabalho de casa 08: K-means e Mixture models", "Fulana de Tal",
                  "1 de março de 2026", "Sumário", "Primeiro caderno",
                  "Segundo caderno: exercícios", "03 sem titulo"):
        assert title in text, title
    assert "Ação" in text
    assert "42" in text  # o notebook sem saídas foi executado
    starts = [i for i, p in enumerate(reader.pages)
              if any(t in (p.extract_text() or "") for t in ("Capítulo 1", "Capítulo 2",
                                                              "Capítulo 3"))]
    assert len(starts) == 3


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


def test_no_ansi_widget_or_tqdm_debris(built):
    _, _, _, text = built
    assert "\x1b" not in text and "[31m" not in text and "[0m" not in text
    assert "vermelho e normal" in text
    assert "interactive(children" not in text and "IntSlider" not in text
    assert "5/5" not in text and "█" not in text


def test_sources_untouched_and_no_leftovers(built):
    src, before, out, _ = built
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["entrega.pdf"]


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


def test_templates_found_in_repo_env_or_wheel_prefix(tmp_path, monkeypatch):
    monkeypatch.delenv("HW08_EXPORT_TEMPLATES", raising=False)
    repo = os.path.dirname(os.path.dirname(os.path.abspath(export.__file__)))
    assert export._find_templates() == export.Path(repo) / "export" / "templates"   # checkout (editável)
    monkeypatch.setenv("HW08_EXPORT_TEMPLATES", str(tmp_path / "meus"))
    assert export._find_templates() == tmp_path / "meus"
    # instalação pelo wheel: o módulo fora do repositório, o modelo em <prefixo>/share/hw08/templates
    monkeypatch.delenv("HW08_EXPORT_TEMPLATES")
    monkeypatch.setattr(export, "__file__", str(tmp_path / "site-packages" / "hw08" / "export.py"))
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "prefixo"))
    shared = tmp_path / "prefixo" / "share" / "hw08" / "templates"
    (shared / "hw08").mkdir(parents=True)
    (shared / "hw08" / "index.tex.j2").write_text("x")
    assert export._find_templates() == shared


def test_wheel_ships_every_template_file():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    root = export.Path(export.__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    shipped = set(config["tool"]["setuptools"]["data-files"]["share/hw08/templates/hw08"])
    on_disk = {p.relative_to(root).as_posix() for p in (root / "export" / "templates" / "hw08").iterdir()}
    assert shipped == on_disk
