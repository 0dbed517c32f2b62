"""Exporta vários notebooks para **um único PDF** que o corretor usa.

Capa (nome e matrícula), sumário, tabela "onde está cada resposta", um capítulo por notebook, uma
questão por página (marcada nos metadados da célula: ``"hw08": {"questoes": [{"questao": ...}]}``) e,
opcionalmente, um apêndice com o código-fonte do hw08. Ao lado do PDF, ``<nome>.json`` com as páginas
de cada questão (as mesmas dos marcadores do PDF).

Uso (instrutores e ``make pdf``)::

    hw08-export PASTA_OU_NOTEBOOKS... -o entrega.pdf [--execute | --execute-missing]
                [--author NOME] [--student-id MATRICULA] [--title T] [--date D]
                [--apendice-codigo hw08/kmeans.py ...] [--timeout S] [--keep-tex]
    hw08-export --turma PASTA -o SAIDA/ [--jobs N]   # um PDF por subpasta-aluno + SAIDA/resumo.csv

Também ``python -m hw08.export``. O caminho é nbconvert (LaTeX) + xelatex, com o modelo LaTeX que vem
dentro do pacote (``hw08/templates/hw08``, lido por ``importlib.resources``); as dependências estão no
extra ``hw08[export]``. Os notebooks do aluno nunca são modificados: a execução (opcional) acontece em
cópias na memória, com o diretório de trabalho na pasta do notebook.
"""

from __future__ import annotations

import argparse
import copy
import csv
import datetime as _dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hw08.export_latex import fix_pdf_bookmarks, html_table_to_latex, pdf_safe_headings

__all__ = ["ExportError", "export_pdf", "export_turma", "main"]

DEFAULT_TITLE = "Trabalho de casa 08: K-means e modelos de mistura"
BLANK_NAME = "Nome: ______________________________"
BLANK_ID = "Matrícula: ________________"
TEMPLATE_NAME = "hw08"
EXTRA_HINT = "instale as dependências do exportador: pip install 'hw08[export]'"


def _find_templates() -> Path:
    """Pasta dos modelos LaTeX: ``$HW08_EXPORT_TEMPLATES``, senão ``hw08/templates`` dentro do pacote
    (``importlib.resources``; o mesmo numa instalação editável ou pelo wheel)."""
    if os.environ.get("HW08_EXPORT_TEMPLATES"):
        return Path(os.environ["HW08_EXPORT_TEMPLATES"])
    from importlib.resources import files

    return Path(str(files("hw08") / "templates"))


def _has_template(folder: Path) -> bool:
    return (folder / TEMPLATE_NAME / "index.tex.j2").is_file()


TEMPLATE_DIR = _find_templates()
APT_LINE = (
    "sudo apt-get install texlive-xetex texlive-fonts-recommended texlive-plain-generic "
    "texlive-lang-portuguese lmodern pandoc"
)
_MONTHS = (
    "janeiro", "fevereiro", "março", "abril", "maio", "junho",
    "julho", "agosto", "setembro", "outubro", "novembro", "dezembro",
)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
_WIDGET = "application/vnd.jupyter.widget-view+json"


class ExportError(RuntimeError):
    """Falha da exportação, com mensagem em português pronta para o usuário."""


def date_ptbr(day: _dt.date | None = None) -> str:
    """Data por extenso em português do Brasil, p. ex. ``'22 de novembro de 2026'``."""
    day = day or _dt.date.today()
    return f"{day.day} de {_MONTHS[day.month - 1]} de {day.year}"


def collect_notebooks(sources) -> list[Path]:
    """Lista os notebooks: pastas viram seus ``*.ipynb`` ordenados pelo nome."""
    paths: list[Path] = []
    for src in sources:
        p = Path(src)
        if p.is_dir():
            found = sorted(
                q for q in p.glob("*.ipynb") if not q.name.startswith((".", "_hw08_"))
            )
            if not found:
                raise ExportError(f"A pasta {p} não contém nenhum notebook (.ipynb).")
            paths.extend(found)
        elif p.is_file() and p.suffix == ".ipynb":
            paths.append(p)
        else:
            raise ExportError(
                f"{p}: não é um notebook (.ipynb) nem uma pasta; passe pastas ou arquivos .ipynb."
            )
    return paths


def needs_execution(nb) -> bool:
    """Verdadeiro se alguma célula de código não vazia não tem saídas nem contador de execução."""
    return any(
        c.cell_type == "code"
        and c.source.strip()
        and not c.get("outputs")
        and c.get("execution_count") is None
        for c in nb.cells
    )


def execute_notebook(nb, path: Path, timeout: int, kernel: str):
    """Executa uma cópia de ``nb`` (cwd = pasta do notebook); erros citam notebook e célula."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = copy.deepcopy(nb)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name=kernel,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    index = -1
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
    except CellExecutionError as exc:
        raise ExportError(
            f"O notebook {path} falhou ao executar a {_cell_label(nb, index)}:\n"
            + (f"{exc.ename}: {_strip_ansi(exc.evalue)}" if getattr(exc, "ename", None)
               else "\n".join(_strip_ansi(str(exc)).strip().splitlines()[-5:]))
        ) from exc
    except (CellTimeoutError, TimeoutError) as exc:
        raise ExportError(
            f"O notebook {path}: a {_cell_label(nb, index)} passou do limite de {timeout} s "
            f"(aumente com --timeout)."
        ) from exc
    except DeadKernelError as exc:
        raise ExportError(f"O notebook {path}: o kernel morreu na {_cell_label(nb, index)}.") from exc
    return nb


def _cell_label(nb, index: int) -> str:
    """'célula 3 (índice 2 no .ipynb), que começa com: ...' para mensagens de erro."""
    first = ""
    if 0 <= index < len(nb.cells):
        lines = [ln for ln in nb.cells[index].source.splitlines() if ln.strip()]
        first = lines[0][:80] if lines else ""
    label = f"célula {index + 1} (índice {index} no .ipynb)"
    return label + (f", que começa com: {first}" if first else "")


def _strip_ansi(text: str) -> str:
    return _ANSI.sub("", text or "")


def _clean_stream(text: str) -> str:
    """Remove ANSI e o 'lixo' de barras de progresso (``\\r``): fica o último estado da linha."""
    text = _strip_ansi(text)
    lines = []
    for line in text.split("\n"):
        if "\r" in line:
            parts = [p for p in line.split("\r") if p.strip()]
            line = parts[-1] if parts else ""
        lines.append(line)
    return "\n".join(lines)


_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_SUBHEAD = re.compile(r"^#(#+\s)", re.MULTILINE)
# ``$$\begin{align}...\end{align}$$``: o MathJax aceita, o LaTeX não (ambiente dentro de \[ \]).
# O ambiente sozinho funciona nos dois, então tiramos os ``$$``.
_ENV_IN_DOLLARS = re.compile(
    r"\$\$\s*(\\begin\{(equation|align|gather|multline|eqnarray|flalign|alignat)(\*?)\}"
    r".*?\\end\{\2\3\})\s*\$\$",
    re.DOTALL,
)


def split_title(nb, path: Path) -> str:
    """Tira o primeiro título ``# `` do notebook (vira o capítulo); senão usa o nome do arquivo."""
    for cell in nb.cells:
        if cell.cell_type != "markdown" or cell.metadata.get("hw08_qbox"):
            continue
        m = _H1.search(cell.source)
        if m:
            cell.source = (cell.source[: m.start()] + cell.source[m.end():]).strip("\n")
            return m.group(1).strip()
        break
    return path.stem.replace("_", " ")


def clean_outputs(nb) -> None:
    """Limpa as saídas para o PDF: sem stderr, sem ANSI, sem widgets sem figura estática; tabelas do
    pandas (``text/html``) ganham uma versão ``text/latex`` (tabela LaTeX de verdade).

    Células de código que só mostravam widgets (nenhuma saída sobra) saem do PDF inteiras."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        kept, had_widget = [], False
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "stream":
                if out.get("name") == "stderr":
                    continue
                out["text"] = _clean_stream(out.get("text", ""))
                if not out["text"].strip():
                    continue
            elif kind in ("display_data", "execute_result"):
                data = out.get("data", {})
                if _WIDGET in data:
                    had_widget = True
                    static = {k: v for k, v in data.items() if k.startswith("image/")}
                    if not static:
                        continue
                    out["data"] = static
                if "text/plain" in out.get("data", {}):
                    out["data"]["text/plain"] = _strip_ansi(out["data"]["text/plain"])
                table = html_table_to_latex(out.get("data", {}).get("text/html"))
                if table:
                    out["data"]["text/latex"] = table
            elif kind == "error":
                out["traceback"] = [_strip_ansi(t) for t in out.get("traceback", [])]
            kept.append(out)
        cell["outputs"] = kept
        cell.source = strip_test_markers(cell.source)
        if had_widget and not kept:
            continue  # célula só-widget: no PDF não há nada para ver
        cells.append(cell)
    nb.cells = cells


_TEST_MARKER = re.compile(r"^[ \t]*#[ \t]*NBVAL_[A-Z_]+[ \t]*(\n|$)", re.MULTILINE)


def strip_test_markers(source: str) -> str:
    """Tira as linhas de marcador do nbval (``# NBVAL_IGNORE_OUTPUT``, ``# NBVAL_SKIP``...)."""
    return _TEST_MARKER.sub("", source)


# ----- questões: uma por página, a partir dos metadados das células -------------------------------

def cell_questions(cell, path: Path, index: int) -> list[dict]:
    """As questões marcadas na célula: ``cell.metadata.hw08.questoes`` (lista de ``{"questao",
    "enunciado"?, "a_partir_de"?}``) ou a forma curta ``cell.metadata.hw08.questao``."""
    meta = cell.get("metadata", {}).get("hw08") or {}
    items = meta.get("questoes")
    if items is None and meta.get("questao"):
        items = [{k: meta[k] for k in ("questao", "enunciado", "a_partir_de") if k in meta}]
    items = items or []
    if not isinstance(items, list) or not all(isinstance(q, dict) and q.get("questao") for q in items):
        raise ExportError(
            f"{path}: a {_cell_label_short(index)} tem metadados hw08 inválidos; use "
            '"hw08": {"questoes": [{"questao": "Exercício prático 1", "enunciado": "..."}]}.'
        )
    return items


def _cell_label_short(index: int) -> str:
    return f"célula {index + 1} (índice {index} no .ipynb)"


def split_questions(nb, path: Path) -> list:
    """Devolve as células com uma célula-caixa (``hw08_qbox``) antes de cada questão marcada; uma
    questão com ``a_partir_de`` começa na linha da célula de texto que começa com esse texto (a
    célula é dividida ali, só na cópia do PDF)."""
    import nbformat

    out = []
    for index, cell in enumerate(nb.cells):
        questions = cell_questions(cell, path, index)
        if not questions:
            out.append(cell)
            continue
        pieces = [(None, cell.source)]
        for q in questions:
            start = q.get("a_partir_de")
            if not start:
                if pieces[0][0] is not None:
                    raise ExportError(f"{path}: duas questões começam no início da "
                                      f"{_cell_label_short(index)}; use \"a_partir_de\" na segunda.")
                pieces[0] = (q, pieces[0][1])
                continue
            if cell.cell_type != "markdown":
                raise ExportError(f"{path}: \"a_partir_de\" só vale em células de texto "
                                  f"({_cell_label_short(index)}).")
            last_q, text = pieces[-1]
            lines = text.split("\n")
            at = next((i for i, ln in enumerate(lines) if ln.startswith(start)), None)
            if at is None:
                raise ExportError(f"{path}: a {_cell_label_short(index)} não tem uma linha que comece "
                                  f"com {start!r} (\"a_partir_de\" da questão {q['questao']!r}).")
            pieces[-1] = (last_q, "\n".join(lines[:at]))
            pieces.append((q, "\n".join(lines[at:])))
        for k, (q, text) in enumerate(pieces):
            if q is not None:
                box = nbformat.v4.new_markdown_cell(q.get("enunciado") or "")
                box.metadata["hw08_qbox"] = {"questao": q["questao"]}
                out.append(box)
            if k == 0 and len(pieces) == 1:
                part = cell
            else:
                part = copy.deepcopy(cell)
                part.source = text
                part.pop("id", None)
            if part.cell_type != "markdown" or part.source.strip():
                out.append(part)
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def merge_notebooks(paths, *, execute: str = "none", timeout: int = 600, kernel: str = "python3"):
    """Funde os notebooks num só (ids únicos, um capítulo por notebook, caixas das questões).

    As questões (``hw08_qbox``) ganham ``index`` (1, 2, ...) e ``nova_pagina``; a célula que abre a
    próxima questão ou o próximo capítulo leva ``hw08_qclose`` (a questão anterior termina na página
    antes dela). ``merged.metadata.hw08_export`` recebe ``questoes`` e ``abertas``.
    """
    import nbformat

    merged = None
    seen: set[str] = set()
    questions: list[dict] = []
    open_q: list[int] = []
    for k, path in enumerate(paths):
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as exc:  # noqa: BLE001 - json/validação: mensagem clara
            raise ExportError(f"Não consegui ler o notebook {path}: {exc}") from exc
        if execute == "all" or (execute == "missing" and needs_execution(nb)):
            print(f"hw08-export: executando {path} ...", file=sys.stderr, flush=True)
            nb = execute_notebook(nb, path, timeout, kernel)
        nb.cells = split_questions(nb, path)  # antes de tudo: "a_partir_de" cita o texto original
        clean_outputs(nb)
        title = split_title(nb, path)
        for cell in nb.cells:
            if cell.cell_type == "markdown":  # ``## `` vira seção do capítulo do notebook
                cell.source = _SUBHEAD.sub(r"\1", cell.source)
                cell.source = _ENV_IN_DOLLARS.sub(r"\1", cell.source)
                cell.source = pdf_safe_headings(cell.source)
        cells = [c for c in nb.cells
                 if c.metadata.get("hw08_qbox") or not (c.cell_type == "markdown"
                                                       and not c.source.strip())]
        marker = nbformat.v4.new_raw_cell("")
        marker.metadata["hw08_chapter"] = title
        # cabeçalho: título curto, para não encostar no nome do aluno
        marker.metadata["hw08_mark"] = title if len(title) <= 48 else title[:46].rstrip(" ,:;—-") + "…"
        marker.metadata["hw08_qclose"], open_q = open_q, []
        cells.insert(0, marker)
        for i, cell in enumerate(cells):
            box = cell.metadata.get("hw08_qbox")
            if box is not None:
                box["index"] = len(questions) + 1
                box["nova_pagina"] = i > 1  # logo depois do título do capítulo: já é página nova
                if box["nova_pagina"]:
                    cell.metadata["hw08_qclose"], open_q = open_q, []
                open_q.append(box["index"])
                questions.append({"index": box["index"], "questao": box["questao"],
                                  "notebook": path.name})
            cid = cell.get("id") or f"c{i}"
            while cid in seen:
                cid = f"nb{k}-{cid}"[:64]
            seen.add(cid)
            cell["id"] = cid
        if merged is None:
            merged = nbformat.v4.new_notebook(metadata=copy.deepcopy(nb.metadata))
        merged.cells.extend(cells)
    merged.metadata["hw08_export"] = {"questoes": questions, "abertas": open_q}
    return merged


def _latex_failure(stdout: str, build: Path, keep_dir: Path) -> str:
    """Mensagem do erro do xelatex: linhas de erro, o trecho do .tex e onde está o log."""
    errors = [ln.replace(str(build), str(keep_dir)) for ln in stdout.splitlines()
              if ln.startswith("!") or re.search(r"\.tex:\d+:", ln)]
    msg = "O xelatex falhou ao compilar o PDF.\n" + "\n".join(errors[:4])
    m = re.search(r"hw08\.tex:(\d+):", stdout)
    if m:
        tex = (keep_dir / "hw08.tex").read_text(encoding="utf-8", errors="replace").splitlines()
        line = int(m.group(1))
        snippet = "\n".join(f"    {i + 1}: {tex[i][:120]}"
                            for i in range(max(0, line - 3), min(len(tex), line + 1)))
        msg += f"\nTrecho do LaTeX gerado ({keep_dir / 'hw08.tex'}):\n{snippet}"
    return msg + f"\nVeja o log completo em {keep_dir / 'hw08.log'}"


def _run_xelatex(build: Path, texinputs: list[Path]) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["max_print_line"] = "1000"  # mensagens de erro sem quebra em 79 colunas
    env["TEXINPUTS"] = os.pathsep.join([str(build)] + [str(p) for p in texinputs]) + os.pathsep
    cmd = ["xelatex", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
           "hw08.tex"]
    return subprocess.run(cmd, cwd=build, env=env, capture_output=True, text=True,
                          errors="replace")


def _versions() -> dict:
    """Versões de hw08, torch e nbconvert instaladas (sem importar o torch)."""
    from importlib import metadata

    out = {}
    for name in ("hw08", "torch", "nbconvert"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "ausente"
    if out["hw08"] == "ausente":
        from hw08 import __version__

        out["hw08"] = __version__
    return out


def cover_info(author=None, student_id=None) -> dict:
    """Linhas da capa e do cabeçalho. Sem nome/matrícula, linhas em branco para preencher: nada é
    adivinhado (nem do ``git config``, que daria o nome de quem gerou o PDF, não do aluno)."""
    author = (author or "").strip()
    student_id = (student_id or "").strip()
    return {
        "author": author,
        "author_line": author or BLANK_NAME,
        "id_line": f"Matrícula: {student_id}" if student_id else BLANK_ID,
        "header": (author or BLANK_NAME) + (f" — matrícula {student_id}" if student_id else ""),
    }


def _appendix_files(files) -> list[Path]:
    """Arquivos do apêndice: relativos à pasta atual ou à raiz do pacote (``hw08/kmeans.py``)."""
    root = Path(__file__).resolve().parents[1]
    found = []
    for name in files:
        p = Path(name)
        for cand in (p, root / p):
            if cand.is_file():
                found.append(cand)
                break
        else:
            raise ExportError(f"--apendice-codigo: não encontrei o arquivo {name}.")
    return found


def _read_question_pages(aux: str, n: int) -> list[tuple[int, int]]:
    """Páginas (primeira, última) de cada questão, lidas das etiquetas zref do ``.aux``."""
    labels = {}
    for m in re.finditer(r"\\zref@newlabel\{hwq:(\d+):(ini|prox|fim)\}\{(.*)\}", aux):
        page = re.search(r"\\abspage\{(\d+)\}", m.group(3))
        if page:
            labels[(int(m.group(1)), m.group(2))] = int(page.group(1))
    pages = []
    for i in range(1, n + 1):
        first = labels.get((i, "ini"))
        last = labels[(i, "prox")] - 1 if (i, "prox") in labels else labels.get((i, "fim"))
        if first is None or last is None or last < first or (pages and first <= pages[-1][1]):
            raise ExportError(f"Não consegui determinar as páginas da questão {i} (etiquetas do LaTeX "
                              "ausentes ou fora de ordem); rode de novo com --keep-tex e veja o .aux.")
        pages.append((first, last))
    return pages


def _finish_pdf(pdf: Path, answers: list[dict], provenance: dict) -> int:
    """Marcadores 'Onde está cada resposta' e proveniência nos metadados (pypdf); devolve o nº de
    páginas."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(pdf)
    writer = PdfWriter(clone_from=reader)
    if answers:
        parent = writer.add_outline_item(title="Questões (páginas do PDF)",
                                         page_number=answers[0]["primeira_pagina"] - 1)
        for a in answers:
            span = (f"p. {a['primeira_pagina']}" if a["primeira_pagina"] == a["ultima_pagina"]
                    else f"p. {a['primeira_pagina']}–{a['ultima_pagina']}")
            writer.add_outline_item(title=f"{a['questao']} ({span})",
                                    page_number=a["primeira_pagina"] - 1, parent=parent)
    meta = {k: str(v) for k, v in (reader.metadata or {}).items()}
    meta.update({f"/Hw08{k}": v for k, v in provenance.items()})
    writer.add_metadata(meta)
    tmp = pdf.with_name(pdf.stem + ".pos.pdf")
    with open(tmp, "wb") as fh:
        writer.write(fh)
    os.replace(tmp, pdf)
    return len(reader.pages)


def _aux_state(build: Path) -> bytes:
    return b"".join((build / f"hw08.{ext}").read_bytes() if (build / f"hw08.{ext}").exists() else b"-"
                    for ext in ("aux", "toc", "out"))


MAX_XELATEX_RUNS = 6


def export_pdf(sources, output, *, title=DEFAULT_TITLE, author=None, student_id=None, date=None,
               execute: str = "none", timeout: int = 600, kernel: str = "python3",
               keep_tex: bool = False, appendix=()) -> Path:
    """Gera ``output`` (PDF) e ``output`` com ``.json`` (questão -> páginas); escrita atômica.

    Parameters
    ----------
    sources : list of str or Path
        Pastas (todos os ``*.ipynb``, pela ordem do nome) e/ou arquivos ``.ipynb``.
    output : str or Path
        Caminho do PDF; o mapa das questões vai para o mesmo caminho com ``.json``.
    author, student_id : str, optional
        Nome e matrícula na capa, no cabeçalho e nos metadados. Sem eles a capa traz linhas em
        branco (``Nome: ____``); nada é adivinhado (nem do ``git config``).
    execute : {'none', 'missing', 'all'}
        Executar nenhum, só os notebooks com células de código sem saídas, ou todos (em cópia).
    keep_tex : bool
        Guarda ``.tex``, figuras e ``.log`` em ``<pasta da saída>/_build/<nome>/`` (também
        feito, sempre, quando o xelatex falha).
    appendix : sequence of str
        Arquivos de código (p. ex. ``hw08/kmeans.py``) impressos num apêndice.

    Raises
    ------
    ExportError
        Com mensagem em português; nenhum PDF (novo ou antigo) fica no caminho de saída.
    """
    output = Path(output)
    json_out = output.with_suffix(".json")
    if output.suffix.lower() != ".pdf" or output.is_dir():
        raise ExportError(f"A saída {output} deve ser um arquivo .pdf (use -o entrega.pdf).")
    templates = _find_templates()
    if not _has_template(templates):
        raise ExportError(
            f"Não encontrei o modelo LaTeX em {templates / TEMPLATE_NAME}; reinstale o hw08 "
            "(pip install -e '.[export]' no repositório, ou pip install 'hw08[export]') "
            "ou aponte HW08_EXPORT_TEMPLATES para uma pasta com o modelo hw08."
        )
    for stale in (output, json_out):
        if stale.exists():
            stale.unlink()  # nunca deixar um PDF/mapa antigo passar por resultado desta execução
    for tool, what in (("xelatex", "o xelatex (TeX Live)"), ("pandoc", "o pandoc")):
        if shutil.which(tool) is None:
            raise ExportError(
                f"Não encontrei {what} no PATH; ele é necessário para gerar o PDF.\n"
                f"Instale com:\n    {APT_LINE}"
            )
    try:
        import nbconvert  # noqa: F401
        import pypdf  # noqa: F401
    except ImportError as exc:
        raise ExportError(f"Falta o pacote {exc.name}; {EXTRA_HINT}.") from exc
    paths = collect_notebooks(sources)
    extra = _appendix_files(appendix)
    nb = merge_notebooks(paths, execute=execute, timeout=timeout, kernel=kernel)
    if not nb.metadata["hw08_export"]["questoes"]:
        print("hw08-export: aviso: nenhuma célula marcada como questão (metadados "
              '"hw08": {"questoes": [...]}); o mapa .json sai vazio.', file=sys.stderr)
    versions = _versions()
    hashes = "; ".join(f"{p.name} sha256={_sha256(p)}" for p in paths)
    info = nb.metadata["hw08_export"]
    info.update(cover_info(author, student_id))
    info.update({
        "title": title or DEFAULT_TITLE,
        "date": date or date_ptbr(),
        "subject": "; ".join(f"{k} {v}" for k, v in versions.items()),
        "keywords": ", ".join(p.name for p in paths),
        "json_name": json_out.name,
        "apendice": [{"nome": f"{p.parent.name}/{p.name}", "arquivo": f"apendice{k}{p.suffix}"}
                     for k, p in enumerate(extra)],
    })
    provenance = {"Notebooks": hashes,
                  "Versoes": "; ".join(f"{k}={v}" for k, v in versions.items()),
                  "Aluno": author or "", "Matricula": student_id or ""}

    from nbconvert.exporters import LatexExporter
    from traitlets.config import Config

    cfg = Config()
    cfg.TemplateExporter.extra_template_basedirs = [str(templates)]
    exporter = LatexExporter(config=cfg, template_name=TEMPLATE_NAME)
    body, resources = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": "hw08", "path": str(paths[0].parent)}}
    )
    body = fix_pdf_bookmarks(body)

    output.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix="hw08-export-"))
    keep_dir = output.parent / "_build" / output.stem  # export/_build/ já é ignorado e limpo
    ok = False
    try:
        (build / "hw08.tex").write_text(body, encoding="utf-8")
        for name, data in resources.get("outputs", {}).items():
            (build / name).parent.mkdir(parents=True, exist_ok=True)
            (build / name).write_bytes(data)
        for k, p in enumerate(extra):
            shutil.copyfile(p, build / info["apendice"][k]["arquivo"])
        texinputs = sorted({p.parent.resolve() for p in paths})
        # até o .aux/.toc pararem de mudar: o sumário, a tabela de respostas e o "de N" do rodapé
        # usam números da passada anterior (com 2 passadas fixas o sumário saía uma página adiantado)
        state = None
        for run in range(MAX_XELATEX_RUNS):
            proc = _run_xelatex(build, texinputs)
            if proc.returncode != 0 or not (build / "hw08.pdf").exists():
                shutil.rmtree(keep_dir, ignore_errors=True)
                shutil.copytree(build, keep_dir)
                raise ExportError(_latex_failure(proc.stdout, build, keep_dir))
            state, previous = _aux_state(build), state
            if state == previous:
                break
        else:
            raise ExportError(f"O sumário não estabilizou em {MAX_XELATEX_RUNS} passadas do xelatex.")
        aux = (build / "hw08.aux").read_text(encoding="utf-8", errors="replace")
        pages = _read_question_pages(aux, len(info["questoes"]))
        answers = [{"questao": q["questao"], "primeira_pagina": a, "ultima_pagina": b}
                   for q, (a, b) in zip(info["questoes"], pages)]
        _finish_pdf(build / "hw08.pdf", answers, provenance)
        (build / "hw08.json").write_text(json.dumps(answers, ensure_ascii=False, indent=1) + "\n",
                                         encoding="utf-8")
        for src, dst in ((build / "hw08.json", json_out), (build / "hw08.pdf", output)):
            tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
            shutil.copyfile(src, tmp)
            os.replace(tmp, dst)
        ok = True
        shutil.rmtree(keep_dir, ignore_errors=True)  # log de uma falha antiga não fica
        if keep_tex:
            shutil.copytree(build, keep_dir)
    finally:
        shutil.rmtree(build, ignore_errors=True)
        if not ok:
            for path in (output, json_out):
                if path.exists():
                    path.unlink()
    return output


def export_turma(folder, outdir, *, jobs: int = 2, extra_args=()) -> int:
    """Exporta cada subpasta de ``folder`` (um aluno) para ``outdir/<aluno>.pdf``, em paralelo.

    Cada aluno roda num processo à parte (``python -m hw08.export``), com ``--author`` igual ao nome
    da subpasta; a falha de um não afeta os outros. Escreve ``outdir/resumo.csv`` (aluno, status,
    paginas, mensagem) e devolve quantos falharam.
    """
    from concurrent.futures import ThreadPoolExecutor

    folder, outdir = Path(folder), Path(outdir)
    if not folder.is_dir():
        raise ExportError(f"--turma {folder}: não é uma pasta (uma subpasta por aluno).")
    if outdir.suffix.lower() == ".pdf" or (outdir.exists() and not outdir.is_dir()):
        raise ExportError(f"Com --turma, -o deve ser uma pasta (recebi {outdir}).")
    students = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    if not students:
        raise ExportError(f"A pasta {folder} não tem subpastas de alunos.")
    outdir.mkdir(parents=True, exist_ok=True)

    def one(student: Path):
        pdf = outdir / f"{student.name}.pdf"
        cmd = [sys.executable, "-m", "hw08.export", str(student), "-o", str(pdf),
               "--author", student.name, *extra_args]
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                              env={**os.environ, "PYTHONIOENCODING": "utf-8"})
        if proc.returncode == 0 and pdf.exists():
            from pypdf import PdfReader

            return student.name, "ok", len(PdfReader(pdf).pages), ""
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        msg = next((ln for ln in lines if ln.startswith("hw08-export: erro:")), lines[-1] if lines else "")
        msg = msg.replace("hw08-export: erro: ", "")
        return student.name, "erro", "", msg

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        rows = list(pool.map(one, students))
    tmp = outdir / f".resumo.csv.{os.getpid()}.tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["aluno", "status", "paginas", "mensagem"])
        w.writerows(rows)
    os.replace(tmp, outdir / "resumo.csv")
    failed = [r for r in rows if r[1] != "ok"]
    for name, _, _, msg in failed:
        print(f"hw08-export: {name}: {msg}", file=sys.stderr)
    print(f"hw08-export: {len(rows) - len(failed)} de {len(rows)} PDFs em {outdir} "
          f"(resumo em {outdir / 'resumo.csv'})")
    return len(failed)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hw08-export",
        description="Junta notebooks num único PDF (capa, sumário, uma questão por página) e "
                    "escreve ao lado o mapa questão -> páginas (.json).",
    )
    p.add_argument("sources", nargs="*", help="pasta(s) de notebooks e/ou arquivos .ipynb")
    p.add_argument("-o", "--output", default="entrega.pdf",
                   help="PDF de saída (entrega.pdf); com --turma, a pasta de saída")
    p.add_argument("--turma", metavar="PASTA", default=None,
                   help="exporta cada subpasta de PASTA (um aluno) para SAIDA/<aluno>.pdf + resumo.csv")
    p.add_argument("--jobs", type=int, default=2, help="com --turma: alunos em paralelo (2)")
    p.add_argument("--title", default=DEFAULT_TITLE, help="título da capa")
    p.add_argument("--author", default=None, help="nome do aluno (sem ele: 'Nome: ____' na capa)")
    p.add_argument("--student-id", default=None, help="matrícula do aluno")
    p.add_argument("--date", default=None, help="data da capa (padrão: hoje, em pt-BR)")
    p.add_argument("--apendice-codigo", nargs="+", default=[], metavar="ARQUIVO",
                   help="arquivos de código impressos num apêndice (ex.: hw08/kmeans.py)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--execute", action="store_true",
                   help="reexecuta todos os notebooks (em cópia; os arquivos não mudam)")
    g.add_argument("--execute-missing", action="store_true",
                   help="executa só os notebooks com células de código sem saída")
    p.add_argument("--timeout", type=int, default=600, help="limite por célula, em s (600)")
    p.add_argument("--kernel", default="python3", help="kernel para executar (python3)")
    p.add_argument("--keep-tex", action="store_true",
                   help="guarda .tex, figuras e .log em <pasta da saída>/_build/<nome>/")
    return p


def _turma_args(args) -> list[str]:
    """Opções repassadas a cada aluno no modo --turma."""
    out = ["--title", args.title, "--timeout", str(args.timeout), "--kernel", args.kernel]
    if args.date:
        out += ["--date", args.date]
    if args.execute:
        out.append("--execute")
    elif args.execute_missing:
        out.append("--execute-missing")
    if args.apendice_codigo:
        out += ["--apendice-codigo", *[str(Path(a).resolve()) if Path(a).exists() else a
                                       for a in args.apendice_codigo]]
    return out


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    execute = "all" if args.execute else "missing" if args.execute_missing else "none"
    try:
        if args.turma:
            if args.sources:
                raise ExportError("Com --turma não passe notebooks: cada subpasta da turma é um aluno.")
            failed = export_turma(args.turma, args.output, jobs=args.jobs, extra_args=_turma_args(args))
            return 1 if failed else 0
        if not args.sources:
            raise ExportError("Passe notebooks ou pastas (ou --turma PASTA); veja hw08-export --help.")
        out = export_pdf(
            args.sources, args.output, title=args.title, author=args.author,
            student_id=args.student_id, date=args.date, execute=execute, timeout=args.timeout,
            kernel=args.kernel, keep_tex=args.keep_tex, appendix=args.apendice_codigo,
        )
    except ExportError as exc:
        print(f"hw08-export: erro: {exc}", file=sys.stderr)
        return 1
    print(f"hw08-export: PDF escrito em {out} (páginas das questões em {out.with_suffix('.json')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
