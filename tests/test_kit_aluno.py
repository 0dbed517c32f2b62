"""Testes do gerador do kit do aluno (tools/kit_aluno.py) com um módulo e um notebook de brinquedo."""
import importlib.util
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("kit_aluno", ROOT / "tools" / "kit_aluno.py")
kit = importlib.util.module_from_spec(_spec)
sys.modules["kit_aluno"] = kit
_spec.loader.exec_module(kit)

MODULO = '''"""Módulo de brinquedo."""


def quadrado_mais_um(x):
    """Devolve x² + 1."""
    y = x * x
    # BEGIN SOLUTION Exercício 9 (notebooks/brinquedo.ipynb)
    resposta_secreta = y + 1
    return resposta_secreta
    # END SOLUTION


class Modelo:
    def fit(self, X):
        self.n_ = len(X)
        for _ in range(3):
            # BEGIN SOLUTION
            self.passo_interno_secreto = self.n_ * 2
            # END SOLUTION
        return self


def infraestrutura(x):
    return x - 1
'''


def _cel(tipo, fonte, tags=None, i=[0]):  # noqa: B006 — contador de ids
    i[0] += 1
    c = {"cell_type": tipo, "id": f"c{i[0]}", "metadata": {"tags": tags} if tags else {},
         "source": fonte.splitlines(keepends=True)}
    if tipo == "code":
        c.update(execution_count=3, outputs=[{"output_type": "stream", "name": "stdout", "text": ["segredo\n"]}])
    return c


def _notebook():
    return {"nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "widgets": {"estado": 1}},
            "cells": [
                _cel("markdown", "# Enunciado\n\nCalcule o quadrado."),
                _cel("code", "import math\n\n\ndef quadrado(x):\n    \"\"\"Devolve x².\"\"\"\n    return x * x\n\n"
                             "valor_secreto = quadrado(3) + math.pi\nauxiliar_nao_usado = 7\n", [kit.TAG]),
                _cel("code", "print(valor_secreto)"),
                _cel("code", "print(quadrado(2), math.e)"),
                _cel("markdown", "A resposta secreta é 42.", [kit.TAG, "outra"]),
                _cel("markdown", "## Conclusão: dá certo?\n\nSim, porque 42.", [kit.TAG]),
                _cel("code", "a = 1\n### BEGIN SOLUTION\nb_secreto = a + 41\n### END SOLUTION\nprint(b_secreto)"),
                _cel("code", "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1000\n    ### END SOLUTION\n"),
                _cel("markdown", "Enunciado da (b).\n\n<!-- BEGIN SOLUTION -->\nResposta escondida (b).\n"
                                 "<!-- END SOLUTION -->\n\nFim."),
            ]}


# ----------------------------------------------------------------------------- módulo
def test_modulo_regioes_viram_raise_com_mensagem_e_indentacao():
    novo, regioes = kit.limpar_modulo(MODULO, "hw08.brinquedo", "hw08/brinquedo.py")
    assert "BEGIN SOLUTION" not in novo and "END SOLUTION" not in novo
    assert "secreta" not in novo and "passo_interno_secreto" not in novo
    assert [r.origem.split(" ")[-1] for r in regioes] == ["(quadrado_mais_um)", "(Modelo.fit)"]
    assert ('    raise NotImplementedError("Exercício 9 (notebooks/brinquedo.ipynb): implemente '
            'hw08.brinquedo.quadrado_mais_um (hw08/brinquedo.py).")') in novo
    assert '            raise NotImplementedError("Exercício: implemente hw08.brinquedo.Modelo.fit' in novo
    mod = types.ModuleType("brinquedo")
    exec(compile(novo, "brinquedo.py", "exec"), mod.__dict__)  # importável
    assert mod.infraestrutura(3) == 2
    with pytest.raises(NotImplementedError, match=r"Exercício 9 .*implemente hw08\.brinquedo\.quadrado_mais_um"):
        mod.quadrado_mais_um(2)
    with pytest.raises(NotImplementedError, match="Modelo.fit"):
        mod.Modelo().fit([1, 2])


def test_modulo_sem_marcas_fica_igual():
    texto = "def f():\n    return 1\n"
    assert kit.limpar_modulo(texto, "hw08.x", "hw08/x.py") == (texto, [])


@pytest.mark.parametrize(("texto", "padrao"), [
    ("# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n", "fora de uma função"),
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", "sem END SOLUTION"),
    ("def f():\n    return 1\n    # END SOLUTION\n", "END SOLUTION sem BEGIN"),
    ("def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n", "dentro de outra"),
    ("def f():\n    x = 1  # BEGIN SOLUTION\n    return x\n", "fora do formato"),
])
def test_modulo_marcas_mal_formadas_dizem_onde(texto, padrao):
    with pytest.raises(kit.ErroKit, match=padrao):
        kit.limpar_modulo(texto, "hw08.x", "hw08/x.py")


# ----------------------------------------------------------------------------- notebook
def test_notebook_esqueletos_e_sem_saidas():
    nb, regioes = kit.limpar_notebook(_notebook(), "notebooks/brinquedo.ipynb", ("kmeans",))
    fontes = ["".join(c["source"]) for c in nb["cells"]]
    tudo = "\n".join(fontes)
    assert len(regioes) == 6
    for segredo in ("return x * x", "valor_secreto = quadrado", "42", "a + 41", "x + 1000", "escondida"):
        assert segredo not in tudo
    assert "BEGIN SOLUTION" not in tudo and "END SOLUTION" not in tudo
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb["cells"] if c["cell_type"] == "code")
    assert all(kit.TAG not in c["metadata"].get("tags", []) for c in nb["cells"])
    assert "widgets" not in nb["metadata"]
    # esqueleto da célula inteira: imports mantidos, assinatura + docstring, nomes usados depois
    esq = fontes[1]
    assert esq.startswith("import math\nfrom hw08.verificar import a_fazer\n\n" + kit.SEU_CODIGO)
    assert 'def quadrado(x):\n    """Devolve x²."""\n    # SEU CÓDIGO AQUI\n    raise NotImplementedError' in esq
    assert 'valor_secreto = a_fazer("valor_secreto")' in esq
    assert "auxiliar_nao_usado" not in esq            # ninguém usa depois: não precisa existir
    # célula de autoverificação logo depois da primeira célula de código
    assert nb["cells"][2]["id"] == "autoverificacao-md" and "verificar('kmeans')" in fontes[3]
    assert fontes[6] == kit.RESPOSTA and nb["cells"][6]["metadata"]["tags"] == ["outra"]
    assert fontes[7] == "## Conclusão: dá certo?\n\n" + kit.RESPOSTA             # o título (a pergunta) fica
    assert "Enunciado da (b)." in fontes[10] and kit.RESPOSTA in fontes[10] and "Fim." in fontes[10]
    assert _notebook()["cells"][1]["outputs"]          # o original não é alterado


def test_notebook_do_aluno_roda_sem_nameerror():
    """Rodando as células do kit em ordem: nenhuma quebra por nome indefinido; o uso de um nome do
    esqueleto e a função esqueleto dizem o que completar."""
    nb, _ = kit.limpar_notebook(_notebook(), "nb", ())
    ns, erros = {}, []
    for c in nb["cells"]:
        if c["cell_type"] != "code":
            continue
        try:
            exec(compile("".join(c["source"]), "celula", "exec"), ns)
            erros.append(None)
        except Exception as exc:  # noqa: BLE001
            erros.append(exc)
    assert not any(isinstance(e, NameError) for e in erros), erros
    assert erros[0] is None                                   # o esqueleto em si roda
    assert isinstance(erros[1], NotImplementedError) and "valor_secreto" in str(erros[1])
    assert "SEU CÓDIGO AQUI" in str(erros[1])
    assert isinstance(erros[2], NotImplementedError) and "quadrado" in str(erros[2])
    assert isinstance(erros[3], NotImplementedError) and "b_secreto" in str(erros[3])
    assert erros[4] is None and callable(ns["f"])
    with pytest.raises(NotImplementedError, match="complete esta parte"):
        ns["f"](1)


def test_a_fazer_falha_com_mensagem_em_qualquer_uso():
    import numpy as np

    from hw08.verificar import a_fazer

    x = a_fazer("centros")
    assert "falta calcular `centros`" in repr(x)
    for uso in (lambda: x.shape, lambda: x[0], lambda: x + 1, lambda: len(x), lambda: np.asarray(x),
                lambda: f"{x:.3f}", lambda: str(x), lambda: list(x), lambda: x()):
        with pytest.raises(NotImplementedError, match="`centros` ainda não foi calculado"):
            uso()


# ----------------------------------------------------------------------------- o kit inteiro
def _repo_brinquedo(raiz):
    (raiz / "hw08").mkdir(parents=True)
    (raiz / "hw08" / "__init__.py").write_text('"""Pacote de brinquedo."""\n', encoding="utf-8")
    (raiz / "hw08" / "brinquedo.py").write_text(MODULO, encoding="utf-8")
    (raiz / "notebooks").mkdir()
    (raiz / "notebooks" / "01_brinquedo.ipynb").write_text(
        json.dumps(_notebook(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (raiz / "tests").mkdir()
    (raiz / "tests" / "test_data.py").write_text("def test_ok():\n    assert True\n", encoding="utf-8")
    (raiz / "tests" / "test_brinquedo.py").write_text("# teste da solução: não vai\n", encoding="utf-8")
    (raiz / "pyproject.toml").write_text("[project]\nname = 'hw08'\n", encoding="utf-8")
    return raiz


def test_gerar_kit_de_brinquedo(tmp_path):
    raiz = _repo_brinquedo(tmp_path / "repo")
    destino = kit.gerar(raiz, tmp_path / "dist" / "aluno", avisar=lambda *_: None)
    arquivos = sorted(p.relative_to(destino).as_posix() for p in destino.rglob("*") if p.is_file())
    assert arquivos == [".kit-aluno", "Makefile", "README.md", "hw08/__init__.py", "hw08/brinquedo.py",
                        "notebooks/01_brinquedo.ipynb", "pyproject.toml", "tests/test_data.py"]
    assert kit.conferir_kit(destino) == []
    texto = (destino / "hw08" / "brinquedo.py").read_text(encoding="utf-8")
    assert "raise NotImplementedError" in texto and "resposta_secreta" not in texto
    nb_texto = (destino / "notebooks" / "01_brinquedo.ipynb").read_text(encoding="utf-8")
    assert nb_texto == json.dumps(json.loads(nb_texto), indent=1, ensure_ascii=False) + "\n"  # como o original
    assert sorted(p.name for p in destino.parent.iterdir()) == ["aluno"]       # sem temporários


def test_conferir_kit_acha_marcas_e_trechos(tmp_path):
    (tmp_path / "hw08").mkdir()
    (tmp_path / "hw08" / "a.py").write_text("x = 1\n# END SOLUTION\nresposta_secreta = y + 1\n", encoding="utf-8")
    regiao = kit.Regiao("hw08/b.py:3-4 (f)", ["    resposta_secreta = y + 1", "    return y"])
    caract = kit._caracteristicas([regiao], ["def f():\n    return y\n"])
    assert caract[0][1] == ["resposta_secreta = y + 1"]     # 'return y' é curto e também fica
    problemas = kit.conferir_kit(tmp_path, caract)
    assert any("marca de solução" in p for p in problemas)
    assert any("trecho da solução (hw08/b.py:3-4 (f))" in p for p in problemas)


def test_falha_preserva_kit_bom(tmp_path):
    raiz = _repo_brinquedo(tmp_path / "repo")
    destino = tmp_path / "dist" / "aluno"
    kit.gerar(raiz, destino, avisar=lambda *_: None)
    antes = {p.relative_to(destino): p.read_bytes() for p in destino.rglob("*") if p.is_file()}
    # fonte quebrada: BEGIN sem END
    (raiz / "hw08" / "brinquedo.py").write_text(MODULO + "\n\ndef g():\n    # BEGIN SOLUTION\n    return 2\n",
                                                encoding="utf-8")
    with pytest.raises(kit.ErroKit, match="sem END SOLUTION"):
        kit.gerar(raiz, destino, avisar=lambda *_: None)
    depois = {p.relative_to(destino): p.read_bytes() for p in destino.rglob("*") if p.is_file()}
    assert depois == antes
    assert sorted(p.name for p in destino.parent.iterdir()) == ["aluno"]


def test_nao_apaga_pasta_que_nao_e_kit(tmp_path):
    raiz = _repo_brinquedo(tmp_path / "repo")
    alheia = tmp_path / "meus_arquivos"
    alheia.mkdir()
    (alheia / "importante.txt").write_text("não apague", encoding="utf-8")
    with pytest.raises(kit.ErroKit, match="não é um kit do aluno"):
        kit.gerar(raiz, alheia, avisar=lambda *_: None)
    assert (alheia / "importante.txt").read_text(encoding="utf-8") == "não apague"
    with pytest.raises(kit.ErroKit, match="contém o projeto"):
        kit.gerar(raiz, raiz, avisar=lambda *_: None)


def test_cli_erro_sem_traceback(tmp_path):
    raiz = _repo_brinquedo(tmp_path / "repo")
    (raiz / "hw08" / "brinquedo.py").write_text("def f():\n    # BEGIN SOLUTION\n    return 1\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "kit_aluno.py"), "gerar", "--raiz", str(raiz),
                           "-o", str(tmp_path / "dist" / "aluno")], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Erro ao gerar o kit do aluno: hw08/brinquedo.py, linha 2: BEGIN SOLUTION sem END" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "dist" / "aluno").exists()


# ----------------------------------------------------------------------------- o kit deste repositório
def test_kit_do_repositorio(tmp_path):
    destino = kit.gerar(ROOT, tmp_path / "aluno", avisar=lambda *_: None)
    assert kit.conferir_kit(destino) == []
    for nome in ("README.md", "Makefile", "pyproject.toml", "hw08/verificar.py", "hw08/data.py",
                 "hw08/export.py", "hw08/templates/hw08/index.tex.j2"):
        assert (destino / nome).is_file(), nome
    assert not (destino / "tools").exists() and not (destino / "benchmarks").exists()
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert [p.name for p in sorted((destino / "notebooks").glob("*.ipynb"))] == [p.name for p in notebooks]
    for p in (destino / "notebooks").glob("*.ipynb"):
        nb = json.loads(p.read_text(encoding="utf-8"))
        ids = [c["id"] for c in nb["cells"]]
        assert len(ids) == len(set(ids)), p.name
        if p.stem in kit.VERIFICACAO:
            assert "autoverificacao" in ids, p.name
    for py in (destino / "hw08").glob("*.py"):
        compile(py.read_text(encoding="utf-8"), str(py), "exec")
    readme = (destino / "README.md").read_text(encoding="utf-8")
    assert "make pdf" in readme and "make test" in readme and "python -m hw08.verificar" in readme
    make = subprocess.run(["make", "-n", "-C", str(destino), "test", "pdf"], capture_output=True, text=True)
    assert make.returncode == 0, make.stderr


def test_regioes_do_pacote_cobrem_os_exercicios_e_nao_vazam(tmp_path):
    """Cada função do enunciado tem sua região; cada região tem linhas exclusivas, e nenhuma sobra no kit."""
    regioes, mantido = kit._montar(ROOT, tmp_path / "kit")
    pacote = [r for r in regioes if r.origem.startswith("hw08/")]
    caract = kit._caracteristicas(pacote, mantido)
    sem = [r.origem for r, linhas in caract if not linhas]
    assert not sem, f"regiões sem nenhuma linha exclusiva (a solução aparece fora delas): {sem}"
    assert kit.conferir_kit(tmp_path / "kit", caract) == []
    raises = [linha for p in (tmp_path / "kit" / "hw08").glob("*.py")
              for linha in p.read_text(encoding="utf-8").splitlines()
              if "raise NotImplementedError(" in linha and ": implemente hw08." in linha]
    assert len(raises) == len(pacote)
    for exercicio in ("passo de atribuição", "passo de atualização", "k-means++", "passo E", "passo M",
                      "laço de treino", "escolha do detector"):
        assert any(exercicio in r and ": implemente hw08." in r for r in raises), exercicio
    assert all(r.strip().startswith('raise NotImplementedError("Exercício ') for r in raises)
