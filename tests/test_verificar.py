"""hw08.verificar: passa na solução, acusa implementações erradas ou faltando, mensagens em português;
e hw08.ood.select_detector (a função da escolha do detector que ele verifica)."""
import json

import numpy as np
import pytest
import torch

import hw08.gmm
import hw08.kmeans
import hw08.mlp
import hw08.ood
from hw08 import verificar as v
from hw08.ood import select_detector

TODAS = [f"{ex}.{i}" for ex, vs in v.EXERCICIOS.items() for i, _, _ in vs]


def _um(nome):
    (sel,) = v._selecionar([nome])
    return v._rodar(*sel)


@pytest.mark.parametrize("nome", TODAS)
def test_solucao_passa(nome):
    r = _um(nome)
    assert r["status"] == "ok", r["mensagem"]


def _assign_argmax(X, C, **_):
    d = torch.cdist(X, C)
    return d.max(1).values, d.argmax(1)


def _kpp_uniforme(X, n_clusters, generator, X_sq=None, n_local_trials=None):
    return X[torch.randperm(X.shape[0], generator=generator)[:n_clusters]]


def _m_sem_reg(X, resp, reg_covar, covariance_type, compute_dtype=None):
    return ORIGINAIS["m"](X, resp, 0.0, covariance_type, compute_dtype)


def _e_sem_normalizar(self, X, weights, means, prec_chol):
    ll, log_resp = ORIGINAIS["e"](self, X, weights, means, prec_chol)
    return ll, log_resp + 0.1


def _select_pelo_mais_complexo(val_scores, *, complexity=None, metric="auroc"):
    best, table = ORIGINAIS["ood"](val_scores, complexity=complexity, metric=metric)
    return max(val_scores, key=lambda k: complexity[k]), table


ORIGINAIS = {"m": hw08.gmm._estimate_gaussian_parameters, "e": hw08.gmm.GaussianMixture._e_step,
             "ood": hw08.ood.select_detector}


@pytest.mark.parametrize(("nome", "alvo", "falso", "esperado"), [
    ("kmeans.atribuicao", (hw08.kmeans, "_assign"), _assign_argmax, "esperado [1, 1, 2, 2, 2]"),
    ("kmeans.exemplo-ae", (hw08.kmeans, "_assign"), _assign_argmax, "termina com custo 3,667"),
    ("kmeans.kmeans++", (hw08.kmeans, "_kmeans_plusplus"), _kpp_uniforme, "um centróide em cada grupo"),
    ("gmm.passo-m", (hw08.gmm, "_estimate_gaussian_parameters"), _m_sem_reg, "reg_covar"),
    ("gmm.passo-e", (hw08.gmm.GaussianMixture, "_e_step"), _e_sem_normalizar, "responsabilidades"),
    ("ood.escolha", (hw08.ood, "select_detector"), _select_pelo_mais_complexo, "maior AUROC de validação"),
])
def test_implementacao_errada_e_acusada(monkeypatch, nome, alvo, falso, esperado):
    monkeypatch.setattr(*alvo, falso)
    r = _um(nome)
    assert r["status"] == "errado"
    assert esperado in r["mensagem"]


def test_atualizacao_que_esquece_o_incremento_e_acusada(monkeypatch):
    original = hw08.kmeans._update_sums

    def falso(X, labels, ref_labels, sums, counts, n_clusters):
        if sums is not None:
            return sums, counts
        return original(X, labels, None, None, None, n_clusters)

    monkeypatch.setattr(hw08.kmeans, "_update_sums", falso)
    r = _um("kmeans.atualizacao")
    assert r["status"] == "errado" and "reaproveitando as somas anteriores" in r["mensagem"]


def test_mlp_que_nao_treina_e_acusado(monkeypatch):
    original = hw08.mlp.MLPClassifier.fit

    def sem_treino(self, X, y, validation_data=None):
        self.lr = 1e-12
        return original(self, X, y)

    monkeypatch.setattr(hw08.mlp.MLPClassifier, "fit", sem_treino)
    r = _um("mlp.treino")
    assert r["status"] == "errado" and "a perda de treino deveria cair" in r["mensagem"]


def test_funcao_faltando_e_erro_inesperado(monkeypatch):
    def falta(*a, **k):
        raise NotImplementedError("Exercício 1: implemente hw08.kmeans._assign (hw08/kmeans.py).")

    monkeypatch.setattr(hw08.kmeans, "_assign", falta)
    r = _um("kmeans.atribuicao")
    assert r["status"] == "falta" and r["mensagem"].startswith("Exercício 1: implemente hw08.kmeans._assign")
    r = _um("kmeans.exemplo-ae")                     # o K-means inteiro também diz qual função falta
    assert r["status"] == "falta" and "_assign" in r["mensagem"]

    def quebra(*a, **k):
        return None

    monkeypatch.setattr(hw08.kmeans, "_assign", quebra)
    r = _um("kmeans.atribuicao")
    assert r["status"] == "erro" and r["mensagem"].startswith("TypeError:") and "traceback" not in r


def test_cli(capsys, monkeypatch):
    assert v.main(["nada"]) == 2
    assert "exercício 'nada' desconhecido; use um de: kmeans, gmm, mlp, ood" in capsys.readouterr().err
    assert v.main(["--lista"]) == 0
    assert "kmeans.atribuicao: passo de atribuição do K-means" in capsys.readouterr().out
    assert v.main(["ood", "--json"]) == 0
    dados = json.loads(capsys.readouterr().out)
    assert dados["resultados"][0]["status"] == "ok" and dados["hw08"].endswith("hw08")

    def falta(*a, **k):
        raise NotImplementedError("Exercício 4: implemente hw08.ood.select_detector (hw08/ood.py).")

    monkeypatch.setattr(hw08.ood, "select_detector", falta)
    assert v.main(["ood"]) == 1
    saida = capsys.readouterr().out
    assert "FALTA IMPLEMENTAR" in saida and "implemente hw08.ood.select_detector" in saida
    assert "Traceback" not in saida and "0 de 1 verificações passaram" in saida


def test_verificar_no_notebook_devolve_bool(capsys):
    assert v.verificar("ood") is True
    assert "escolha do detector OOD pela validação: ok" in capsys.readouterr().out


# ----------------------------------------------------------------------------- select_detector
def test_select_detector_escolhe_pela_validacao_e_desempata_pela_complexidade():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    s_in = rng.normal(size=200)
    bom, fraco = rng.normal(-3, 1, 200), rng.normal(-1, 1, 200)
    val = {("full", 20): (s_in, bom), ("full", 5): (s_in, bom), ("diag", 1): (s_in, fraco)}
    melhor, tabela = select_detector(val, complexity={c: c[1] for c in val})
    assert melhor == ("full", 5)
    assert list(tabela.index) == [("full", 5), ("full", 20), ("diag", 1)]
    y = np.r_[np.ones(200), np.zeros(200)]
    assert tabela.loc[[("diag", 1)], "auroc"].iloc[0] == pytest.approx(roc_auc_score(y, np.r_[s_in, fraco]))
    # sem complexidade: no empate, a ordem de val_scores
    assert select_detector(val)[0] == ("full", 20)


def test_select_detector_fpr95_menor_e_melhor():
    s_in = np.linspace(0, 1, 100)
    val = {"a": (s_in, s_in - 0.5), "b": (s_in, s_in - 0.01)}
    melhor, tabela = select_detector(val, metric="fpr95")
    assert melhor == "a" and tabela["fpr95"].is_monotonic_increasing


@pytest.mark.parametrize(("kwargs", "padrao"), [
    ({"val_scores": {}}, "val_scores está vazio"),
    ({"val_scores": {"a": ([1.0], [0.0])}, "metric": "f1"}, "metric='f1' inválida"),
    ({"val_scores": {"a": ([1.0], [0.0])}, "complexity": {}}, "complexity não tem os candidatos"),
])
def test_select_detector_erros_em_portugues(kwargs, padrao):
    with pytest.raises(ValueError, match=padrao):
        select_detector(**kwargs)


# ----------------------------------------------------------------------------- API da base de mistura (issue 12)
def test_passo_e_com_a_assinatura_da_base_de_mistura(monkeypatch):
    """Se o passo E passar a receber params = (π, μ, Σ, U), a verificação o chama assim."""
    original = hw08.gmm.GaussianMixture._e_step

    def e_step(self, X, params):
        self._compute_dtype = torch.float64
        weights, means, _, prec_chol = params
        return original(self, X, weights, means, prec_chol)

    monkeypatch.setattr(hw08.gmm.GaussianMixture, "_e_step", e_step)
    assert _um("gmm.passo-e")["status"] == "ok"


def test_escolha_ood_com_choose_by_validation(monkeypatch):
    """Sem select_detector, a verificação usa hw08.ood.choose_by_validation(linhas) -> índice."""
    def choose_by_validation(rows):
        return min(range(len(rows)), key=lambda i: (-rows[i]["val_auroc"], rows[i].get("n_components", 0)))

    monkeypatch.delattr(hw08.ood, "select_detector")
    monkeypatch.setattr(hw08.ood, "choose_by_validation", choose_by_validation, raising=False)
    r = _um("ood.escolha")
    assert r["status"] == "ok" and r["funcao"] == "hw08.ood.choose_by_validation"
    monkeypatch.setattr(hw08.ood, "choose_by_validation", lambda rows: len(rows) - 1)
    r = _um("ood.escolha")
    assert r["status"] == "errado" and "maior AUROC de validação" in r["mensagem"]
