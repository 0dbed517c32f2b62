"""Exporta vários notebooks para **um único PDF** (capa, sumário, um capítulo por notebook).

Uso (instrutores e ``make pdf``)::

    hw08-export PASTA_OU_NOTEBOOKS... -o entrega.pdf [--execute | --execute-missing]
                [--title T] [--author A] [--date D] [--timeout S] [--keep-tex] [--debug]

Também ``python -m hw08.export``. O caminho é nbconvert (LaTeX) + xelatex, com o modelo em
``export/templates/hw08``. Os notebooks do aluno nunca são modificados: a execução (opcional)
acontece em cópias na memória, com o diretório de trabalho na pasta do notebook.

Nada se perde: o PDF de saída só é substituído quando o novo está completo (temporário na mesma
pasta + ``os.replace``, ver :mod:`hw08._safeio`); um erro, Ctrl-C ou SIGTERM deixa o PDF anterior
intacto e apaga temporários e o xelatex em andamento. Erros viram mensagens em português, sem
traceback (``--debug`` mostra o traceback); um erro do LaTeX aponta o notebook e a célula.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import datetime as _dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from ._safeio import UserError, atomic_path, describe_os_error, make_temp_dir, run_cli

__all__ = ["ExportError", "export_pdf", "main"]

DEFAULT_TITLE = "Trabalho de casa 08: K-means e Mixture models"
DEFAULT_AUTHOR = "Aluno(a)"
TEMPLATE_NAME = "hw08"


def _find_templates() -> Path:
    """Pasta dos modelos LaTeX: ``$HW08_EXPORT_TEMPLATES``, senão ``export/templates`` do repositório
    (instalação editável), senão ``<sys.prefix>/share/hw08/templates`` (instalação pelo wheel)."""
    if os.environ.get("HW08_EXPORT_TEMPLATES"):
        return Path(os.environ["HW08_EXPORT_TEMPLATES"])
    candidates = [Path(__file__).resolve().parents[1] / "export" / "templates",
                  Path(sys.prefix) / "share" / "hw08" / "templates"]
    return next((folder for folder in candidates if _has_template(folder)), candidates[0])


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


def default_author() -> str:
    """``git config user.name``, ou ``'Aluno(a)'`` se não houver."""
    try:
        out = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=5
        )
        name = out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    return name or DEFAULT_AUTHOR


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


def clean_outputs(nb) -> None:
    """Limpa as saídas para o PDF: sem stderr, sem ANSI, sem widgets sem figura estática."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
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
                    static = {k: v for k, v in data.items() if k.startswith("image/")}
                    if not static:
                        continue
                    out["data"] = static
                if "text/plain" in out.get("data", {}):
                    out["data"]["text/plain"] = _strip_ansi(out["data"]["text/plain"])
            elif kind == "error":
                out["traceback"] = [_strip_ansi(t) for t in out.get("traceback", [])]
            kept.append(out)
        cell["outputs"] = kept


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
        if cell.cell_type != "markdown":
            continue
        m = _H1.search(cell.source)
        if m:
            cell.source = (cell.source[: m.start()] + cell.source[m.end():]).strip("\n")
            return m.group(1).strip()
        break
    return path.stem.replace("_", " ")


def merge_notebooks(paths, *, execute: str = "none", timeout: int = 600, kernel: str = "python3"):
    """Funde os notebooks num só (ids únicos, um capítulo por notebook)."""
    import nbformat

    merged = None
    seen: set[str] = set()
    for k, path in enumerate(paths):
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as exc:  # noqa: BLE001 - json/validação: mensagem clara
            raise ExportError(f"Não consegui ler o notebook {path}: {exc}") from exc
        if execute == "all" or (execute == "missing" and needs_execution(nb)):
            print(f"hw08-export: executando {path} ...", file=sys.stderr, flush=True)
            nb = execute_notebook(nb, path, timeout, kernel)
        clean_outputs(nb)
        for i, cell in enumerate(nb.cells):  # origem de cada célula, para apontar erros do LaTeX
            cell.metadata["hw08_source"] = [str(path), i]
        title = split_title(nb, path)
        for cell in nb.cells:
            if cell.cell_type == "markdown":  # ``## `` vira seção do capítulo do notebook
                cell.source = _SUBHEAD.sub(r"\1", cell.source)
                cell.source = _ENV_IN_DOLLARS.sub(r"\1", cell.source)
        cells = [c for c in nb.cells if not (c.cell_type == "markdown" and not c.source.strip())]
        marker = nbformat.v4.new_raw_cell("")
        marker.metadata["hw08_chapter"] = title
        cells.insert(0, marker)
        for i, cell in enumerate(cells):
            cid = cell.get("id") or f"c{i}"
            while cid in seen:
                cid = f"nb{k}-{cid}"[:64]
            seen.add(cid)
            cell["id"] = cid
        if merged is None:
            merged = nbformat.v4.new_notebook(metadata=copy.deepcopy(nb.metadata))
        merged.cells.extend(cells)
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


def _compile(build: Path, texinputs, keep_dir: Path, origins, passes: int = 2) -> None:
    """Roda as passadas do xelatex em ``build``; caracteres sem glifo ganham fonte de reserva
    (e o documento recomeça) ou viram :class:`ExportError` listando-os — nunca PDF com lacunas."""
    fallback_added = False
    run = 0
    while run < passes:  # 2 passadas: o sumário precisa do .aux
        proc = _run_xelatex(build, texinputs)
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
            run = 0
            continue
        if missing:
            _keep(build, keep_dir)
            raise ExportError(
                "Estes caracteres ficaram sem glifo mesmo com as fontes de reserva (sairiam como "
                f"lacunas no PDF):\n{_describe_chars(missing, origins)}\n"
                f"Veja {keep_dir / 'hw08.log'} (linhas 'Missing character').")
        run += 1


def _keep(build: Path, keep_dir: Path) -> None:
    """Guarda o .tex, as figuras e o log de uma falha em ``keep_dir`` (sem falhar de novo)."""
    shutil.rmtree(keep_dir, ignore_errors=True)
    try:
        shutil.copytree(build, keep_dir)
    except OSError:
        pass


def export_pdf(sources, output, *, title=DEFAULT_TITLE, author=None, date=None,
               execute: str = "none", timeout: int = 600, kernel: str = "python3",
               keep_tex: bool = False) -> Path:
    """Gera ``output`` (PDF) com os notebooks de ``sources``; escrita atômica.

    Parameters
    ----------
    sources : list of str or Path
        Pastas (todos os ``*.ipynb``, pela ordem do nome) e/ou arquivos ``.ipynb``.
    output : str or Path
        Caminho do PDF.
    execute : {'none', 'missing', 'all'}
        Executar nenhum, só os notebooks com células de código sem saídas, ou todos (em cópia).
    keep_tex : bool
        Guarda ``.tex``, figuras e ``.log`` em ``<pasta da saída>/_build/<nome>/`` (também
        feito, sempre, quando o xelatex falha).

    Raises
    ------
    ExportError
        Com mensagem em português; o PDF anterior em ``output`` (se havia) fica intacto, e
        nenhum temporário fica para trás (também com Ctrl-C ou SIGTERM).
    """
    output = Path(output)
    if output.suffix.lower() != ".pdf" or output.is_dir():
        raise ExportError(f"A saída {output} deve ser um arquivo .pdf (use -o entrega.pdf).")
    if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
        raise ExportError(
            f"O limite por célula deve ser um número inteiro positivo de segundos, não {timeout!r}.")
    if not _has_template(TEMPLATE_DIR):
        raise ExportError(
            f"Não encontrei o modelo LaTeX em {TEMPLATE_DIR / TEMPLATE_NAME}; reinstale o hw08 "
            "(pip install -e . no repositório, ou o wheel, que o instala em <prefixo>/share/hw08/templates) "
            "ou aponte HW08_EXPORT_TEMPLATES para a pasta export/templates do repositório."
        )
    for tool, what in (("xelatex", "o xelatex (TeX Live)"), ("pandoc", "o pandoc")):
        if shutil.which(tool) is None:
            raise ExportError(
                f"Não encontrei {what} no PATH; ele é necessário para gerar o PDF.\n"
                f"Instale com:\n    {APT_LINE}"
            )
    paths = collect_notebooks(sources)
    if execute == "all":
        _check_kernel(kernel)  # antes de qualquer trabalho
    created = _make_parents(output.parent)
    ok = False
    try:
        # o temporário do PDF é reservado já (pasta sem permissão falha antes do trabalho longo)
        with atomic_path(output, what="o PDF") as tmp:
            _build_pdf(paths, tmp, output, title=title, author=author, date=date, execute=execute,
                       timeout=timeout, kernel=kernel, keep_tex=keep_tex)
        ok = True
    finally:
        if not ok:
            for folder in reversed(created):  # pastas que esta execução criou, se vazias
                with contextlib.suppress(OSError):
                    folder.rmdir()
    return output


def _make_parents(folder: Path) -> list[Path]:
    """Cria ``folder`` (e as de cima); devolve as que criou. Erros viram :class:`ExportError`."""
    missing = []
    for f in (folder, *folder.parents):
        if f.exists() or f.is_symlink():
            if not f.is_dir():
                raise ExportError(f"Não dá para gravar o PDF em {folder}: {f} é um arquivo, não uma "
                                  "pasta. Corrija o caminho de -o.")
            break
        missing.append(f)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(describe_os_error(exc, f"criar a pasta {folder} para o PDF")) from exc
    return list(reversed(missing))


def _build_pdf(paths, tmp: Path, output: Path, *, title, author, date, execute, timeout, kernel,
               keep_tex) -> None:
    """Funde, converte e compila; o PDF pronto é copiado para ``tmp`` (que ``atomic_path`` põe no lugar)."""
    nb = merge_notebooks(paths, execute=execute, timeout=timeout, kernel=kernel)
    nb.metadata["title"] = title or DEFAULT_TITLE
    nb.metadata["authors"] = [{"name": author or default_author()}]
    nb.metadata["date"] = date or date_ptbr()
    nb, origins = _mark_origins(nb)

    from nbconvert.exporters import LatexExporter
    from traitlets.config import Config

    cfg = Config()
    cfg.TemplateExporter.extra_template_basedirs = [str(TEMPLATE_DIR)]
    exporter = LatexExporter(config=cfg, template_name=TEMPLATE_NAME)
    body, resources = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": "hw08", "path": str(paths[0].parent)}}
    )

    build = make_temp_dir("hw08-export-")
    keep_dir = output.parent / "_build" / output.stem  # export/_build/ já é ignorado e limpo
    try:
        (build / "hw08.tex").write_text(body, encoding="utf-8")
        for name, data in resources.get("outputs", {}).items():
            (build / name).parent.mkdir(parents=True, exist_ok=True)
            (build / name).write_bytes(data)
        texinputs = sorted({p.parent.resolve() for p in paths})
        _compile(build, texinputs, keep_dir, origins)
        try:
            shutil.copyfile(build / "hw08.pdf", tmp)
        except OSError as exc:
            raise ExportError(describe_os_error(exc, f"gravar o PDF em {output.parent}")) from exc
        shutil.rmtree(keep_dir, ignore_errors=True)  # log de uma falha antiga não fica
        if keep_tex:
            _keep(build, keep_dir)
    except OSError as exc:
        raise ExportError(describe_os_error(exc, f"preparar os arquivos do LaTeX em {build}")) from exc
    finally:
        shutil.rmtree(build, ignore_errors=True)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"deve ser um número inteiro positivo de segundos, não {text!r}")
    return value


_ARGPARSE_PT = (
    (r"the following arguments are required: (.*)", r"faltam argumentos: \1"),
    (r"unrecognized arguments: (.*)", r"argumentos desconhecidos: \1"),
    (r"argument (\S+): expected one argument", r"\1 precisa de um valor"),
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
        description="Junta notebooks num único PDF (capa, sumário, um capítulo por notebook).",
    )
    p.add_argument("sources", nargs="+", help="pasta(s) de notebooks e/ou arquivos .ipynb")
    p.add_argument("-o", "--output", default="entrega.pdf", help="PDF de saída (entrega.pdf)")
    p.add_argument("--title", default=DEFAULT_TITLE, help="título da capa")
    p.add_argument("--author", default=None, help="autor (padrão: git config user.name)")
    p.add_argument("--date", default=None, help="data da capa (padrão: hoje, em pt-BR)")
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


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    execute = "all" if args.execute else "missing" if args.execute_missing else "none"

    def run(_argv):
        out = export_pdf(
            args.sources, args.output, title=args.title, author=args.author, date=args.date,
            execute=execute, timeout=args.timeout, kernel=args.kernel, keep_tex=args.keep_tex,
        )
        print(f"hw08-export: PDF escrito em {out}")
        return 0

    return run_cli("hw08-export", run, None, debug=args.debug)


if __name__ == "__main__":
    sys.exit(main())
