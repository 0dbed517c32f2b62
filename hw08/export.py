"""Exporta vários notebooks para **um único PDF** (capa, sumário, um capítulo por notebook).

Uso (instrutores e ``make pdf``)::

    hw08-export PASTA_OU_NOTEBOOKS... -o entrega.pdf [--execute | --execute-missing]
                [--title T] [--author A] [--date D] [--timeout S] [--keep-tex]

Também ``python -m hw08.export``. O caminho é nbconvert (LaTeX) + xelatex, com o modelo em
``export/templates/hw08``. Os notebooks do aluno nunca são modificados: a execução (opcional)
acontece em cópias na memória, com o diretório de trabalho na pasta do notebook.
"""

from __future__ import annotations

import argparse
import copy
import datetime as _dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

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


class ExportError(RuntimeError):
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
        Com mensagem em português; nenhum PDF (novo ou antigo) fica no caminho de saída.
    """
    output = Path(output)
    if output.suffix.lower() != ".pdf" or output.is_dir():
        raise ExportError(f"A saída {output} deve ser um arquivo .pdf (use -o entrega.pdf).")
    if not _has_template(TEMPLATE_DIR):
        raise ExportError(
            f"Não encontrei o modelo LaTeX em {TEMPLATE_DIR / TEMPLATE_NAME}; reinstale o hw08 "
            "(pip install -e . no repositório, ou o wheel, que o instala em <prefixo>/share/hw08/templates) "
            "ou aponte HW08_EXPORT_TEMPLATES para a pasta export/templates do repositório."
        )
    if output.exists():
        output.unlink()  # nunca deixar um PDF antigo passar por resultado desta execução
    for tool, what in (("xelatex", "o xelatex (TeX Live)"), ("pandoc", "o pandoc")):
        if shutil.which(tool) is None:
            raise ExportError(
                f"Não encontrei {what} no PATH; ele é necessário para gerar o PDF.\n"
                f"Instale com:\n    {APT_LINE}"
            )
    paths = collect_notebooks(sources)
    nb = merge_notebooks(paths, execute=execute, timeout=timeout, kernel=kernel)
    nb.metadata["title"] = title or DEFAULT_TITLE
    nb.metadata["authors"] = [{"name": author or default_author()}]
    nb.metadata["date"] = date or date_ptbr()

    from nbconvert.exporters import LatexExporter
    from traitlets.config import Config

    cfg = Config()
    cfg.TemplateExporter.extra_template_basedirs = [str(TEMPLATE_DIR)]
    exporter = LatexExporter(config=cfg, template_name=TEMPLATE_NAME)
    body, resources = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": "hw08", "path": str(paths[0].parent)}}
    )

    output.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix="hw08-export-"))
    keep_dir = output.parent / "_build" / output.stem  # export/_build/ já é ignorado e limpo
    ok = False
    try:
        (build / "hw08.tex").write_text(body, encoding="utf-8")
        for name, data in resources.get("outputs", {}).items():
            (build / name).parent.mkdir(parents=True, exist_ok=True)
            (build / name).write_bytes(data)
        texinputs = sorted({p.parent.resolve() for p in paths})
        for run in range(2):  # 2 passadas: o sumário precisa do .aux
            proc = _run_xelatex(build, texinputs)
            if proc.returncode != 0 or not (build / "hw08.pdf").exists():
                shutil.rmtree(keep_dir, ignore_errors=True)
                shutil.copytree(build, keep_dir)
                raise ExportError(_latex_failure(proc.stdout, build, keep_dir))
        tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
        shutil.copyfile(build / "hw08.pdf", tmp)
        os.replace(tmp, output)
        ok = True
        shutil.rmtree(keep_dir, ignore_errors=True)  # log de uma falha antiga não fica
        if keep_tex:
            shutil.copytree(build, keep_dir)
    finally:
        shutil.rmtree(build, ignore_errors=True)
        if not ok and output.exists():
            output.unlink()
    return output


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
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
    p.add_argument("--timeout", type=int, default=600, help="limite por célula, em s (600)")
    p.add_argument("--kernel", default="python3", help="kernel para executar (python3)")
    p.add_argument("--keep-tex", action="store_true",
                   help="guarda .tex, figuras e .log em <pasta da saída>/_build/<nome>/")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    execute = "all" if args.execute else "missing" if args.execute_missing else "none"
    try:
        out = export_pdf(
            args.sources, args.output, title=args.title, author=args.author, date=args.date,
            execute=execute, timeout=args.timeout, kernel=args.kernel, keep_tex=args.keep_tex,
        )
    except ExportError as exc:
        print(f"hw08-export: erro: {exc}", file=sys.stderr)
        return 1
    print(f"hw08-export: PDF escrito em {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
