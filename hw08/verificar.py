"""Autoverificação dos exercícios: ``python -m hw08.verificar [exercício ...]``.

Cada verificação chama uma função que o enunciado pede para implementar e compara o resultado com
um oráculo independente — uma conta à mão do handout, o scikit-learn, o SciPy ou o numpy — com
tolerância declarada (nunca dígito a dígito). As mensagens dizem o que está errado; uma função
ainda não implementada (que levanta ``NotImplementedError``, como no kit do aluno) aparece como
"falta implementar", com a mensagem que diz onde ela está.

Exercícios e verificações (``python -m hw08.verificar --lista``):

* ``kmeans``: passo de atribuição, passo de atualização, o exemplo A–E do handout, k-means++;
* ``gmm``: passo E, passo M e o EM completo contra o scikit-learn;
* ``mlp``: o laço de treino, numa amostra sintética pequena;
* ``ood``: a escolha do detector pela validação.

No notebook::

    from hw08.verificar import verificar
    verificar("kmeans")

Status de saída do comando: 0 se tudo passou, 1 se algo falhou ou falta, 2 para um exercício
desconhecido. ``--json`` imprime o resultado em JSON (usado por ``make validar-aluno``);
``--debug`` mostra o traceback dos erros inesperados.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
import warnings

import numpy as np

from .formato import pt

__all__ = ["verificar", "a_fazer", "EXERCICIOS", "main"]

# Tolerâncias (as mesmas da conferência dos notebooks): contas determinísticas em float64 são
# comparadas com tolerância relativa 1e-6; em float32 (o K-means trabalha em float32 se a
# entrada for float32) com 1e-5. Nenhuma comparação depende dos últimos dígitos da CPU.
RTOL = 1e-6
RTOL_FLOAT32 = 1e-5
ATOL = 1e-9


class Falhou(AssertionError):
    """O resultado não confere com o oráculo (a mensagem diz o que se esperava)."""


# --------------------------------------------------------------------------------------------
# Onde está cada função dos exercícios. Se o pacote mudar de lugar uma função, é aqui que se
# ajusta (o primeiro nome que existir é usado).
_FUNCOES = {
    "atribuicao": ["hw08.kmeans:_assign"],
    "atualizacao": ["hw08.kmeans:_update_sums"],
    "kmeans++": ["hw08._kmeans_common:kmeans_plusplus"],
    "log_gauss": ["hw08.gmm:_estimate_log_gaussian_prob"],
    "passo_e": ["hw08.gmm:GaussianMixture._estimate_weighted_log_prob"],
    "passo_m": ["hw08.gmm:_estimate_gaussian_parameters"],
    "mlp": ["hw08.mlp:MLPClassifier.fit"],
    "ood": ["hw08.ood:choose_by_validation"],
}


def _achar(chave):
    """(nome legível, objeto) da primeira função de ``_FUNCOES[chave]`` que existe."""
    for alvo in _FUNCOES[chave]:
        modulo, _, nome = alvo.partition(":")
        try:
            obj = importlib.import_module(modulo)
        except ImportError:
            continue
        for parte in nome.split("."):
            obj = getattr(obj, parte, None)
            if obj is None:
                break
        if obj is not None:
            return f"{modulo}.{nome}", obj
    raise Falhou(f"não achei a função ({' ou '.join(_FUNCOES[chave])}) no pacote hw08.")


def _fmt(x, casas=3):
    """Número ou array em pt-BR (vírgula decimal) para as mensagens."""
    a = np.asarray(x, dtype=float)
    if a.ndim == 0:
        return pt(float(a), casas, milhar=False)
    return "[" + "; ".join(_fmt(v, casas) for v in a) + "]"


def _perto(obtido, esperado, rtol=RTOL, atol=ATOL):
    obtido = np.asarray(obtido, dtype=float)
    esperado = np.asarray(esperado, dtype=float)
    return obtido.shape == esperado.shape and bool(np.allclose(obtido, esperado, rtol=rtol, atol=atol))


def _rtol(t):
    """Tolerância relativa conforme o dtype do resultado (tensor ou array)."""
    return RTOL_FLOAT32 if str(getattr(t, "dtype", "")).endswith("float32") else RTOL


def _np(t):
    return t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)


# O exemplo A–E do handout (seção 1.3.4; notebooks/05_secao_clustering.ipynb), K = 2, começando
# com as médias em A e C. Contas à mão: 1ª atribuição {A, B} e {C, D, E}; médias (1; 0,5) e
# (5/3; 11/3); 2ª atribuição {A, B, C} e {D, E}; médias (2/3; 1) e (2,5; 4,5); custo final
# 1/9 + 10/9 + 13/9 + 1/2 + 1/2 = 11/3 ≈ 3,667.
PONTOS_AE = np.array([[1, 1], [1, 0], [0, 2], [2, 4], [3, 5]], dtype=float)
CUSTO_AE = 11 / 3


# --------------------------------------------------------------------------------------------
# K-means
def _v_atribuicao():
    import torch
    from scipy.spatial.distance import cdist

    nome, assign = _achar("atribuicao")
    X = torch.tensor(PONTOS_AE)
    _, rotulos = assign(X, X[[0, 2]])
    rotulos = _np(rotulos)
    if rotulos.tolist() != [0, 0, 1, 1, 1]:
        raise Falhou(
            "no exemplo A–E do handout, com as médias em A e C, a 1ª atribuição é A, B → grupo 1 e "
            f"C, D, E → grupo 2 (D: 8 < 10; E: 18 < 20); esperado [1, 1, 2, 2, 2], obtido: "
            f"{(rotulos + 1).tolist()}."
        )
    rng = np.random.default_rng(0)
    Xr, C = rng.normal(size=(300, 6)), rng.normal(size=(5, 6))
    parcial, rotulos = assign(torch.tensor(Xr), torch.tensor(C))
    d2 = cdist(Xr, C, "sqeuclidean")
    esperado = d2.argmin(1)
    rotulos = _np(rotulos)
    erradas = np.flatnonzero(rotulos != esperado)
    if len(erradas):
        i = erradas[0]
        raise Falhou(
            f"em 300 pontos aleatórios, {len(erradas)} não foram para o centróide mais próximo "
            f"(ponto {i}: distâncias² {_fmt(d2[i])}, esperado o grupo {esperado[i]}, obtido {rotulos[i]})."
        )
    d2_min = _np(parcial) + (Xr * Xr).sum(1)
    if not _perto(d2_min, d2.min(1), rtol=_rtol(parcial), atol=1e-6):
        raise Falhou(
            "a primeira saída (o mínimo de ‖μ_k‖² − 2 x·μ_k) não confere: somada a ‖x‖², deveria dar a "
            f"distância² ao centróide mais próximo; esperado {_fmt(d2.min(1)[:3])}…, obtido {_fmt(d2_min[:3])}…."
        )
    return nome


def _centros(soma, contagem):
    soma, contagem = _np(soma).astype(float), _np(contagem).astype(float)
    return soma / contagem[:, None], contagem


def _v_atualizacao():
    import pandas as pd
    import torch

    nome, update = _achar("atualizacao")
    X = torch.tensor(PONTOS_AE)
    somas, contagens = update(X, torch.tensor([0, 0, 1, 1, 1]), None, None, None, 2)
    centros, n = _centros(somas, contagens)
    esperado = np.array([[1, 0.5], [5 / 3, 11 / 3]])
    if n.tolist() != [2, 3] or not _perto(centros, esperado):
        raise Falhou(
            "no exemplo A–E, com os grupos {A, B} e {C, D, E}, as novas médias são (1; 0,5) e "
            f"(5/3; 11/3) ≈ (1,667; 3,667), com 2 e 3 pontos; obtido: médias {_fmt(centros.ravel())}, "
            f"contagens {n.astype(int).tolist()}."
        )
    rng = np.random.default_rng(1)
    Xr = rng.normal(size=(400, 5))
    r0 = rng.integers(0, 4, size=400)
    r1 = r0.copy()
    r1[:20] = (r1[:20] + 1) % 4                      # poucos pontos trocam de grupo
    Xt = torch.tensor(Xr)
    for rotulos, ref, descricao in ((r0, None, "do zero"), (r1, r0, "reaproveitando as somas anteriores")):
        if ref is None:
            somas, contagens = update(Xt, torch.tensor(rotulos), None, None, None, 4)
        else:
            somas, contagens = update(Xt, torch.tensor(rotulos), torch.tensor(ref), somas, contagens, 4)
        centros, n = _centros(somas, contagens)
        oraculo = pd.DataFrame(Xr).groupby(rotulos).mean().to_numpy()
        if n.tolist() != np.bincount(rotulos, minlength=4).tolist() or not _perto(centros, oraculo):
            raise Falhou(
                f"em 400 pontos aleatórios ({descricao}), somas/contagens não dão a média de cada grupo: "
                f"esperado μ_1 = {_fmt(oraculo[0])}, obtido {_fmt(centros[0])}; contagens esperadas "
                f"{np.bincount(rotulos, minlength=4).tolist()}, obtidas {n.astype(int).tolist()}."
            )
    return nome


def _v_exemplo_ae():
    from hw08 import KMeans

    km = KMeans(2, init=PONTOS_AE[[0, 2]], n_init=1, device="cpu").fit(PONTOS_AE)
    rotulos = np.asarray(km.labels_).tolist()
    centros = np.asarray(km.cluster_centers_, dtype=float)
    rtol = _rtol(km.cluster_centers_)
    if not np.isclose(km.inertia_, CUSTO_AE, rtol=rtol):
        raise Falhou(
            f"seu K-means no exemplo A–E do handout termina com custo {_fmt(CUSTO_AE)} (= 11/3)? "
            f"obtido: {_fmt(km.inertia_, 6)}."
        )
    if rotulos != [0, 0, 0, 1, 1] or not _perto(centros, [[2 / 3, 1], [2.5, 4.5]], rtol=rtol):
        raise Falhou(
            "no exemplo A–E os grupos finais são {A, B, C} com média (0,667; 1) e {D, E} com média "
            f"(2,5; 4,5); obtido: grupos {[r + 1 for r in rotulos]}, médias {_fmt(centros.ravel())}."
        )
    return "hw08.KMeans.fit (atribuição + atualização)"


def _v_kmeanspp():
    import torch

    nome, kpp = _achar("kmeans++")

    def rodar(X, k, semente, n_local_trials=None):
        g = torch.Generator().manual_seed(semente)
        return _np(kpp(torch.tensor(X), k, g, n_local_trials=n_local_trials))

    rng = np.random.default_rng(2)
    cantos = np.array([[0, 0], [100, 0], [0, 100], [100, 100]], dtype=float)
    X = np.concatenate([c + rng.normal(size=(50, 2)) for c in cantos])
    for semente in range(5):
        C = rodar(X, 4, semente)
        if C.shape != (4, 2):
            raise Falhou(f"esperado um array (4, 2) de centróides; obtido forma {C.shape}.")
        if not all((np.abs(X - c).max(1) < 1e-12).any() for c in C):
            raise Falhou("cada centróide do k-means++ deve ser um dos pontos de X; algum não é.")
        grupos = sorted({int(np.argmin(((cantos - c) ** 2).sum(1))) for c in C})
        if grupos != [0, 1, 2, 3]:
            raise Falhou(
                "com 4 grupos bem separados (distância 100, desvio 1), o k-means++ deveria pôr um centróide "
                f"em cada grupo (semente {semente}); obtido centróides nos grupos {grupos}."
            )
    # D² com um candidato por passo: pontos 0, 1 e 3 na reta, K = 2. Conta à mão:
    # P({0, 1}) = (1/3)(1/10) + (1/3)(1/5) = 0,100; P({0, 3}) = (1/3)(9/10) + (1/3)(9/13) = 0,531;
    # P({1, 3}) = (1/3)(4/5) + (1/3)(4/13) = 0,369. Com 1000 sorteios o desvio-padrão das
    # frequências é ≤ 0,016; tolerância 0,06 (≈ 4 desvios). Sortear uniforme daria 1/3 cada, e
    # proporcional a D (não D²) daria P({0, 1}) = 0,194.
    reta = np.array([[0.0], [1.0], [3.0]])
    contagem = {(0, 1): 0, (0, 3): 0, (1, 3): 0}
    n = 1000
    for semente in range(n):
        par = tuple(sorted(int(v) for v in rodar(reta, 2, semente, n_local_trials=1)[:, 0]))
        if par not in contagem:
            raise Falhou(f"os 2 centróides deveriam ser pontos distintos de {{0, 1, 3}}; obtido {par}.")
        contagem[par] += 1
    esperado = {(0, 1): 0.1, (0, 3): 0.3 + 3 / 13, (1, 3): 0.8 / 3 + 4 / 39}
    for par, p in esperado.items():
        if abs(contagem[par] / n - p) > 0.06:
            raise Falhou(
                "com n_local_trials=1 cada novo centróide é sorteado com probabilidade ∝ D(x)² (distância "
                f"ao centróide mais próximo já escolhido). Nos pontos 0, 1, 3 (K = 2) o par {set(par)} deveria "
                f"sair em {_fmt(100 * p, 1)} % de {n} sorteios; obtido {_fmt(100 * contagem[par] / n, 1)} %."
            )
    return nome


# --------------------------------------------------------------------------------------------
# GMM
def _gmm_problema(tipo, semente=3):
    """Dados, pesos, médias e covariâncias (na forma de ``tipo``) de um problema pequeno."""
    rng = np.random.default_rng(semente)
    n, d, k = 60, 3, 3
    X = rng.normal(size=(n, d)) * 2
    pesos = np.array([0.5, 0.3, 0.2])
    medias = rng.normal(size=(k, d)) * 2
    A = rng.normal(size=(k, d, d))
    cheias = A @ A.transpose(0, 2, 1) + np.eye(d)
    cov = {"full": cheias, "tied": cheias[0], "diag": np.stack([np.diag(c) for c in cheias]),
           "spherical": np.array([np.trace(c) / d for c in cheias])}[tipo]
    return X, pesos, medias, cov


def _cheia(cov, tipo, k, d):
    """Covariância de cada componente como matriz (K, D, D), a partir da forma de ``tipo``."""
    if tipo == "full":
        return cov
    if tipo == "tied":
        return np.repeat(cov[None], k, axis=0)
    if tipo == "diag":
        return np.stack([np.diag(c) for c in cov])
    return np.stack([np.eye(d) * c for c in cov])


def _v_passo_e():
    import torch
    from scipy.special import logsumexp
    from scipy.stats import multivariate_normal

    from hw08 import gmm as modulo

    nome, _ = _achar("passo_e")
    nome_log, _ = _achar("log_gauss")
    for tipo in ("full", "tied", "diag", "spherical"):
        X, pesos, medias, cov = _gmm_problema(tipo)
        k, d = medias.shape
        cheias = _cheia(cov, tipo, k, d)
        log_pn = np.column_stack([multivariate_normal(medias[j], cheias[j]).logpdf(X) for j in range(k)])
        ponderado = log_pn + np.log(pesos)
        ll_esperado = logsumexp(ponderado, axis=1).mean()
        resp_esperado = np.exp(ponderado - logsumexp(ponderado, axis=1, keepdims=True))

        gm = modulo.GaussianMixture(k, covariance_type=tipo, dtype="float64")
        t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
        L = modulo._compute_cholesky(t(cov), tipo)
        prec_chol = modulo._precision_cholesky_from_cov_cholesky(L, tipo)
        # o passo E da base de mistura (hw08._mixture: logsumexp e normalização) sobre o
        # log π_k + log N(x|μ_k, Σ_k) do GaussianMixture; params = (π, μ, Σ, U)
        ll, log_resp = gm._e_step(t(X), (t(pesos), t(medias), t(cov), prec_chol))
        resp = np.exp(_np(log_resp))
        if not _perto(resp, resp_esperado):
            i, j = np.unravel_index(np.argmax(np.abs(resp - resp_esperado)), resp.shape)
            raise Falhou(
                f"covariância '{tipo}': as responsabilidades γ_nk = π_k N(x_n|μ_k, Σ_k) / Σ_j π_j N(x_n|μ_j, Σ_j) "
                f"não conferem com o SciPy (multivariate_normal.logpdf); ex.: γ[{i}, {j}] esperado "
                f"{_fmt(resp_esperado[i, j], 6)}, obtido {_fmt(resp[i, j], 6)} (tolerância relativa {RTOL:g}). "
                f"Confira {nome_log} e {nome}."
            )
        if not np.isclose(ll, ll_esperado, rtol=RTOL):
            raise Falhou(
                f"covariância '{tipo}': a log-verossimilhança média (1ª saída do passo E) deveria ser "
                f"{_fmt(ll_esperado, 6)} (SciPy); obtido {_fmt(ll, 6)}."
            )
    return f"{nome} e {nome_log}"


def _v_passo_m():
    import torch

    nome, m_step = _achar("passo_m")
    rng = np.random.default_rng(4)
    X = rng.normal(size=(80, 3)) * [1.0, 2.0, 0.5]
    resp = rng.dirichlet(np.ones(3), size=80)
    reg = 1e-3
    nk_esp = resp.sum(0)
    medias_esp = np.stack([np.average(X, axis=0, weights=resp[:, j]) for j in range(3)])
    cheias = np.stack([np.cov(X.T, aweights=resp[:, j], bias=True) for j in range(3)])
    esperado = {
        "full": cheias + reg * np.eye(3),
        "tied": np.einsum("k,kde->de", nk_esp, cheias) / nk_esp.sum() + reg * np.eye(3),
        "diag": np.stack([np.diag(c) for c in cheias]) + reg,
        "spherical": np.array([np.diag(c).mean() for c in cheias]) + reg,
    }
    for tipo, cov_esp in esperado.items():
        nk, medias, cov = m_step(torch.tensor(X), torch.tensor(resp), reg, tipo)
        nk, medias, cov = _np(nk), _np(medias), _np(cov)
        if not _perto(nk, nk_esp):
            raise Falhou(f"N_k = Σ_n γ_nk: esperado {_fmt(nk_esp)}, obtido {_fmt(nk)}.")
        if not _perto(medias, medias_esp):
            raise Falhou(
                f"μ_k = Σ_n γ_nk x_n / N_k (np.average com pesos γ): esperado μ_1 = {_fmt(medias_esp[0])}, "
                f"obtido {_fmt(medias[0])}."
            )
        if not _perto(cov, cov_esp):
            raise Falhou(
                f"covariância '{tipo}' do passo M (com reg_covar = {reg:g} na diagonal) não confere com "
                f"np.cov(..., aweights=γ, bias=True): esperado {_fmt(np.ravel(cov_esp)[:4])}…, obtido "
                f"{_fmt(np.ravel(cov)[:4])}…."
            )
    return nome


def _v_em_completo():
    from sklearn.mixture import GaussianMixture as SkGaussianMixture

    from hw08 import GaussianMixture

    rng = np.random.default_rng(5)
    X = np.concatenate([rng.normal(size=(100, 2)) + c for c in ([0, 0], [4, 0], [0, 4])])
    inicio = dict(weights_init=np.full(3, 1 / 3), means_init=X[[0, 100, 200]],
                  precisions_init=np.repeat(np.eye(2)[None], 3, axis=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nosso = GaussianMixture(3, max_iter=20, tol=0.0, device="cpu", **inicio).fit(X)
        sk = SkGaussianMixture(3, max_iter=20, tol=0.0, **inicio).fit(X)
    if not (np.isclose(nosso.lower_bound_, sk.lower_bound_, rtol=RTOL)
            and _perto(nosso.means_, sk.means_, rtol=1e-5, atol=1e-8)):
        raise Falhou(
            "20 iterações de EM a partir do mesmo início deveriam coincidir com o scikit-learn: "
            f"log-verossimilhança média esperada {_fmt(sk.lower_bound_, 6)}, obtida {_fmt(nosso.lower_bound_, 6)}; "
            f"μ_1 esperado {_fmt(sk.means_[0])}, obtido {_fmt(nosso.means_[0])}."
        )
    return "hw08.GaussianMixture.fit (passos E e M)"


# --------------------------------------------------------------------------------------------
# MLP
def _v_mlp():
    from sklearn.linear_model import LogisticRegression

    _, fit = _achar("mlp")
    from hw08 import MLPClassifier

    rng = np.random.default_rng(6)
    centros = rng.normal(size=(3, 8)) * 3
    y = np.repeat(np.arange(3), 100)
    X = (centros[y] + rng.normal(size=(300, 8))).astype(np.float32)
    ref = LogisticRegression(max_iter=1000).fit(X, y).score(X, y)
    n_epochs = 15
    mlp = MLPClassifier((16,), n_epochs=n_epochs, batch_size=32, lr=1e-2, random_state=0, device="cpu")
    fit(mlp, X, y)
    perdas = list(getattr(mlp, "history_", {}).get("loss", []))
    if len(perdas) != n_epochs:
        raise Falhou(
            f"history_['loss'] deveria ter uma perda média por época ({n_epochs}); tem {len(perdas)}."
        )
    if not perdas[-1] < 0.5 * perdas[0]:
        raise Falhou(
            "a perda de treino deveria cair (menos da metade da 1ª época ao fim de "
            f"{n_epochs} épocas numa amostra fácil); obtido {_fmt(perdas[0])} → {_fmt(perdas[-1])}."
        )
    acc = mlp.score(X, y)
    if acc < ref - 0.03:
        raise Falhou(
            f"numa amostra sintética de 3 grupos bem separados, a regressão logística acerta {_fmt(100 * ref, 1)} % "
            f"no treino; o MLP treinado deveria chegar perto (≥ {_fmt(100 * (ref - 0.03), 1)} %); "
            f"obtido {_fmt(100 * acc, 1)} %."
        )
    return "hw08.mlp.MLPClassifier.fit (laço de treino)"


# --------------------------------------------------------------------------------------------
# OOD
def _v_ood():
    from sklearn.metrics import roc_auc_score

    nome, select = _achar("ood")
    rng = np.random.default_rng(7)
    s_in = rng.normal(size=300)
    candidatos = {
        ("full", 10): (s_in, rng.normal(-3, 1, 300)),    # separa bem
        ("diag", 2): (s_in, rng.normal(-1, 1, 300)),     # separa pouco
        ("full", 1): (s_in, rng.normal(2, 1, 300)),      # invertido: OOD com escore maior
    }
    candidatos[("full", 20)] = candidatos[("full", 10)]  # empate com (full, 10), mais complexo
    auroc = {c: roc_auc_score(np.r_[np.ones(300), np.zeros(300)], np.r_[a, b]) for c, (a, b) in candidatos.items()}
    linhas = [{"covariance_type": c[0], "n_components": c[1], "val_auroc": auroc[c]} for c in candidatos]
    i = select(linhas)
    if list(candidatos)[i] != ("full", 10):
        raise Falhou(
            "a escolha deveria ficar com a linha de maior AUROC de validação "
            f"({', '.join(f'{c}: {_fmt(v)}' for c, v in auroc.items())}), e no empate com o menor K: "
            f"esperado a linha 0 (('full', 10)), obtido a linha {i} ({list(candidatos)[i]!r})."
        )
    return nome


# --------------------------------------------------------------------------------------------
# (identificador, descrição, função) por exercício
EXERCICIOS = {
    "kmeans": [
        ("atribuicao", "passo de atribuição do K-means", _v_atribuicao),
        ("atualizacao", "passo de atualização do K-means", _v_atualizacao),
        ("exemplo-ae", "K-means no exemplo A–E do handout", _v_exemplo_ae),
        ("kmeans++", "inicialização k-means++", _v_kmeanspp),
    ],
    "gmm": [
        ("passo-e", "passo E da GMM", _v_passo_e),
        ("passo-m", "passo M da GMM", _v_passo_m),
        ("em", "EM completo contra o scikit-learn", _v_em_completo),
    ],
    "mlp": [
        ("treino", "laço de treino do MLP", _v_mlp),
    ],
    "ood": [
        ("escolha", "escolha do detector OOD pela validação", _v_ood),
    ],
}


def _selecionar(nomes):
    """Lista de (exercício, id, descrição, função) para os nomes dados (exercício ou exercício.id)."""
    if not nomes:
        nomes = list(EXERCICIOS)
    escolhidas = []
    for nome in nomes:
        ex, _, ident = nome.partition(".")
        if ex not in EXERCICIOS or (ident and ident not in [i for i, _, _ in EXERCICIOS[ex]]):
            validos = ", ".join(list(EXERCICIOS) + [f"{e}.{i}" for e, vs in EXERCICIOS.items() for i, _, _ in vs])
            raise KeyError(f"exercício {nome!r} desconhecido; use um de: {validos}.")
        for i, descricao, f in EXERCICIOS[ex]:
            if not ident or i == ident:
                escolhidas.append((ex, i, descricao, f))
    return escolhidas


def _rodar(ex, ident, descricao, f, debug=False):
    inicio = time.perf_counter()
    r = {"exercicio": ex, "verificacao": ident, "descricao": descricao}
    try:
        r["funcao"] = f()
        r["status"] = "ok"
        r["mensagem"] = ""
    except NotImplementedError as exc:
        r["status"] = "falta"
        r["mensagem"] = str(exc) or "uma função ainda levanta NotImplementedError (sem mensagem)."
    except Falhou as exc:
        r["status"] = "errado"
        r["mensagem"] = str(exc)
    except Exception as exc:  # noqa: BLE001 — o erro do aluno vira mensagem curta
        r["status"] = "erro"
        onde = traceback.extract_tb(exc.__traceback__)[-1]
        r["mensagem"] = f"{type(exc).__name__}: {exc} (em {onde.filename}, linha {onde.lineno})"
        if debug:
            r["traceback"] = traceback.format_exc()
    r["segundos"] = round(time.perf_counter() - inicio, 2)
    return r


def _rodar_todas(selecao, debug):
    """Roda as verificações com 1 thread do torch (problemas minúsculos; restaura depois)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return [_rodar(*s, debug=debug) for s in selecao]
    finally:
        torch.set_num_threads(threads)


_ROTULOS = {"ok": "ok", "falta": "FALTA IMPLEMENTAR", "errado": "ERRADO", "erro": "ERRO"}


def _relatorio(resultados, escrever):
    import hw08

    escrever(f"Verificando o hw08 em {hw08.__path__[0]}")
    atual = None
    for r in resultados:
        if r["exercicio"] != atual:
            atual = r["exercicio"]
            escrever(f"\n{atual}")
        marca = "✓" if r["status"] == "ok" else "✗"
        escrever(f"  {marca} {r['descricao']}: {_ROTULOS[r['status']]}")
        if r["mensagem"]:
            escrever(f"      {r['mensagem']}")
        if r.get("traceback"):
            escrever(r["traceback"])
    n_ok = sum(r["status"] == "ok" for r in resultados)
    escrever(f"\n{n_ok} de {len(resultados)} verificações passaram.")
    if n_ok < len(resultados):
        escrever("Corrija o que está marcado com ✗ e rode de novo (python -m hw08.verificar).")


def verificar(*exercicios, debug=False):
    """Roda as verificações dos exercícios dados (todos, se nenhum) e imprime o resultado.

    Parameters
    ----------
    *exercicios : str
        ``"kmeans"``, ``"gmm"``, ``"mlp"``, ``"ood"`` ou uma verificação só (``"kmeans.atribuicao"``).
    debug : bool, default=False
        Mostra o traceback de erros inesperados.

    Returns
    -------
    bool
        ``True`` se todas passaram.
    """
    resultados = _rodar_todas(_selecionar(exercicios), debug)
    _relatorio(resultados, print)
    return all(r["status"] == "ok" for r in resultados)


# --------------------------------------------------------------------------------------------
# Esqueletos dos notebooks do aluno: um nome que a célula "SEU CÓDIGO AQUI" ainda não calculou.
class _AFazer:
    """Valor provisório: qualquer uso diz que a célula do exercício ainda não foi feita."""

    __slots__ = ("_nome",)

    def __init__(self, nome):
        object.__setattr__(self, "_nome", nome)

    def _falta(self, *args, **kwargs):
        raise NotImplementedError(
            f"`{object.__getattribute__(self, '_nome')}` ainda não foi calculado: complete a célula "
            "marcada com # SEU CÓDIGO AQUI acima e rode-a de novo."
        )

    def __getattr__(self, item):
        if item.startswith("__") and item.endswith("__"):
            raise AttributeError(item)   # protocolos opcionais (ex.: _repr_html_) não existem
        self._falta()

    def __repr__(self):
        return f"<falta calcular `{object.__getattribute__(self, '_nome')}`: complete a célula # SEU CÓDIGO AQUI>"


for _metodo in ("__call__", "__getitem__", "__setitem__", "__iter__", "__len__", "__bool__", "__str__",
                "__format__", "__array__", "__float__", "__int__", "__index__", "__contains__", "__eq__",
                "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__neg__", "__abs__", "__add__", "__radd__",
                "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__", "__matmul__",
                "__rmatmul__", "__pow__", "__floordiv__", "__mod__", "__setattr__", "__hash__"):
    setattr(_AFazer, _metodo, _AFazer._falta)
del _metodo


def a_fazer(nome):
    """Valor provisório para ``nome`` nos esqueletos dos notebooks do aluno.

    Usá-lo (índice, atributo, conta, ``print``) levanta ``NotImplementedError`` dizendo que a célula
    ``# SEU CÓDIGO AQUI`` que deveria calcular ``nome`` ainda não foi feita — em vez de um
    ``NameError`` ou de um erro obscuro com ``None``.
    """
    return _AFazer(nome)


# --------------------------------------------------------------------------------------------
def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m hw08.verificar",
        description="Verifica as funções dos exercícios do hw08 (K-means, GMM, MLP, OOD).",
    )
    parser.add_argument("exercicios", nargs="*", metavar="exercicio",
                        help=f"um de {', '.join(EXERCICIOS)} (ou exercício.verificação); padrão: todos")
    parser.add_argument("--json", action="store_true", help="imprime o resultado em JSON")
    parser.add_argument("--lista", action="store_true", help="lista as verificações e sai")
    parser.add_argument("--debug", action="store_true", help="mostra o traceback de erros inesperados")
    args = parser.parse_args(argv)
    if args.lista:
        for ex, vs in EXERCICIOS.items():
            for i, descricao, _ in vs:
                print(f"{ex}.{i}: {descricao}")
        return 0
    try:
        selecao = _selecionar(args.exercicios)
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    resultados = _rodar_todas(selecao, args.debug)
    if args.json:
        import hw08
        print(json.dumps({"hw08": hw08.__path__[0], "resultados": resultados}, ensure_ascii=False))
    else:
        _relatorio(resultados, print)
    return 0 if all(r["status"] == "ok" for r in resultados) else 1


if __name__ == "__main__":
    sys.exit(main())
