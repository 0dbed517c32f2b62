"""Exporta vários notebooks para **um único PDF** que o corretor usa.

Capa (nome e matrícula), sumário, tabela "onde está cada resposta", um capítulo por notebook, uma
questão por página (marcada nos metadados da célula: ``"hw08": {"questoes": [{"questao": ...}]}``;
cada uma termina no fim da sua seção, ver :func:`end_questions_at_sections`) e, opcionalmente, um
apêndice com o código-fonte do hw08. Ao lado do PDF, ``<nome>.json`` com as páginas de cada questão
(as mesmas dos marcadores do PDF).

Uso (instrutores e ``make pdf``)::

    hw08-export PASTA_OU_NOTEBOOKS... -o entrega.pdf [--execute | --execute-missing]
                [--author NOME] [--student-id MATRICULA] [--title T] [--date D]
                [--apendice-codigo hw08/kmeans.py ...] [--timeout S] [--keep-tex] [--debug]
    hw08-export --turma PASTA -o SAIDA/ [--jobs N]   # um PDF por subpasta-aluno + SAIDA/resumo.csv

Também ``python -m hw08.export``. O caminho é nbconvert (LaTeX) + xelatex, com o modelo LaTeX que vem
dentro do pacote (``hw08/templates/hw08``, lido por ``importlib.resources``); as dependências estão no
extra ``hw08[export]``. Os notebooks do aluno nunca são modificados: a execução (opcional) acontece em
cópias na memória, com o diretório de trabalho na pasta do notebook.

Nada se perde: o PDF e o ``.json`` de saída só são substituídos quando os dois novos estão completos
(temporários na mesma pasta + ``os.replace``, ver :mod:`hw08._safeio`); um erro, Ctrl-C ou SIGTERM
deixa os anteriores intactos e apaga temporários e o xelatex em andamento. Erros viram mensagens em
português, sem traceback (``--debug`` mostra o traceback); um erro do LaTeX aponta o notebook e a
célula.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import csv
import datetime as _dt
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from ._safeio import UserError, atomic_path, describe_os_error, make_temp_dir, run_cli
from .export_latex import (fix_pdf_bookmarks, html_table_to_latex, pdf_safe_headings,
                           table_warnings)

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


class ExportError(UserError):
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
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    from ._nbexec import notebook_client

    nb = copy.deepcopy(nb)
    client = notebook_client(
        nb, timeout=timeout, kernel_name=kernel,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    index = -1
    _check_kernel(kernel)
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


def _check_kernel(kernel: str) -> None:
    """Erro claro (com os kernels instalados) se ``kernel`` não existe."""
    from jupyter_client.kernelspec import KernelSpecManager

    installed = sorted(KernelSpecManager().find_kernel_specs())
    if kernel not in installed:
        raise ExportError(
            f"O kernel {kernel!r} não existe. Kernels instalados: {', '.join(installed) or 'nenhum'}. "
            "Use --kernel NOME (a lista completa: jupyter kernelspec list)."
        )


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

_QUESTION_KEYS = ("questao", "enunciado", "a_partir_de", "termina_antes_de")


def cell_questions(cell, path: Path, index: int) -> list[dict]:
    """As questões marcadas na célula: ``cell.metadata.hw08.questoes`` (lista de ``{"questao",
    "enunciado"?, "a_partir_de"?, "termina_antes_de"?}``) ou a forma curta
    ``cell.metadata.hw08.questao``."""
    meta = cell.get("metadata", {}).get("hw08") or {}
    items = meta.get("questoes")
    if items is None and meta.get("questao"):
        items = [{k: meta[k] for k in _QUESTION_KEYS if k in meta}]
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
                # para end_questions_at_sections: onde a questão termina
                box.metadata["hw08_qstart"] = {
                    "nivel": _heading_level(text.lstrip("\n").split("\n", 1)[0])
                    if cell.cell_type == "markdown" else None,
                    "celula": index, "termina_antes_de": q.get("termina_antes_de")}
                if "hw08_source" in cell.metadata:  # um erro no enunciado aponta a célula marcada
                    box.metadata["hw08_source"] = list(cell.metadata["hw08_source"])
                out.append(box)
            if k == 0 and len(pieces) == 1:
                part = cell
            else:
                part = copy.deepcopy(cell)
                part.source = text
                part.pop("id", None)
            part.metadata["hw08_qcell"] = index  # os títulos da célula marcada são da questão
            if part.cell_type != "markdown" or part.source.strip():
                out.append(part)
    return out


_HEADING = re.compile(r"^(#{1,6})[ \t]")


def _heading_level(line: str) -> int | None:
    """Nível de um título markdown ``## ...`` (2), ou ``None`` se a linha não é um título."""
    m = _HEADING.match(line)
    return len(m.group(1)) if m else None


def end_questions_at_sections(cells, path: Path) -> list:
    """Marca onde cada questão termina quando ela não vai até a próxima questão ou capítulo.

    Uma questão cujo texto começa num título de nível ``n`` (``## (d) ...``: 2) termina antes do
    próximo título de nível ``n`` ou menor (``## Conclusão``) que não esteja na própria célula
    marcada (os títulos dela, como ``### No MNIST binarizado`` dentro da Questão 3, são da questão);
    sem título no começo, vale o nível da seção onde ela está. Com ``"termina_antes_de": "texto"``
    nos metadados, ela termina antes da primeira linha de texto que começa com ``texto`` (e os
    títulos não contam). A célula onde a questão termina leva ``hw08_qend`` (é dividida na linha,
    só na cópia do PDF); a próxima questão e o fim do capítulo continuam fechando as abertas.
    """
    out = []
    queue = list(cells)
    current = None  # a questão aberta: {"questao", "nivel", "celula", "termina_antes_de"}
    section = 1  # nível da seção atual (o título do notebook é o nível 1)

    def check_stop_found():
        if current and current["termina_antes_de"]:
            raise ExportError(
                f"{path}: nenhuma linha de texto depois da questão {current['questao']!r} começa com "
                f"{current['termina_antes_de']!r} (\"termina_antes_de\" nos metadados hw08); corrija "
                "o texto ou tire a chave (a questão termina no próximo título do mesmo nível).")

    while queue:
        cell = queue.pop(0)
        start = cell.metadata.pop("hw08_qstart", None)
        if start is not None:
            check_stop_found()
            current = {"questao": cell.metadata["hw08_qbox"]["questao"],
                       "nivel": start["nivel"] or section, "celula": start["celula"],
                       "termina_antes_de": start["termina_antes_de"], "primeira": True}
            out.append(cell)
            continue
        first_piece = current is not None and current.pop("primeira", False)
        if cell.cell_type != "markdown" or cell.metadata.get("hw08_qbox"):
            out.append(cell)
            continue
        own_cell = current is not None and cell.metadata.get("hw08_qcell") == current["celula"]
        lines = cell.source.split("\n")
        fence, cut = None, None
        for i, line in enumerate(lines):
            stripped = line.lstrip()
            if fence:
                fence = None if stripped.startswith(fence) else fence
                continue
            if stripped.startswith(("```", "~~~")):
                fence = stripped[:3]
                continue
            level = _heading_level(line)
            if current is not None and not (first_piece and i == 0):
                stop = current["termina_antes_de"]
                if (line.startswith(stop) if stop
                        else level is not None and level <= current["nivel"] and not own_cell):
                    cut = i
                    break
            if level is not None:
                section = level
        if cut is None:
            out.append(cell)
            continue
        current = None
        if cut > 0:
            rest = copy.deepcopy(cell)
            rest.pop("id", None)
            rest.source = "\n".join(lines[cut:])
            cell.source = "\n".join(lines[:cut])
            out.append(cell)
            cell = rest
        cell.metadata["hw08_qend"] = True
        cell.metadata.pop("hw08_qcell", None)
        queue.insert(0, cell)  # o resto da célula ainda conta para o nível das seções
    check_stop_found()
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def merge_notebooks(paths, *, execute: str = "none", timeout: int = 600, kernel: str = "python3"):
    """Funde os notebooks num só (ids únicos, um capítulo por notebook, caixas das questões).

    As questões (``hw08_qbox``) ganham ``index`` (1, 2, ...) e ``nova_pagina``; a célula que abre a
    próxima questão ou o próximo capítulo leva ``hw08_qclose`` (a questão anterior termina na página
    antes dela); a que abre uma seção que não é da questão (:func:`end_questions_at_sections`) leva
    ``hw08_qend`` (a questão termina na página onde essa seção começa, antes do título).
    ``merged.metadata.hw08_export`` recebe ``questoes`` e ``abertas``.
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
        for i, cell in enumerate(nb.cells):  # origem de cada célula, para apontar erros do LaTeX
            cell.metadata["hw08_source"] = [str(path), i]
        nb.cells = split_questions(nb, path)  # antes de tudo: "a_partir_de" cita o texto original
        nb.cells = end_questions_at_sections(nb.cells, path)
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
        marker.metadata["hw08_mark"] = title if len(title) <= 36 else title[:34].rstrip(" ,:;—-") + "…"
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
            elif cell.metadata.get("hw08_qend"):  # fim da seção da questão (não é questão)
                cell.metadata["hw08_qend"], open_q = open_q, []
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


_ORIGIN = "% hw08-origem "


def _mark_origins(nb):
    """Cópia de ``nb`` com um comentário LaTeX ``% hw08-origem N`` antes de cada célula.

    Devolve ``(nb_marcado, origens)``: ``origens[N]`` é ``(notebook, índice, célula)``. Um erro
    do xelatex na linha L do .tex é atribuído ao último marcador antes de L.
    """
    import nbformat

    marked = copy.copy(nb)
    marked.cells = []
    origins = []
    for cell in nb.cells:
        src = cell.get("metadata", {}).get("hw08_source")
        if src:
            mark = nbformat.v4.new_raw_cell(f"{_ORIGIN}{len(origins)}")
            mark.metadata["raw_mimetype"] = "text/latex"
            mark["id"] = f"hw08-origem-{len(origins)}"
            origins.append((src[0], int(src[1]), cell))
            marked.cells.append(mark)
        marked.cells.append(cell)
    return marked, origins


def _origin_of_line(tex_lines, line: int, origins) -> str:
    """'notebook X, célula N (...)' para a linha ``line`` (1-based) do .tex, ou o preâmbulo."""
    for i in range(min(line, len(tex_lines)) - 1, -1, -1):
        if tex_lines[i].startswith(_ORIGIN):
            try:
                path, index, cell = origins[int(tex_lines[i][len(_ORIGIN):].split()[0])]
            except (ValueError, IndexError):
                break
            box = cell.get("metadata", {}).get("hw08_qbox")
            if box:
                return (f"no enunciado da questão {box['questao']!r} (metadados \"hw08\" da célula "
                        f"{index + 1}, índice {index} no .ipynb) do notebook {path}")
            lines = [ln for ln in cell.get("source", "").splitlines() if ln.strip()]
            first = f", que começa com: {lines[0][:80]}" if lines else ""
            kind = "markdown" if cell.cell_type == "markdown" else "de código (entrada ou saída)"
            return f"no notebook {path}, célula {index + 1} {kind} (índice {index} no .ipynb){first}"
    return "no preâmbulo/capa (modelo LaTeX, título, autor ou data), antes da primeira célula"


def _error_line(stdout: str, tex_lines) -> int | None:
    """Linha (1-based) do .tex onde está o erro: ``hw08.tex:N:``, ``l.N`` ou, num argumento
    que correu até o fim do arquivo ('Runaway argument?'), a linha onde o argumento começa."""
    m = re.search(r"hw08\.tex:(\d+):", stdout) or re.search(r"^l\.(\d+)", stdout, re.MULTILINE)
    if m:
        return int(m.group(1))
    m = re.search(r"Runaway argument\?\n(.*)", stdout)
    if m:
        start = m.group(1).split("\\par")[0].strip()
        for size in (40, 20, 10, 5):
            needle = start[:size].strip()
            hits = [i + 1 for i, text in enumerate(tex_lines) if needle and needle in text]
            if len(hits) == 1 or (hits and size == 5):
                return hits[0]
    return None


def _latex_failure(stdout: str, build: Path, keep_dir: Path, origins=()) -> str:
    """Mensagem do erro do xelatex: de que notebook e célula vem, linhas de erro, trecho e log."""
    errors = [ln.replace(str(build), str(keep_dir)) for ln in stdout.splitlines()
              if ln.startswith("!") or re.search(r"\.tex:\d+:", ln)]
    msg = "O xelatex falhou ao compilar o PDF.\n"
    tex = []
    with contextlib.suppress(OSError):
        tex = (keep_dir / "hw08.tex").read_text(encoding="utf-8", errors="replace").splitlines()
    line = _error_line(stdout, tex)
    if line:
        msg += f"O erro está {_origin_of_line(tex, line, origins)}\n"
    else:
        msg += "Não consegui localizar a célula do erro; veja o log abaixo.\n"
    msg += "\n".join(errors[:4])
    if line and tex:
        snippet = "\n".join(f"    {i + 1}: {tex[i][:120]}"
                            for i in range(max(0, line - 3), min(len(tex), line + 1)))
        msg += f"\nTrecho do LaTeX gerado ({keep_dir / 'hw08.tex'}):\n{snippet}"
    return msg + f"\nVeja o log completo em {keep_dir / 'hw08.log'}"


def _run_xelatex(build: Path, texinputs: list[Path]) -> subprocess.CompletedProcess:
    """Uma passada do xelatex, num grupo de processos próprio: em qualquer exceção (Ctrl-C,
    SIGTERM convertido por :func:`hw08._safeio.signals_as_exceptions`) o grupo inteiro é morto."""
    env = dict(os.environ)
    env["max_print_line"] = "1000"  # mensagens de erro sem quebra em 79 colunas
    env["TEXINPUTS"] = os.pathsep.join([str(build)] + [str(p) for p in texinputs]) + os.pathsep
    cmd = ["xelatex", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
           "hw08.tex"]
    proc = subprocess.Popen(cmd, cwd=build, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                            errors="replace", start_new_session=True)
    try:
        stdout, _ = proc.communicate()
    except BaseException:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # o xelatex e o que ele tiver lançado
        except (OSError, AttributeError):  # AttributeError: sem killpg (Windows)
            proc.kill()
        proc.wait()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, "")


# ----- caracteres sem glifo: fonte de reserva ou falha alta --------------------------------

_MISSING = re.compile(r"Missing character: There is no .*? \((?:U\+|\")([0-9A-Fa-f]+)\)")
#: Fontes de reserva, em ordem de preferência (pacotes Debian: fonts-dejavu, fonts-noto-core,
#: fonts-noto-cjk, fonts-symbola). Fontes coloridas (Noto Color Emoji) o xelatex não desenha.
FALLBACK_FONTS = (
    "DejaVu Sans", "Noto Sans", "Noto Sans Math", "Noto Sans Symbols", "Noto Sans Symbols2",
    "Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Naskh Arabic", "Noto Sans Arabic",
    "Noto Sans Hebrew", "Noto Sans Devanagari", "Noto Sans Thai", "Symbola", "FreeSerif",
)
FONT_PACKAGES = "fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-symbola"
# invisíveis (seletores de variação, ZWJ...): não desenhar nada é o certo
_INVISIBLE = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, *range(0xFE00, 0xFE10)}
_font_cache: dict = {}


def missing_characters(log_text: str) -> list[str]:
    """Os caracteres que o xelatex não achou na fonte (linhas 'Missing character' do log)."""
    seen = dict.fromkeys(chr(int(code, 16)) for code in _MISSING.findall(log_text))
    return list(seen)


def _font_charset(family: str) -> set | None:
    """Os pontos de código de ``family`` (fontconfig), ou ``None`` se ausente ou colorida."""
    if family not in _font_cache:
        charset = None
        try:
            out = subprocess.run(["fc-match", "-f", "%{family}|%{color}|%{charset}", family],
                                 capture_output=True, text=True, timeout=20).stdout
            names, color, ranges = (out.split("|", 2) + ["", ""])[:3]
            if family in [n.strip() for n in names.split(",")] and not color.startswith("True"):
                charset = set()
                for part in ranges.split():
                    lo, _, hi = part.partition("-")
                    charset.update(range(int(lo, 16), int(hi or lo, 16) + 1))
        except (OSError, subprocess.SubprocessError, ValueError):
            charset = None
        _font_cache[family] = charset
    return _font_cache[family]


def fallback_preamble(chars) -> tuple[str, list[str]]:
    """LaTeX que desenha ``chars`` com fontes de reserva, e os caracteres sem fonte nenhuma.

    Cada caractere vira ativo (``newunicodechar``): usa a fonte atual se ela tiver o glifo,
    senão a primeira de :data:`FALLBACK_FONTS` que o tenha (em modo matemático, numa caixa).
    """
    lines = [r"\usepackage{newunicodechar}",
             r"\providecommand{\hwfallback}[2]{\ifmmode\mbox{#1\char#2\relax}\else"
             r"\iffontchar\font#2\relax\char#2\relax\else{#1\char#2\relax}\fi\fi}"]
    families: dict[str, str] = {}
    unresolved = []
    for ch in chars:
        code = ord(ch)
        if code in _INVISIBLE:
            lines.append(rf"\newunicodechar{{{ch}}}{{}}")
            continue
        family = next((f for f in FALLBACK_FONTS if code in (_font_charset(f) or ())), None)
        if family is None:
            unresolved.append(ch)
            continue
        if family not in families:
            families[family] = r"\hwfallback" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[len(families)]
            lines.insert(2 + len(families) - 1, rf"\newfontfamily{families[family]}{{{family}}}")
        lines.append(rf'\newunicodechar{{{ch}}}{{\hwfallback{{{families[family]}}}{{"{code:X}}}}}')
    return "\n".join(lines) + "\n", unresolved


def _describe_chars(chars, origins) -> str:
    """'😀 (U+1F600) em notebook X, célula N; ...' para a mensagem de erro."""
    parts = []
    for ch in chars[:20]:
        where = []
        for path, index, cell in origins:
            text = cell.get("source", "") + json.dumps(cell.get("outputs", []), ensure_ascii=False)
            if ch in text:
                where.append(f"{Path(path).name}, célula {index + 1}")
        parts.append(f"  {ch} (U+{ord(ch):04X})" + (f" em {'; '.join(where[:3])}" if where else ""))
    more = f"\n  ... e mais {len(chars) - 20}" if len(chars) > 20 else ""
    return "\n".join(parts) + more


def _insert_preamble(tex: str, extra: str) -> str:
    at = tex.find("\\begin{document}")
    return tex[:at] + extra + tex[at:] if at >= 0 else extra + tex


def _aux_state(build: Path) -> bytes:
    return b"".join((build / f"hw08.{ext}").read_bytes() if (build / f"hw08.{ext}").exists() else b"-"
                    for ext in ("aux", "toc", "out"))


#: Passadas do xelatex no máximo (o sumário, a tabela de respostas e o "de N" do rodapé usam os
#: números da passada anterior: roda até o .aux/.toc/.out pararem de mudar).
MAX_XELATEX_RUNS = 6


def _compile(build: Path, texinputs, keep_dir: Path, origins, max_runs: int = MAX_XELATEX_RUNS) -> None:
    """Roda o xelatex em ``build`` até o ``.aux``/``.toc``/``.out`` estabilizarem (no máximo
    ``max_runs`` passadas; com 2 fixas o sumário saía uma página adiantado). Caracteres sem glifo
    ganham fonte de reserva (e o documento recomeça do zero) ou viram :class:`ExportError`
    listando-os — nunca PDF com lacunas. Um erro do LaTeX aponta o notebook e a célula."""
    fallback_added = False
    state = None
    run = 0
    while True:
        if run >= max_runs:
            _keep(build, keep_dir)
            raise ExportError(f"O sumário não estabilizou em {max_runs} passadas do xelatex; veja "
                              f"{keep_dir / 'hw08.log'}.")
        proc = _run_xelatex(build, texinputs)
        run += 1
        if proc.returncode != 0 or not (build / "hw08.pdf").exists():
            _keep(build, keep_dir)
            raise ExportError(_latex_failure(proc.stdout, build, keep_dir, origins))
        try:
            log = (build / "hw08.log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            log = proc.stdout
        missing = missing_characters(log)
        if missing and not fallback_added:
            extra, unresolved = fallback_preamble(missing)
            if unresolved:
                _keep(build, keep_dir)
                raise ExportError(
                    "Estes caracteres não têm glifo em nenhuma fonte instalada e sairiam como "
                    f"lacunas no PDF:\n{_describe_chars(unresolved, origins)}\n"
                    f"Instale fontes que os tenham (apt-get install {FONT_PACKAGES}) ou troque-os "
                    "no notebook.")
            tex = (build / "hw08.tex").read_text(encoding="utf-8")
            (build / "hw08.tex").write_text(_insert_preamble(tex, extra), encoding="utf-8")
            for suffix in (".aux", ".toc", ".out", ".pdf"):
                (build / f"hw08{suffix}").unlink(missing_ok=True)
            fallback_added = True
            state, run = None, 0  # recomeça: o documento mudou
            continue
        if missing:
            _keep(build, keep_dir)
            raise ExportError(
                "Estes caracteres ficaram sem glifo mesmo com as fontes de reserva (sairiam como "
                f"lacunas no PDF):\n{_describe_chars(missing, origins)}\n"
                f"Veja {keep_dir / 'hw08.log'} (linhas 'Missing character').")
        state, previous = _aux_state(build), state
        if state == previous:
            return


def _keep(build: Path, keep_dir: Path) -> None:
    """Guarda o .tex, as figuras e o log de uma falha em ``keep_dir`` (sem falhar de novo)."""
    shutil.rmtree(keep_dir, ignore_errors=True)
    try:
        shutil.copytree(build, keep_dir)
    except OSError:
        pass


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


_SOLUTION_MARK = re.compile(r"^[ \t]*# (?:BEGIN|END) SOLUTION\b[^\n]*\n", re.MULTILINE)


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
        Com mensagem em português; o PDF e o ``.json`` anteriores (se havia) ficam intactos, e
        nenhum temporário fica para trás (também com Ctrl-C ou SIGTERM). Os dois novos só entram
        no lugar quando ambos estão completos.
    """
    output = Path(output)
    json_out = output.with_suffix(".json")
    if output.suffix.lower() != ".pdf" or output.is_dir():
        raise ExportError(f"A saída {output} deve ser um arquivo .pdf (use -o entrega.pdf).")
    if json_out.is_dir():
        raise ExportError(f"O mapa das questões iria para {json_out}, que é uma pasta; escolha "
                          "outro nome em -o.")
    if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
        raise ExportError(
            f"O limite por célula deve ser um número inteiro positivo de segundos, não {timeout!r}.")
    templates = _find_templates()
    if not _has_template(templates):
        raise ExportError(
            f"Não encontrei o modelo LaTeX em {templates / TEMPLATE_NAME}; reinstale o hw08 "
            "(pip install -e '.[export]' no repositório, ou pip install 'hw08[export]') "
            "ou aponte HW08_EXPORT_TEMPLATES para uma pasta com o modelo hw08."
        )
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
    if execute == "all":
        _check_kernel(kernel)  # antes de qualquer trabalho
    created = _make_parents(output.parent)
    ok = False
    try:
        # os temporários são reservados já (pasta sem permissão falha antes do trabalho longo);
        # os dois só vão para o lugar (os.replace) depois que o bloco inteiro terminou bem
        with atomic_path(output, what="o PDF") as tmp_pdf, \
                atomic_path(json_out, what="o mapa das questões (.json)") as tmp_json:
            _build_pdf(paths, tmp_pdf, tmp_json, output, templates=templates, title=title,
                       author=author, student_id=student_id, date=date, execute=execute,
                       timeout=timeout, kernel=kernel, keep_tex=keep_tex, extra=extra)
        ok = True
    finally:
        if not ok:
            for folder in reversed(created):  # pastas que esta execução criou, se vazias
                with contextlib.suppress(OSError):
                    folder.rmdir()
    return output


def _make_parents(folder: Path, what: str = "o PDF") -> list[Path]:
    """Cria ``folder`` (e as de cima); devolve as que criou. Erros viram :class:`ExportError`."""
    missing = []
    for f in (folder, *folder.parents):
        if f.exists() or f.is_symlink():
            if not f.is_dir():
                raise ExportError(f"Não dá para gravar {what} em {folder}: {f} é um arquivo, não uma "
                                  "pasta. Corrija o caminho de -o.")
            break
        missing.append(f)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(describe_os_error(exc, f"criar a pasta {folder} para {what}")) from exc
    return list(reversed(missing))


def _build_pdf(paths, tmp_pdf: Path, tmp_json: Path, output: Path, *, templates, title, author,
               student_id, date, execute, timeout, kernel, keep_tex, extra) -> None:
    """Funde, converte e compila; o PDF e o mapa prontos são copiados para ``tmp_pdf`` e
    ``tmp_json`` (que :func:`hw08._safeio.atomic_path` põe no lugar)."""
    nb = merge_notebooks(paths, execute=execute, timeout=timeout, kernel=kernel)
    info = nb.metadata["hw08_export"]
    if not info["questoes"]:
        print("hw08-export: aviso: nenhuma célula marcada como questão (metadados "
              '"hw08": {"questoes": [...]}); o mapa .json sai vazio.', file=sys.stderr)
    versions = _versions()
    hashes = "; ".join(f"{p.name} sha256={_sha256(p)}" for p in paths)
    info.update(cover_info(author, student_id))
    info.update({
        "title": title or DEFAULT_TITLE,
        "date": date or date_ptbr(),
        "subject": "; ".join(f"{k} {v}" for k, v in versions.items()),
        "keywords": ", ".join(p.name for p in paths),
        "json_name": output.with_suffix(".json").name,
        "apendice": [{"nome": f"{p.parent.name}/{p.name}", "arquivo": f"apendice{k}{p.suffix}"}
                     for k, p in enumerate(extra)],
    })
    provenance = {"Notebooks": hashes,
                  "Versoes": "; ".join(f"{k}={v}" for k, v in versions.items()),
                  "Aluno": author or "", "Matricula": student_id or ""}
    nb, origins = _mark_origins(nb)

    from nbconvert.exporters import LatexExporter
    from traitlets.config import Config

    cfg = Config()
    cfg.TemplateExporter.extra_template_basedirs = [str(templates)]
    exporter = LatexExporter(config=cfg, template_name=TEMPLATE_NAME)
    body, resources = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": "hw08", "path": str(paths[0].parent)}}
    )
    body = fix_pdf_bookmarks(body)

    build = make_temp_dir("hw08-export-")
    keep_dir = output.parent / "_build" / output.stem  # export/_build/ já é ignorado e limpo
    try:
        (build / "hw08.tex").write_text(body, encoding="utf-8")
        for name, data in resources.get("outputs", {}).items():
            (build / name).parent.mkdir(parents=True, exist_ok=True)
            (build / name).write_bytes(data)
        for k, p in enumerate(extra):  # sem as linhas de marca de solução do kit do aluno
            source = p.read_text(encoding="utf-8")
            (build / info["apendice"][k]["arquivo"]).write_text(
                _SOLUTION_MARK.sub("", source), encoding="utf-8")
        texinputs = sorted({p.parent.resolve() for p in paths})
        _compile(build, texinputs, keep_dir, origins)
        with contextlib.suppress(OSError):
            for warning in table_warnings((build / "hw08.log").read_text(encoding="utf-8",
                                                                         errors="replace")):
                print(f"hw08-export: aviso: {warning}", file=sys.stderr)
        aux = (build / "hw08.aux").read_text(encoding="utf-8", errors="replace")
        pages = _read_question_pages(aux, len(info["questoes"]))
        answers = [{"questao": q["questao"], "primeira_pagina": a, "ultima_pagina": b}
                   for q, (a, b) in zip(info["questoes"], pages)]
        _finish_pdf(build / "hw08.pdf", answers, provenance)
        try:
            shutil.copyfile(build / "hw08.pdf", tmp_pdf)
            tmp_json.write_text(json.dumps(answers, ensure_ascii=False, indent=1) + "\n",
                                encoding="utf-8")
        except OSError as exc:
            raise ExportError(describe_os_error(exc, f"gravar o PDF em {output.parent}")) from exc
        shutil.rmtree(keep_dir, ignore_errors=True)  # log de uma falha antiga não fica
        if keep_tex:
            _keep(build, keep_dir)
    except OSError as exc:
        raise ExportError(describe_os_error(exc, f"preparar os arquivos do LaTeX em {build}")) from exc
    finally:
        shutil.rmtree(build, ignore_errors=True)


def export_turma(folder, outdir, *, jobs: int = 2, extra_args=()) -> int:
    """Exporta cada subpasta de ``folder`` (um aluno) para ``outdir/<aluno>.pdf``, em paralelo.

    Cada aluno roda num processo à parte (``python -m hw08.export``), com ``--author`` igual ao nome
    da subpasta; a falha de um não afeta os outros (e não apaga o PDF anterior dele). Escreve
    ``outdir/resumo.csv`` (aluno, status, paginas, mensagem; escrita atômica) e devolve quantos
    falharam. Interrompido (Ctrl-C, SIGTERM), os processos dos alunos em andamento recebem SIGTERM
    (cada um limpa o que é seu), e o ``resumo.csv`` anterior fica como estava.
    """
    import threading
    from concurrent.futures import ThreadPoolExecutor

    folder, outdir = Path(folder), Path(outdir)
    if not folder.is_dir():
        raise ExportError(f"--turma {folder}: não é uma pasta (uma subpasta por aluno).")
    if outdir.suffix.lower() == ".pdf" or (outdir.exists() and not outdir.is_dir()):
        raise ExportError(f"Com --turma, -o deve ser uma pasta (recebi {outdir}).")
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs <= 0:
        raise ExportError(f"--jobs deve ser um número inteiro positivo, não {jobs!r}.")
    try:
        students = sorted(p for p in folder.iterdir()
                          if p.is_dir() and not p.name.startswith((".", "_")))
    except OSError as exc:
        raise ExportError(describe_os_error(exc, f"ler a pasta da turma {folder}")) from exc
    if not students:
        raise ExportError(f"A pasta {folder} não tem subpastas de alunos.")
    _make_parents(outdir, what="os PDFs da turma")
    running: set = set()
    lock = threading.Lock()
    stopping = threading.Event()

    def one(student: Path):
        pdf = outdir / f"{student.name}.pdf"
        if stopping.is_set():
            return student.name, "erro", "", "interrompido antes de começar"
        cmd = [sys.executable, "-m", "hw08.export", str(student), "-o", str(pdf),
               "--author", student.name, *extra_args]
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL, text=True, errors="replace",
                                    env={**os.environ, "PYTHONIOENCODING": "utf-8"})
        except OSError as exc:
            return student.name, "erro", "", describe_os_error(exc, "iniciar o Python deste aluno")
        with lock:
            running.add(proc)
        try:
            _, err = proc.communicate()
        finally:
            with lock:
                running.discard(proc)
        if proc.returncode == 0 and pdf.exists():
            try:
                from pypdf import PdfReader

                return student.name, "ok", len(PdfReader(pdf).pages), ""
            except Exception as exc:  # noqa: BLE001 - vira linha do resumo
                return student.name, "erro", "", f"PDF gerado, mas ilegível: {exc}"
        msg = _student_error(err, proc.returncode)
        if pdf.exists():
            msg += f" (o PDF anterior, {pdf.name}, ficou como estava)"
        return student.name, "erro", "", msg

    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        rows = list(pool.map(one, students))
    except BaseException:  # Ctrl-C/SIGTERM: para os alunos em andamento (cada um limpa o seu)
        stopping.set()
        with lock:
            procs = list(running)
        for proc in procs:
            with contextlib.suppress(OSError):
                proc.send_signal(signal.SIGTERM)
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    with atomic_path(outdir / "resumo.csv", what="o resumo.csv") as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["aluno", "status", "paginas", "mensagem"])
            w.writerows(rows)
    failed = [r for r in rows if r[1] != "ok"]
    for name, _, _, msg in failed:
        print(f"hw08-export: {name}: {msg}", file=sys.stderr)
    print(f"hw08-export: {len(rows) - len(failed)} de {len(rows)} PDFs em {outdir} "
          f"(resumo em {outdir / 'resumo.csv'})")
    return len(failed)


def _student_error(stderr: str, returncode: int) -> str:
    """A mensagem de erro de um aluno (sem o prefixo ``hw08-export: erro:``), numa linha só."""
    if returncode < 0:
        with contextlib.suppress(ValueError):
            return f"interrompido pelo sinal {signal.Signals(-returncode).name}"
    lines = [ln.strip() for ln in (stderr or "").splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.startswith("hw08-export: erro")), None)
    if start is None:
        return lines[-1] if lines else f"o exportador saiu com status {returncode}"
    first = re.sub(r"^hw08-export: erro( inesperado)?:\s*", lambda m: "erro inesperado: "
                   if m.group(1) else "", lines[start])
    msg = " / ".join([first, *lines[start + 1:]])
    return msg if len(msg) <= 2000 else msg[:1997] + "..."


def _positive_int(text: str, unit: str = " de segundos") -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"deve ser um número inteiro positivo{unit}, não {text!r}")
    return value


def _positive_count(text: str) -> int:
    return _positive_int(text, unit="")


_ARGPARSE_PT = (
    (r"the following arguments are required: (.*)", r"faltam argumentos: \1"),
    (r"unrecognized arguments: (.*)", r"argumentos desconhecidos: \1"),
    (r"argument (\S+): expected one argument", r"\1 precisa de um valor"),
    (r"argument (\S+): expected at least one argument", r"\1 precisa de pelo menos um valor"),
    (r"argument (\S+): not allowed with argument (\S+)", r"\1 não pode ser usado junto com \2"),
    (r"argument (\S+): invalid \w+ value: (.*)", r"valor inválido para \1: \2"),
    (r"argument (\S+): (.*)", r"\1 \2"),
)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # mensagens do argparse em português, status 2
        for pattern, repl in _ARGPARSE_PT:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, repl, message)
                break
        self.exit(2, f"{self.prog}: erro: {message}\nUse {self.prog} --help para ver as opções.\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="hw08-export",
        description="Junta notebooks num único PDF (capa, sumário, uma questão por página) e "
                    "escreve ao lado o mapa questão -> páginas (.json).",
    )
    p.add_argument("sources", nargs="*", help="pasta(s) de notebooks e/ou arquivos .ipynb")
    p.add_argument("-o", "--output", default="entrega.pdf",
                   help="PDF de saída (entrega.pdf); com --turma, a pasta de saída")
    p.add_argument("--turma", metavar="PASTA", default=None,
                   help="exporta cada subpasta de PASTA (um aluno) para SAIDA/<aluno>.pdf + resumo.csv")
    p.add_argument("--jobs", type=_positive_count, default=2,
                   help="com --turma: alunos em paralelo (2)")
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
    p.add_argument("--timeout", type=_positive_int, default=600,
                   help="limite por célula, em s (600)")
    p.add_argument("--kernel", default="python3", help="kernel para executar (python3)")
    p.add_argument("--keep-tex", action="store_true",
                   help="guarda .tex, figuras e .log em <pasta da saída>/_build/<nome>/")
    p.add_argument("--debug", action="store_true",
                   help="em caso de erro, mostra também o traceback do Python")
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
    if args.keep_tex:
        out.append("--keep-tex")
    if args.apendice_codigo:
        out += ["--apendice-codigo", *[str(Path(a).resolve()) if Path(a).exists() else a
                                       for a in args.apendice_codigo]]
    return out


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    execute = "all" if args.execute else "missing" if args.execute_missing else "none"
    if args.turma:
        if args.sources:
            parser.error("com --turma não passe notebooks: cada subpasta da turma é um aluno")
        if args.author or args.student_id:
            parser.error("com --turma, --author/--student-id não valem: o nome de cada aluno é o "
                         "da sua subpasta")
    elif not args.sources:
        parser.error("faltam argumentos: passe notebooks ou pastas (ou --turma PASTA)")

    def run(_argv):
        if args.turma:
            failed = export_turma(args.turma, args.output, jobs=args.jobs,
                                  extra_args=_turma_args(args))
            return 1 if failed else 0
        out = export_pdf(
            args.sources, args.output, title=args.title, author=args.author,
            student_id=args.student_id, date=args.date, execute=execute, timeout=args.timeout,
            kernel=args.kernel, keep_tex=args.keep_tex, appendix=args.apendice_codigo,
        )
        print(f"hw08-export: PDF escrito em {out} (páginas das questões em {out.with_suffix('.json')})")
        return 0

    interrupted = ("os PDFs de alunos já concluídos ficaram; os outros e o resumo.csv não foram "
                   "alterados." if args.turma else "nenhum arquivo de saída foi alterado.")
    return run_cli("hw08-export", run, None, debug=args.debug, interrupted=interrupted)


if __name__ == "__main__":
    sys.exit(main())
