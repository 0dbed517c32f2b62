"""hw08.verificar: passa na solução, acusa implementações erradas ou faltando, mensagens em português."""
import json

import numpy as np
import pytest
import torch

import hw08._kmeans_common
import hw08.gmm
import hw08.kmeans
import hw08.mlp
import hw08.ood
from hw08 import verificar as v

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


def _e_sem_pesos(self, X, params):
    weights, means, cov, prec_chol = params
    return ORIGINAIS["e"](self, X, (torch.ones_like(weights), means, cov, prec_chol))


def _escolha_pelo_maior_k(rows):
    melhor = max(r["val_auroc"] for r in rows)
    return max((i for i, r in enumerate(rows) if r["val_auroc"] == melhor), key=lambda i: rows[i]["n_components"])


ORIGINAIS = {"m": hw08.gmm._estimate_gaussian_parameters,
             "e": hw08.gmm.GaussianMixture._estimate_weighted_log_prob}


@pytest.mark.parametrize(("nome", "alvo", "falso", "esperado"), [
    ("kmeans.atribuicao", (hw08.kmeans, "_assign"), _assign_argmax, "esperado [1, 1, 2, 2, 2]"),
    ("kmeans.exemplo-ae", (hw08.kmeans, "_assign"), _assign_argmax, "termina com custo 3,667"),
    ("kmeans.kmeans++", (hw08._kmeans_common, "kmeans_plusplus"), _kpp_uniforme, "um centróide em cada grupo"),
    ("gmm.passo-m", (hw08.gmm, "_estimate_gaussian_parameters"), _m_sem_reg, "reg_covar"),
    ("gmm.passo-e", (hw08.gmm.GaussianMixture, "_estimate_weighted_log_prob"), _e_sem_pesos, "responsabilidades"),
    ("ood.escolha", (hw08.ood, "choose_by_validation"), _escolha_pelo_maior_k, "maior AUROC de validação"),
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
        raise NotImplementedError("Exercício 4: implemente hw08.ood.choose_by_validation (hw08/ood.py).")

    monkeypatch.setattr(hw08.ood, "choose_by_validation", falta)
    assert v.main(["ood"]) == 1
    saida = capsys.readouterr().out
    assert "FALTA IMPLEMENTAR" in saida and "implemente hw08.ood.choose_by_validation" in saida
    assert "Traceback" not in saida and "0 de 1 verificações passaram" in saida


def test_verificar_no_notebook_devolve_bool(capsys):
    assert v.verificar("ood") is True
    assert "escolha do detector OOD pela validação: ok" in capsys.readouterr().out


# ----------------------------------------------------------------------------- escolha OOD (issue 12)
def test_escolha_ood_usa_choose_by_validation():
    """A verificação chama hw08.ood.choose_by_validation(linhas) -> índice; uma escolha errada é acusada."""
    r = _um("ood.escolha")
    assert r["status"] == "ok" and r["funcao"] == "hw08.ood.choose_by_validation"
    assert not hasattr(hw08.ood, "select_detector")   # uma só implementação da escolha


def test_escolha_ood_errada_pela_ultima_linha(monkeypatch):
    monkeypatch.setattr(hw08.ood, "choose_by_validation", lambda rows: len(rows) - 1)
    r = _um("ood.escolha")
    assert r["status"] == "errado" and "maior AUROC de validação" in r["mensagem"]
