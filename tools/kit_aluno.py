"""Kit do aluno gerado da mesma fonte que a solução: ``make aluno`` e ``make validar-aluno``.

Regiões de solução na fonte:

* no pacote ``hw08`` (dentro do corpo de uma função): as linhas entre ``# BEGIN SOLUTION`` e
  ``# END SOLUTION``. A marca de início pode trazer o rótulo do exercício, por exemplo
  ``# BEGIN SOLUTION Exercício 1 (notebooks/01_kmeans_mnist.ipynb)``. No kit a região vira
  ``raise NotImplementedError("Exercício 1 (...): implemente hw08.kmeans._assign (hw08/kmeans.py).")``
  com a indentação da marca;
* nos notebooks: células com a tag ``solucao`` (``metadata.tags``) — código vira um esqueleto
  (``# SEU CÓDIGO AQUI``, os ``import`` da célula, as funções com a assinatura e a docstring e corpo
  ``raise NotImplementedError``, e ``nome = a_fazer("nome")`` para cada nome que uma célula seguinte
  usa); markdown vira "_Escreva sua resposta aqui._". Dentro de uma célula de código, as linhas entre
  ``### BEGIN SOLUTION`` e ``### END SOLUTION`` (como no nbgrader); dentro de markdown, o trecho entre
  ``<!-- BEGIN SOLUTION -->`` e ``<!-- END SOLUTION -->``.

Uso::

    python tools/kit_aluno.py gerar [-o dist/aluno]    # escrita atômica: um kit bom só é trocado por outro bom
    python tools/kit_aluno.py validar                  # kit falha em cada verificação; solução passa todas

O kit leva a infraestrutura intacta (dados, gráficos, métricas, exportação, ``hw08.verificar``),
os notebooks sem saídas, os testes de infraestrutura, ``pyproject.toml`` e um ``README.md`` e um
``Makefile`` do aluno (``tools/kit/``). Este gerador não vai para o kit. Depois de gerar, o kit é
conferido: nenhuma marca de solução, nenhuma tag ``solucao`` e nenhuma linha característica de uma
região removida (uma linha que, na fonte, só aparece dentro de regiões de solução) pode sobrar.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hw08.canonical import canonical_env

RAIZ = Path(__file__).resolve().parents[1]
MODELOS = Path(__file__).resolve().parent / "kit"

TAG = "solucao"
RESPOSTA = "_Escreva sua resposta aqui._"
SEU_CODIGO = "# SEU CÓDIGO AQUI"
INICIO = re.compile(r"^(?P<indent>[ \t]*)#+[ \t]*BEGIN SOLUTION\b(?P<rotulo>.*)$")
FIM = re.compile(r"^[ \t]*#+[ \t]*END SOLUTION\b")
MD_REGIAO = re.compile(r"<!--\s*BEGIN SOLUTION\s*-->.*?<!--\s*END SOLUTION\s*-->", re.S)
MARCA_KIT = ".kit-aluno"            # identifica uma pasta gerada (só ela pode ser substituída)
RESTO = re.compile(r"(BEGIN|END)[ \t]+SOLUTION")

# O que vai para o kit (caminhos relativos à raiz; os que não existem são ignorados).
ARQUIVOS_RAIZ = ["pyproject.toml", "environment.yml", "conftest.py", ".gitignore",
                 "constraints.txt", "requirements.txt", "requirements-lock.txt"]
TESTES_INFRA = ["conftest.py", "nbval_sanitize.cfg", "test_data.py", "test_metrics.py", "test_export.py",
                "test_validation.py", "test_plotting_mixture.py", "test_packaging.py", "test_worked.py",
                "test_ood.py"]
# Notebook -> exercícios de ``hw08.verificar`` cuja célula de autoverificação entra logo depois da
# primeira célula de código (a dos imports).
VERIFICACAO = {"01_kmeans_mnist": ("kmeans",), "02_gmm_ood": ("mlp", "ood"), "03_derivacoes": ("gmm",)}


class ErroKit(Exception):
    """Erro na fonte ou no kit, com mensagem em português que diz onde e o que fazer."""


@dataclass
class Regiao:
    """Uma região de solução removida: de onde veio e as linhas que saíram."""

    origem: str
    linhas: list = field(default_factory=list)


def _removidas(origem, original, esqueleto_):
    """Região com as linhas do original que o esqueleto não manteve de propósito (títulos, assinaturas, imports)."""
    ficou = {_normal(l) for l in esqueleto_.splitlines()}
    return Regiao(origem, [l for l in original.splitlines() if _normal(l) not in ficou])


# ============================================================================ pacote (.py)
def _pares(linhas, origem):
    """Pares (início, fim) de índices das linhas de marca, conferindo o aninhamento."""
    pares, aberto = [], None
    for i, linha in enumerate(linhas):
        if INICIO.match(linha):
            if aberto is not None:
                raise ErroKit(f"{origem}, linha {i + 1}: BEGIN SOLUTION dentro de outra região "
                              f"(aberta na linha {aberto + 1}); feche a anterior com END SOLUTION.")
            aberto = i
        elif FIM.match(linha):
            if aberto is None:
                raise ErroKit(f"{origem}, linha {i + 1}: END SOLUTION sem BEGIN SOLUTION antes.")
            pares.append((aberto, i))
            aberto = None
        elif RESTO.search(linha):
            raise ErroKit(f"{origem}, linha {i + 1}: marca de solução fora do formato "
                          "('# BEGIN SOLUTION' ou '# END SOLUTION' sozinhas num comentário).")
    if aberto is not None:
        raise ErroKit(f"{origem}, linha {aberto + 1}: BEGIN SOLUTION sem END SOLUTION.")
    return pares


def _funcao_que_contem(arvore, linha):
    """Nome qualificado (Classe.metodo) da função mais interna que contém a linha (1-based)."""
    melhor = None

    def visitar(no, prefixo):
        nonlocal melhor
        for filho in ast.iter_child_nodes(no):
            if isinstance(filho, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                nome = f"{prefixo}{filho.name}"
                if filho.lineno <= linha <= filho.end_lineno and not isinstance(filho, ast.ClassDef):
                    melhor = nome
                visitar(filho, nome + ".")
            else:
                visitar(filho, prefixo)

    visitar(arvore, "")
    return melhor


def _literal(texto):
    return '"' + texto.replace("\\", "\\\\").replace('"', '\\"') + '"'


def limpar_modulo(texto, modulo, caminho):
    """Troca cada região ``# BEGIN/END SOLUTION`` de um módulo por ``raise NotImplementedError``.

    Returns
    -------
    novo : str
    regioes : list of Regiao
    """
    linhas = texto.splitlines(keepends=True)
    pares = _pares(linhas, caminho)
    if not pares:
        return texto, []
    try:
        arvore = ast.parse(texto)
    except SyntaxError as exc:
        raise ErroKit(f"{caminho}: a fonte não é Python válido ({exc.msg}, linha {exc.lineno}).") from exc
    novo, regioes, ultimo = [], [], 0
    for ini, fim in pares:
        m = INICIO.match(linhas[ini])
        funcao = _funcao_que_contem(arvore, ini + 1)
        if funcao is None:
            raise ErroKit(f"{caminho}, linha {ini + 1}: região de solução fora de uma função; no pacote as "
                          "regiões ficam dentro do corpo da função que o aluno implementa.")
        rotulo = m.group("rotulo").strip().lstrip("—–-:").strip() or "Exercício"
        mensagem = f"{rotulo}: implemente {modulo}.{funcao} ({caminho})."
        novo += linhas[ultimo:ini]
        novo.append(f"{m.group('indent')}raise NotImplementedError({_literal(mensagem)})\n")
        regioes.append(Regiao(f"{caminho}:{ini + 2}-{fim} ({funcao})", [l.rstrip("\n") for l in linhas[ini + 1:fim]]))
        ultimo = fim + 1
    novo += linhas[ultimo:]
    resultado = "".join(novo)
    try:
        ast.parse(resultado)
    except SyntaxError as exc:
        raise ErroKit(f"{caminho}: depois de trocar as regiões de solução o módulo não é Python válido "
                      f"({exc.msg}, linha {exc.lineno}); confira a indentação das marcas BEGIN SOLUTION.") from exc
    return resultado, regioes


# ============================================================================ notebooks
def _python(fonte):
    """Fonte da célula como Python puro (mágicas do IPython traduzidas)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        return TransformerManager().transform_cell(fonte)
    except Exception:  # noqa: BLE001 — sem IPython, a célula fica como está
        return fonte


def _arvore(fonte, origem):
    try:
        return ast.parse(_python(fonte))
    except SyntaxError as exc:
        raise ErroKit(f"{origem}: a célula não é Python válido ({exc.msg}); não sei montar o esqueleto.") from exc


def _nomes_lidos(fonte):
    try:
        arvore = ast.parse(_python(fonte))
    except SyntaxError:
        return set(re.findall(r"[A-Za-z_]\w*", fonte))   # na dúvida, todo identificador conta
    return {n.id for n in ast.walk(arvore) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


class _Atribuidos(ast.NodeVisitor):
    """Nomes atribuídos no nível da célula (sem entrar em funções, classes, lambdas, compreensões)."""

    def __init__(self):
        self.nomes = []

    def visit_Name(self, no):
        if isinstance(no.ctx, ast.Store) and no.id not in self.nomes:
            self.nomes.append(no.id)

    def _pular(self, no):
        pass

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _pular
    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _pular
    visit_Import = visit_ImportFrom = _pular


def esqueleto(fonte, usados_depois, origem="célula"):
    """Esqueleto de um trecho de código de nível de célula.

    Mantém os ``import`` e as linhas ``# NBVAL_...``; cada ``def`` vira a assinatura, a docstring e
    ``raise NotImplementedError``; cada nome atribuído que ``usados_depois`` contém vira
    ``nome = a_fazer("nome")``.
    """
    arvore = _arvore(fonte, origem)
    linhas = _python(fonte).splitlines()
    cabeca = [l for l in linhas if l.startswith("# NBVAL")]
    imports, stubs, definidos = [], [], set()
    for no in arvore.body:
        if isinstance(no, (ast.Import, ast.ImportFrom)):
            imports += linhas[no.lineno - 1:no.end_lineno]
            definidos |= {(a.asname or a.name).split(".")[0] for a in no.names}
        elif isinstance(no, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stubs += ["", ""] + _stub_funcao(no, linhas)
            definidos.add(no.name)
    coletor = _Atribuidos()
    for no in arvore.body:
        if not isinstance(no, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef)):
            coletor.visit(no)
        if isinstance(no, ast.ClassDef):
            coletor.nomes.append(no.name)
    faltam = [n for n in coletor.nomes if n in usados_depois and n not in definidos]
    if faltam:
        imports.append("from hw08.verificar import a_fazer")
    saida = cabeca + imports + ([""] if imports else []) + [SEU_CODIGO] + stubs
    if faltam:
        saida += ([""] if stubs else []) + [f'{n} = a_fazer("{n}")  # troque pelo seu cálculo' for n in faltam]
    return "\n".join(saida)


def _stub_funcao(no, linhas):
    inicio = min([no.lineno] + [d.lineno for d in no.decorator_list])
    corpo = no.body[0]
    tem_doc = (isinstance(corpo, ast.Expr) and isinstance(corpo.value, ast.Constant)
               and isinstance(corpo.value.value, str))
    if corpo.lineno == no.lineno:          # def f(): return ... numa linha só
        stub = copy.deepcopy(no)
        stub.body = [ast.parse(f"raise NotImplementedError('implemente {no.name} (# SEU CÓDIGO AQUI)')").body[0]]
        return ast.unparse(stub).splitlines()
    fim = corpo.end_lineno if tem_doc else corpo.lineno - 1
    while not tem_doc and fim > no.lineno and (not linhas[fim - 1].strip() or linhas[fim - 1].strip().startswith("#")):
        fim -= 1                          # comentários antes do 1º comando são parte da solução
    recuo = " " * corpo.col_offset
    return (linhas[inicio - 1:fim]
            + [recuo + SEU_CODIGO,
               recuo + f"raise NotImplementedError({_literal(f'implemente {no.name} nesta célula')})"])


def _fonte(celula):
    src = celula.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _por_fonte(celula, texto):
    """Grava ``texto`` no formato da fonte original (lista de linhas ou string)."""
    if isinstance(celula.get("source"), list):
        celula["source"] = texto.splitlines(keepends=True)
    else:
        celula["source"] = texto


def _regioes_de_codigo(fonte, usados_fora, origem):
    """Troca as regiões ``### BEGIN/END SOLUTION`` de uma célula de código."""
    linhas = fonte.splitlines(keepends=True)
    pares = _pares(linhas, origem)
    if not pares:
        return fonte, []
    novo, regioes, ultimo = [], [], 0
    for ini, fim in pares:
        recuo = INICIO.match(linhas[ini]).group("indent")
        trecho = "".join(linhas[ini + 1:fim])
        novo += linhas[ultimo:ini]
        if recuo:
            troca = (recuo + SEU_CODIGO + "\n"
                     + recuo + f"raise NotImplementedError({_literal('complete esta parte da célula')})\n")
        else:
            depois = "".join(linhas[fim + 1:])
            usados = usados_fora | _nomes_lidos(depois)
            troca = esqueleto(trecho, usados, origem) + "\n"
        novo.append(troca)
        regioes.append(_removidas(f"{origem}, linhas {ini + 2}-{fim}", trecho, troca))
        ultimo = fim + 1
    novo += linhas[ultimo:]
    return "".join(novo), regioes


def _resposta_markdown(fonte):
    """Markdown de resposta: os títulos do começo da célula (a pergunta) e "_Escreva sua resposta aqui._"."""
    titulos = []
    for linha in fonte.splitlines():
        if re.match(r"#{1,6} ", linha):
            titulos.append(linha)
        elif linha.strip() or not titulos:
            break
    return "\n\n".join(titulos + [RESPOSTA])


def _celulas_verificacao(exercicios):
    args = ", ".join(repr(e) for e in exercicios)
    md = ("**Autoverificação.** Implemente as funções do exercício no pacote `hw08` (cada uma diz onde "
          "está, com `NotImplementedError`) e rode a célula abaixo: ela diz o que falta ou o que está "
          "errado. No terminal: `python -m hw08.verificar " + " ".join(exercicios) + "`.")
    codigo = f"from hw08.verificar import verificar\n\nverificar({args});"
    return [
        {"cell_type": "markdown", "id": "autoverificacao-md", "metadata": {}, "source": [md]},
        {"cell_type": "code", "execution_count": None, "id": "autoverificacao", "metadata": {}, "outputs": [],
         "source": codigo.splitlines(keepends=True)},
    ]


def limpar_notebook(nb, caminho, exercicios=()):
    """Notebook do aluno: sem saídas, regiões de solução trocadas por esqueletos.

    Parameters
    ----------
    nb : dict
        O notebook (formato nbformat 4, como lido por ``json.load``); não é alterado.
    caminho : str
        Para as mensagens.
    exercicios : tuple of str
        Exercícios de ``hw08.verificar`` da célula de autoverificação (nenhum: sem a célula).

    Returns
    -------
    novo : dict
    regioes : list of Regiao
    """
    nb = copy.deepcopy(nb)
    celulas = nb.get("cells", [])
    lidos_depois = [set() for _ in celulas]      # nomes lidos nas células depois da i
    acumulado = set()
    for i in range(len(celulas) - 1, -1, -1):
        lidos_depois[i] = set(acumulado)
        if celulas[i].get("cell_type") == "code":
            acumulado |= _nomes_lidos(_fonte(celulas[i]))
    regioes = []
    for i, cel in enumerate(celulas):
        origem = f"{caminho}, célula {i}"
        tags = cel.get("metadata", {}).get("tags", [])
        fonte = _fonte(cel)
        if cel.get("cell_type") == "code":
            if TAG in tags:
                novo = esqueleto(fonte, lidos_depois[i], origem)
                _por_fonte(cel, novo)
                regioes.append(_removidas(origem, fonte, novo))
            else:
                novo, rs = _regioes_de_codigo(fonte, lidos_depois[i], origem)
                _por_fonte(cel, novo)
                regioes += rs
            cel["outputs"] = []
            cel["execution_count"] = None
        elif cel.get("cell_type") == "markdown":
            if TAG in tags:
                novo = _resposta_markdown(fonte)
                _por_fonte(cel, novo)
                cel.pop("attachments", None)
                regioes.append(_removidas(origem, fonte, novo))
            else:
                trechos = MD_REGIAO.findall(fonte)
                if trechos:
                    _por_fonte(cel, MD_REGIAO.sub(RESPOSTA, fonte))
                    for t in trechos:
                        regioes.append(Regiao(origem, t.splitlines()[1:-1] or t.splitlines()))
                if RESTO.search(_fonte(cel)):
                    raise ErroKit(f"{origem}: marca de solução sem par (use <!-- BEGIN SOLUTION --> … "
                                  "<!-- END SOLUTION -->).")
        if TAG in tags:
            cel["metadata"]["tags"] = [t for t in tags if t != TAG]
            if not cel["metadata"]["tags"]:
                del cel["metadata"]["tags"]
        for chave in ("execution", "collapsed", "scrolled"):
            cel.get("metadata", {}).pop(chave, None)
    nb.get("metadata", {}).pop("widgets", None)
    if exercicios:
        primeira = next((i for i, c in enumerate(celulas) if c.get("cell_type") == "code"), None)
        pos = len(celulas) if primeira is None else primeira + 1
        celulas[pos:pos] = _celulas_verificacao(exercicios)
    return nb, regioes


def _fora_das_regioes(nb):
    """Fontes das células da solução fora das regiões de solução (o que o kit pode conter)."""
    textos = []
    for cel in nb.get("cells", []):
        if TAG in cel.get("metadata", {}).get("tags", []):
            continue
        fonte = MD_REGIAO.sub("", _fonte(cel))
        linhas = fonte.splitlines()
        for ini, fim in reversed(_pares(linhas, "célula") if cel.get("cell_type") == "code" else []):
            del linhas[ini:fim + 1]
        textos.append("\n".join(linhas))
    return textos


def _escrever_notebook(nb, destino, modelo_texto):
    """Grava no mesmo formato do arquivo original (indentação 1, UTF-8, newline final)."""
    indent = 1
    m = re.match(r"\{\n( +)\"", modelo_texto)
    if m:
        indent = len(m.group(1))
    destino.write_text(json.dumps(nb, indent=indent, ensure_ascii=False) + "\n", encoding="utf-8")


# ============================================================================ o kit inteiro
def _montar(raiz, kit):
    """Escreve o kit em ``kit`` (pasta vazia). Devolve (regiões removidas, fonte mantida)."""
    regioes, mantido = [], []
    (kit / "hw08").mkdir(parents=True)
    for py in sorted((raiz / "hw08").glob("*.py")):
        rel = py.relative_to(raiz).as_posix()
        texto = py.read_text(encoding="utf-8")
        novo, rs = limpar_modulo(texto, f"hw08.{py.stem}" if py.stem != "__init__" else "hw08", rel)
        (kit / rel).write_text(novo, encoding="utf-8")
        regioes += rs
        mantido.append(novo)
    for sub in sorted((raiz / "hw08").iterdir()):      # dados do pacote (o modelo LaTeX em hw08/templates)
        if sub.is_dir() and not sub.name.startswith((".", "__")):
            shutil.copytree(sub, kit / "hw08" / sub.name, ignore=shutil.ignore_patterns("__pycache__"))
    (kit / "notebooks").mkdir()
    for arq in sorted((raiz / "notebooks").iterdir()):
        if arq.name.startswith(".") or arq.is_dir():
            continue
        rel = arq.relative_to(raiz).as_posix()
        if arq.suffix == ".ipynb":
            texto = arq.read_text(encoding="utf-8")
            try:
                nb = json.loads(texto)
            except json.JSONDecodeError as exc:
                raise ErroKit(f"{rel}: não é um notebook válido (JSON: {exc}).") from exc
            novo, rs = limpar_notebook(nb, rel, VERIFICACAO.get(arq.stem, ()))
            _escrever_notebook(novo, kit / rel, texto)
            regioes += rs
            mantido += _fora_das_regioes(nb)
        else:
            shutil.copy2(arq, kit / rel)
    (kit / "tests").mkdir()
    for nome in TESTES_INFRA:
        if (raiz / "tests" / nome).exists():
            shutil.copy2(raiz / "tests" / nome, kit / "tests" / nome)
            mantido.append((raiz / "tests" / nome).read_text(encoding="utf-8"))
    for nome in ARQUIVOS_RAIZ:
        if (raiz / nome).exists():
            shutil.copy2(raiz / nome, kit / nome)
    for nome in ("README.md", "Makefile"):
        shutil.copy2(MODELOS / nome, kit / nome)
    return regioes, mantido


def _normal(linha):
    """Linha para comparar trechos: sem comentário final (``  # ...``) e com espaços colapsados."""
    codigo = re.split(r"\s+#\s", linha.strip(), maxsplit=1)[0]
    return re.sub(r"\s+", " ", codigo).strip()


def _caracteristicas(regioes, mantido):
    """Por região, as linhas (normalizadas, ≥ 8 caracteres) que não aparecem em nada do que ficou."""
    ficou = set()
    for texto in mantido:
        ficou |= {_normal(l) for l in texto.splitlines()}
    return [(r, [n for n in dict.fromkeys(_normal(l) for l in r.linhas) if len(n) >= 8 and n not in ficou])
            for r in regioes]


def conferir_kit(kit, caracteristicas=()):
    """Problemas do kit: marcas de solução, tag ``solucao``, linhas características que sobraram."""
    problemas = []
    trechos = {l: r.origem for r, ls in caracteristicas for l in ls}
    for arq in sorted(p for p in kit.rglob("*") if p.is_file()):
        rel = arq.relative_to(kit).as_posix()
        try:
            texto = arq.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if arq.suffix == ".ipynb":
            nb = json.loads(texto)
            linhas = []
            for i, c in enumerate(nb.get("cells", [])):
                if TAG in c.get("metadata", {}).get("tags", []):
                    problemas.append(f"{rel}, célula {i}: ainda tem a tag '{TAG}'")
                if c.get("outputs"):
                    problemas.append(f"{rel}, célula {i}: ainda tem saídas")
                linhas += _fonte(c).splitlines()
        else:
            linhas = texto.splitlines()
        for n, linha in enumerate(linhas, 1):
            if RESTO.search(linha):
                problemas.append(f"{rel}, linha {n}: marca de solução '{linha.strip()}'")
            elif _normal(linha) in trechos:
                problemas.append(f"{rel}, linha {n}: trecho da solução ({trechos[_normal(linha)]}): {linha.strip()}")
    return problemas


def gerar(raiz, destino, *, avisar=print):
    """Gera o kit em ``destino`` de forma atômica e devolve o caminho.

    Monta tudo numa pasta temporária ao lado de ``destino``, confere, e só então troca; em qualquer
    erro a pasta temporária é apagada e um ``destino`` anterior fica como estava.
    """
    raiz, destino = Path(raiz).resolve(), Path(destino).resolve()
    if destino == raiz or destino in raiz.parents:
        raise ErroKit(f"{destino} contém o projeto; escolha outra pasta, por exemplo dist/aluno.")
    if destino.exists() and not (destino / MARCA_KIT).is_file():
        raise ErroKit(f"{destino} já existe e não é um kit do aluno gerado por este comando (falta "
                      f"{MARCA_KIT}); não apago uma pasta que não é um kit: escolha outra saída ou apague-a.")
    destino.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{destino.name}.novo-", dir=destino.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)           # mkdtemp cria com 0700
    try:
        regioes, mantido = _montar(raiz, tmp)
        (tmp / MARCA_KIT).write_text("kit do aluno gerado por tools/kit_aluno.py a partir da solução\n",
                                     encoding="utf-8")
        caract = _caracteristicas(regioes, mantido)
        problemas = conferir_kit(tmp, caract)
        if problemas:
            raise ErroKit("o kit gerado ainda tem solução:\n  " + "\n  ".join(problemas[:20]))
        for py in tmp.rglob("*.py"):
            try:
                compile(py.read_text(encoding="utf-8"), str(py), "exec")
            except SyntaxError as exc:
                raise ErroKit(f"{py.relative_to(tmp)} no kit não é Python válido: {exc.msg} (linha {exc.lineno}).") from exc
        sem = [r.origem for r, ls in caract if not ls and any(_normal(l) for l in r.linhas)]
        velho = None
        if destino.exists():
            velho = destino.parent / f".{destino.name}.velho-{os.getpid()}"
            os.rename(destino, velho)
        try:
            os.rename(tmp, destino)
        except OSError:
            if velho is not None:
                os.rename(velho, destino)
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if velho is not None:
        shutil.rmtree(velho, ignore_errors=True)
    n_nb = sum(1 for r in regioes if ".ipynb" in r.origem)
    avisar(f"kit do aluno em {destino}: {len(regioes) - n_nb} regiões de solução no pacote e {n_nb} nos "
           "notebooks trocadas por esqueletos; nenhuma marca nem trecho de solução sobrou.")
    for origem in sem:
        avisar(f"  aviso: {origem}: todas as linhas desta região também aparecem fora das regiões de "
               "solução (a conferência não tem como provar que ela não vazou).")
    return destino


# ============================================================================ validação
def _verificar(pasta_pacote, cwd):
    env = canonical_env(dict(os.environ, PYTHONPATH=str(pasta_pacote), PYTHONDONTWRITEBYTECODE="1"))
    proc = subprocess.run([sys.executable, "-m", "hw08.verificar", "--json"], cwd=cwd, env=env,
                          capture_output=True, text=True)
    try:
        dados = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        raise ErroKit(f"python -m hw08.verificar em {cwd} não produziu JSON (status {proc.returncode}):\n"
                      f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}") from None
    return proc.returncode, dados


def validar(raiz=RAIZ, avisar=print):
    """As duas direções: o kit falha em cada verificação por função faltando; a solução passa todas."""
    raiz = Path(raiz).resolve()
    erros = []
    with tempfile.TemporaryDirectory(prefix="hw08-kit-") as d:
        kit = gerar(raiz, Path(d) / "aluno", avisar=avisar)
        rc, dados = _verificar(kit, kit)
        if Path(dados["hw08"]).resolve() != (kit / "hw08").resolve():
            erros.append(f"no kit, o hw08 importado foi {dados['hw08']}, não o do kit ({kit / 'hw08'}).")
        if rc == 0:
            erros.append("no kit, python -m hw08.verificar passou, mas deveria falhar (nada a implementar?).")
        avisar("\nkit do aluno (deve faltar tudo):")
        for r in dados["resultados"]:
            ok = r["status"] == "falta" and r["mensagem"].startswith("Exercício") and ": implemente " in r["mensagem"]
            avisar(f"  {'ok' if ok else 'ERRO'}  {r['exercicio']}.{r['verificacao']}: {r['status']} — {r['mensagem']}")
            if not ok:
                erros.append(f"no kit, {r['exercicio']}.{r['verificacao']} deveria falhar por função faltando "
                             f"(NotImplementedError 'implemente …'); deu {r['status']}: {r['mensagem']}")
    rc, dados = _verificar(raiz, raiz)
    if Path(dados["hw08"]).resolve() != (raiz / "hw08").resolve():
        erros.append(f"na solução, o hw08 importado foi {dados['hw08']}, não {raiz / 'hw08'}.")
    avisar("\nsolução (deve passar tudo):")
    for r in dados["resultados"]:
        avisar(f"  {'ok' if r['status'] == 'ok' else 'ERRO'}  {r['exercicio']}.{r['verificacao']}: {r['status']}"
               + (f" — {r['mensagem']}" if r["mensagem"] else ""))
        if r["status"] != "ok":
            erros.append(f"na solução, {r['exercicio']}.{r['verificacao']} falhou: {r['mensagem']}")
    if rc != 0 and not erros:
        erros.append(f"na solução, python -m hw08.verificar saiu com status {rc}.")
    if erros:
        avisar("\nvalidar-aluno FALHOU:\n  " + "\n  ".join(erros))
        return 1
    avisar("\nvalidar-aluno: o kit falha em todas as verificações por função faltando e a solução passa todas.")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python tools/kit_aluno.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="comando")
    g = sub.add_parser("gerar", help="gera o kit do aluno (padrão: dist/aluno)")
    g.add_argument("-o", "--saida", default=str(RAIZ / "dist" / "aluno"))
    g.add_argument("--raiz", default=str(RAIZ), help=argparse.SUPPRESS)
    v = sub.add_parser("validar", help="kit falha e solução passa em python -m hw08.verificar")
    v.add_argument("--raiz", default=str(RAIZ), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.comando == "validar":
            return validar(args.raiz)
        gerar(getattr(args, "raiz", RAIZ), getattr(args, "saida", RAIZ / "dist" / "aluno"))
        return 0
    except ErroKit as exc:
        print(f"Erro ao gerar o kit do aluno: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
