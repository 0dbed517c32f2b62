"""Legibilidade das figuras do hw08.plotting no PDF de entrega (texto com ≥ 7 pt depois da redução)."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from hw08 import plotting  # noqa: E402

# O modelo LaTeX do nbconvert inclui cada PNG com max size = 0,9\linewidth: em A4 com margens de
# 1 pol., 0,9 × (8,27 − 2) = 5,643 pol. O Jupyter salva a figura com bbox_inches="tight" a 100 dpi.
LARGURA_PDF_POL = 0.9 * (8.27 - 2)


def escala_do_png(fig):
    """Redução da figura no PDF, medida no PNG salvo como o Jupyter salva (oráculo independente)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    largura_pol = Image.open(buf).size[0] / 100
    return min(1.0, LARGURA_PDF_POL / largura_pol)


def menor_fonte(fig):
    fig.canvas.draw()
    escala = escala_do_png(fig)
    return min(t.get_fontsize() for t in plotting._textos(fig)) * escala


rng = np.random.default_rng(0)
IMAGENS = rng.random((400, 784))
GRUPOS = np.repeat(np.arange(10), 40)
NOMES = [f"grupo {k} → {9 - k}\nmaioria: {k}" for k in range(10)]

FIGURAS = {
    "grade larga (12 colunas)": lambda: plotting.image_grid(IMAGENS[:12], [f"−{k} 000" for k in range(12)],
                                                            ncols=12, suptitle="Título da figura"),
    "grade estreita": lambda: plotting.image_grid(IMAGENS[:4], list("abcd"), ncols=2),
    "amostras por grupo (10 × 10)": lambda: plotting.samples_per_cluster(IMAGENS, GRUPOS, cluster_names=NOMES,
                                                                         suptitle="Amostras"),
    "matriz de confusão 10 × 10": lambda: plotting.confusion_heatmap(rng.integers(0, 7000, (10, 10)),
                                                                     title="Confusão"),
    "matriz de confusão 20 × 20": lambda: plotting.confusion_heatmap(rng.integers(0, 70, (20, 20))),
    "cotovelo": lambda: plotting.elbow_plot(range(2, 21, 2), np.linspace(5e5, 3e5, 10)),
    "histogramas": lambda: plotting.score_histograms({"a": rng.normal(size=200), "b": rng.normal(2, 1, 200)}),
    "ROC": lambda: plotting.roc_curves({"x": (np.linspace(0, 1, 5), np.linspace(0, 1, 5))}),
}


@pytest.mark.parametrize("nome", list(FIGURAS))
def test_texto_das_figuras_sai_com_7_pt_no_pdf(nome):
    fig = FIGURAS[nome]()
    assert menor_fonte(fig) >= 7.0 - 0.05, nome
    plt.close(fig)


def test_medida_confere_com_o_png_salvo():
    # menor_fonte_no_pdf (caixa justa calculada) concorda com a largura do PNG salvo
    fig = plotting.image_grid(IMAGENS[:10], NOMES, ncols=10, size=1.1)
    pt_calculado, _ = plotting.menor_fonte_no_pdf(fig)
    assert pt_calculado == pytest.approx(menor_fonte(fig), rel=0.02)
    plt.close(fig)


def test_figura_sem_ajuste_mede_texto_pequeno():
    # o teste pode falhar: 10 pt numa figura de 16 pol. (≈ 13 pol. na caixa justa) sai com < 5 pt
    fig, ax = plt.subplots(figsize=(16, 3))
    ax.set_title("título")
    assert menor_fonte(fig) < 5.0
    assert plotting.menor_fonte_no_pdf(fig)[0] == pytest.approx(menor_fonte(fig), rel=0.02)
    plt.close(fig)


def test_eixo_dado_nao_e_alterado():
    # com ax= a figura é do notebook: o tamanho das fontes dela não muda
    fig, ax = plt.subplots(figsize=(16, 3))
    antes = ax.xaxis.get_ticklabels()[0].get_fontsize()
    plotting.elbow_plot([1, 2, 3], [3.0, 2.0, 1.0], ax=ax)
    fig.canvas.draw()
    assert ax.xaxis.get_ticklabels()[0].get_fontsize() == antes
    assert plotting.menor_fonte_no_pdf(fig)[0] < 5.0
    plt.close(fig)
