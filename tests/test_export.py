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
    _intact(out)
    assert sorted(p.name for p in out.parent.iterdir()) == ["e.pdf"]
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
