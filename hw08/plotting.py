"""Gráficos dos notebooks, com títulos e eixos em português.

Cada função desenha em um ``Axes``/``Figure`` novo (ou no ``ax`` dado) e devolve a figura,
para que o notebook só precise de uma linha.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from ._validation import to_numpy
from .formato import pt

__all__ = ["image_grid", "menor_fonte_no_pdf"]

# No PDF de entrega (A4, margens de 1 pol.) uma figura ocupa no máximo 0,9 × 6,27 ≈ 5,64 pol. de
# largura (o ``max size`` do modelo LaTeX do nbconvert): uma figura de W polegadas é reduzida por
# 5,64/W, e um rótulo de 9 pt numa figura de 12 pol. sai com ≈ 4 pt. _fonte aumenta o tamanho com a
# largura para o rótulo sair com pelo menos ``no_pdf`` pt; _legivel confere na figura pronta (caixa
# justa, como o ``bbox_inches="tight"`` do Jupyter a salva) e aumenta o que ainda sair menor.
_LARGURA_PDF = 0.9 * (8.27 - 2)
_ALTURA_PDF = 0.9 * 11.69
_FONTE_PDF = 7.0


def _fonte(fig, base=9.0, no_pdf=_FONTE_PDF):
    """Tamanho de fonte (pt) que sai com ≥ ``no_pdf`` pt quando a figura é reduzida ao PDF."""
    largura = float(fig.get_size_inches()[0])
    return round(max(base, no_pdf * largura / _LARGURA_PDF), 1)


def _escala_pdf(fig):
    """Fator (≤ 1) pelo qual a figura, salva com caixa justa, é reduzida no PDF."""
    caixa = fig.get_tightbbox(fig.canvas.get_renderer())
    largura, altura = caixa.width + 0.2, caixa.height + 0.2      # pad_inches=0,1 de cada lado
    return min(1.0, _LARGURA_PDF / largura, _ALTURA_PDF / altura)


def _textos(fig):
    """Textos visíveis e não vazios da figura (títulos, rótulos, marcas dos eixos, legendas)."""
    from matplotlib.text import Text

    # marcas de um eixo desligado (ax.axis("off")) não são desenhadas
    ocultas = {id(t) for ax in fig.axes if not ax.axison
               for t in ax.xaxis.get_ticklabels() + ax.yaxis.get_ticklabels()}
    return [t for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and id(t) not in ocultas]


def menor_fonte_no_pdf(fig):
    """Menor tamanho efetivo (pt) de um texto da figura depois da redução ao PDF de entrega.

    Returns
    -------
    (float, str)
        O tamanho em pt e o texto que o tem.
    """
    escala = _escala_pdf(fig)
    return min(((t.get_fontsize() * escala, t.get_text()) for t in _textos(fig)), default=(math.inf, ""))


def _legivel(fig, no_pdf=_FONTE_PDF, vezes=3):
    """Aumenta os textos que sairiam no PDF com menos de ``no_pdf`` pt (e refaz o ``tight_layout``)."""
    for _ in range(vezes):
        escala = _escala_pdf(fig)
        minimo = math.ceil(10 * no_pdf / escala) / 10
        pequenos = [t for t in _textos(fig) if t.get_fontsize() < minimo - 0.05]
        if not pequenos:
            return fig
        for t in pequenos:
            t.set_fontsize(minimo)
        # as marcas dos eixos podem ser recriadas ao redesenhar: o tamanho vai para o eixo todo
        for ax in fig.axes:
            for nome, eixo in (("x", ax.xaxis), ("y", ax.yaxis)):
                marcas = eixo.get_ticklabels()
                if marcas and min(t.get_fontsize() for t in marcas) < minimo - 0.05:
                    ax.tick_params(axis=nome, labelsize=minimo)
        fig.tight_layout()
    return fig


def image_grid(images, titles=None, *, ncols=None, suptitle=None, cmap="gray", size=1.4,
               shape=(28, 28)):
    """Mostra imagens em uma grade.

    Parameters
    ----------
    images : array-like of shape (n, H, W) or (n, H*W)
        Imagens (vetores são remodelados para ``shape``).
    titles : sequence of str, default=None
        Um título por imagem.
    ncols : int, default=None
        Colunas da grade; ``None`` usa uma grade quase quadrada.
    suptitle : str, default=None
        Título da figura.
    cmap : str, default="gray"
        Mapa de cores.
    size : float, default=1.4
        Lado (polegadas) de cada imagem.
    shape : tuple of int, default=(28, 28)
        Forma usada para imagens dadas como vetores.

    Returns
    -------
    matplotlib.figure.Figure
    """
    images = to_numpy(images)
    n = len(images)
    if images.ndim == 2:
        images = images.reshape(n, *shape)
    ncols = ncols or math.ceil(math.sqrt(n))
    nrows = math.ceil(n / ncols)
    titles = None if titles is None else [str(t) for t in titles]
    # altura reservada aos títulos de cada linha (as linhas de texto do título mais alto), para um
    # título de duas linhas não invadir a imagem de cima
    linhas = max((t.count("\n") + 1 for t in titles), default=0) if titles else 0
    fig = plt.figure(figsize=(size * ncols, 1.0))
    fonte = _fonte(fig)
    altura_titulo = linhas * fonte * 1.35 / 72
    # um título de figura mais largo que a figura é quebrado em linhas (wrap=True, abaixo)
    linhas_sup = math.ceil(len(suptitle) * 0.55 * (fonte + 1) / 72 / (size * ncols)) if suptitle else 0
    fig.set_size_inches(size * ncols, (size + altura_titulo) * nrows + 0.1
                        + linhas_sup * (fonte + 1) * 1.4 / 72)
    axes = np.atleast_2d(fig.subplots(nrows, ncols, squeeze=False))
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i < n:
            ax.imshow(images[i], cmap=cmap, vmin=0, vmax=float(max(1.0, np.max(images[i]))))
            # moldura fina: uma imagem clara (uma máscara branca) não some no fundo branco
            for spine in ax.spines.values():
                spine.set_color("0.6")
                spine.set_linewidth(0.6)
            if titles is not None:
                ax.set_title(titles[i], fontsize=fonte)
        else:
            ax.axis("off")
    if suptitle:
        fig.suptitle(suptitle, fontsize=fonte + 1, wrap=True)
    fig.tight_layout()
    return _legivel(fig)


# --- misturas em 2-D e dendrogramas (notebooks 04 e 05) -------------------------------------
__all__ += ["covariance_ellipses", "plot_mixture_2d", "dendrogram_panel"]


def _full_covariances(covariances, covariance_type, n_components, n_features):
    """Converte as covariâncias de qualquer tipo do scikit-learn em matrizes (K, D, D)."""
    cov = to_numpy(covariances)
    if covariance_type == "full":
        return cov
    if covariance_type == "tied":
        return np.broadcast_to(cov, (n_components, n_features, n_features))
    if covariance_type == "diag":
        return np.stack([np.diag(c) for c in cov])
    if covariance_type == "spherical":
        return np.stack([np.eye(n_features) * c for c in cov])
    raise ValueError(f"covariance_type={covariance_type!r} inválido: use 'full', 'tied', 'diag' "
                     "ou 'spherical'.")


def covariance_ellipses(ax, means, covariances, covariance_type="full", *, n_std=(1.0, 2.0),
                        colors=None, **kwargs):
    """Desenha as elipses de ``n_std`` desvios-padrão de cada gaussiana 2-D.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    means : array-like of shape (n_components, 2)
    covariances : array-like
        No formato de ``GaussianMixture.covariances_`` para ``covariance_type``.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    n_std : sequence of float, default=(1.0, 2.0)
        Raios das elipses em desvios-padrão (distância de Mahalanobis).
    colors : sequence, default=None
        Uma cor por componente (``None``: ciclo padrão).
    **kwargs
        Repassados a :class:`matplotlib.patches.Ellipse`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.patches import Ellipse

    means = to_numpy(means)
    k = len(means)
    covs = _full_covariances(covariances, covariance_type, k, means.shape[1])
    colors = colors if colors is not None else [f"C{i % 10}" for i in range(k)]
    lw, alpha = kwargs.pop("lw", 1.5), kwargs.pop("alpha", 0.9)
    for mean, cov, color in zip(means, covs, colors):
        vals, vecs = np.linalg.eigh(cov)
        vals = np.clip(vals, 0.0, None)
        angle = np.degrees(np.arctan2(vecs[1, -1], vecs[0, -1]))
        for r in n_std:
            ax.add_patch(Ellipse(mean, 2 * r * np.sqrt(vals[-1]), 2 * r * np.sqrt(vals[0]),
                                 angle=angle, fill=False, edgecolor=color,
                                 lw=lw, alpha=alpha, **kwargs))
        ax.plot(*mean, marker="x", color="k", ms=7, mew=2)
    return ax


def plot_mixture_2d(X, model, ax=None, title=None, *, s=6, legend=True):
    """Pontos 2-D coloridos pelo componente mais provável, com as elipses do modelo.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    model : GaussianMixture ajustado (``means_``, ``covariances_``, ``predict``)
    ax : matplotlib.axes.Axes, default=None
    title : str, default=None
    s : float, default=6
        Tamanho dos pontos.
    legend : bool, default=True
        Mostra a log-verossimilhança média no canto do gráfico.

    Returns
    -------
    matplotlib.axes.Axes
    """
    X = to_numpy(X)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4))
    labels = to_numpy(model.predict(X))
    ax.scatter(X[:, 0], X[:, 1], c=[f"C{i % 10}" for i in labels], s=s, alpha=0.5, linewidths=0)
    covariance_ellipses(ax, model.means_, model.covariances_,
                        getattr(model, "covariance_type", "full"))
    if legend:
        media = float(np.mean(to_numpy(model.score_samples(X))))
        ax.text(0.02, 0.02, f"log-veross. média = {pt(media, 3)}", transform=ax.transAxes,
                fontsize=_fonte(ax.figure, 8),
                bbox={"facecolor": "white", "alpha": 0.8, "lw": 0})
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title, fontsize=_fonte(ax.figure, 10))
    ax.set_aspect("equal", adjustable="datalim")
    return ax


def dendrogram_panel(Z, labels=None, ax=None, title=None, fontsize=None):
    """Dendrograma de uma matriz de ligação no formato do SciPy, com eixos em português.

    Parameters
    ----------
    Z : ndarray of shape (n_samples - 1, 4)
        Saída de :func:`scipy.cluster.hierarchy.linkage` ou de :func:`hw08.worked.agglomerate`.
    labels : sequence of str, default=None
        Rótulo de cada folha.
    ax : matplotlib.axes.Axes, default=None
    title : str, default=None
    fontsize : float, default=None
        Tamanho dos rótulos das folhas, dos eixos e do título (``None``: cresce com a largura da
        figura, para continuar legível no PDF).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from scipy.cluster.hierarchy import dendrogram

    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3))
    fonte = fontsize or _fonte(ax.figure, 10)
    dendrogram(Z, labels=labels, ax=ax, color_threshold=0, above_threshold_color="C0",
               leaf_font_size=fonte, leaf_rotation=0)
    ax.set_xlabel("ponto", fontsize=fonte)
    ax.set_ylabel("distância da junção", fontsize=fonte)
    ax.tick_params(axis="y", labelsize=fonte)
    if title:
        ax.set_title(title, fontsize=fonte)
    return ax


def _milhar(n):
    """Inteiro com espaço separando milhares a partir de 10 000 (``"5 923"``, ``"60 000"``)."""
    return f"{int(n):,}".replace(",", " ") if abs(int(n)) >= 10_000 else str(int(n))


# --------------------------------------------------------------------------- K-means (notebook 01)
__all__ += ["samples_per_cluster", "confusion_heatmap", "elbow_plot"]


def samples_per_cluster(images, labels, *, n_per_cluster=10, cluster_names=None, random_state=0,
                        suptitle=None, size=0.9, shape=(28, 28)):
    """Uma linha por grupo com ``n_per_cluster`` imagens sorteadas desse grupo.

    Parameters
    ----------
    images : array-like of shape (n, H*W) or (n, H, W)
    labels : array-like of shape (n,)
        Grupo de cada imagem.
    cluster_names : sequence of str, default=None
        Rótulo de cada linha (padrão: ``"grupo k (n=…)"``).
    random_state : int, default=0
        Semente do sorteio das amostras.

    Returns
    -------
    matplotlib.figure.Figure
    """
    images = to_numpy(images)
    labels = np.asarray(to_numpy(labels))
    if images.ndim == 2:
        images = images.reshape(len(images), *shape)
    clusters = np.unique(labels)
    rng = np.random.default_rng(random_state)
    fig, axes = plt.subplots(len(clusters), n_per_cluster, squeeze=False,
                             figsize=(size * n_per_cluster + 1.2, size * len(clusters) + 0.5))
    for row, k in enumerate(clusters):
        members = np.flatnonzero(labels == k)
        pick = rng.choice(members, size=min(n_per_cluster, len(members)), replace=False)
        for col, ax in enumerate(axes[row]):
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if col < len(pick):
                ax.imshow(images[pick[col]], cmap="gray", vmin=0, vmax=1)
        name = cluster_names[row] if cluster_names is not None else f"grupo {k}"
        axes[row, 0].set_ylabel(f"{name}\n(n = {_milhar(len(members))})", rotation=0, ha="right",
                                va="center", fontsize=_fonte(fig, 8))
    if suptitle:
        fig.suptitle(suptitle, fontsize=_fonte(fig, 12))
    fig.tight_layout()
    return _legivel(fig)


def confusion_heatmap(table, *, xlabel="grupo", ylabel="dígito verdadeiro", title=None,
                      xticklabels=None, yticklabels=None, ax=None, normalize_rows=False):
    """Mapa de calor de uma matriz de contagens com os números escritos nas células.

    Parameters
    ----------
    table : array-like of shape (n_rows, n_cols)
        Contagens (por exemplo ``hw08.metrics.contingency``).
    normalize_rows : bool, default=False
        Colore pela fração de cada linha (os números continuam sendo as contagens).

    Returns
    -------
    matplotlib.figure.Figure
    """
    table = np.asarray(table)
    propria = ax is None          # só ajusta as fontes de uma figura criada aqui
    if ax is None:
        fig, ax = plt.subplots(figsize=(0.55 * table.shape[1] + 2, 0.5 * table.shape[0] + 1.2))
    else:
        fig = ax.figure
    colour = table / np.maximum(table.sum(axis=1, keepdims=True), 1) if normalize_rows else table
    ax.imshow(colour, cmap="Blues")
    limit = colour.max() / 2
    for (i, j), v in np.ndenumerate(table):
        ax.text(j, i, str(int(v)), ha="center", va="center", fontsize=8,
                color="white" if colour[i, j] > limit else "black")
    ax.set_xticks(range(table.shape[1]), xticklabels if xticklabels is not None else range(table.shape[1]))
    ax.set_yticks(range(table.shape[0]), yticklabels if yticklabels is not None else range(table.shape[0]))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return _legivel(fig) if propria else fig


def elbow_plot(ks, inertias, *, ax=None, title="Método do cotovelo", xlabel="número de grupos K",
               ylabel="inércia"):
    """Inércia em função de K (o "cotovelo")."""
    propria = ax is None          # só ajusta as fontes de uma figura criada aqui
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 3.2))
    else:
        fig = ax.figure
    from matplotlib.ticker import MaxNLocator

    ax.plot(list(ks), list(inertias), "o-")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))     # K é inteiro
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return _legivel(fig) if propria else fig


# --------------------------------------------------------------------------- OOD (notebook 02)
__all__ += ["score_histograms", "roc_curves"]


def score_histograms(scores, *, bins=80, ax=None, title="Escores de detecção",
                     xlabel="log-verossimilhança", clip_quantile=0.005):
    """Histogramas sobrepostos (densidade) de vários conjuntos de escores.

    Parameters
    ----------
    scores : dict of str -> array-like
        Nome do conjunto -> escores.
    clip_quantile : float, default=0.005
        Ignora as caudas extremas ao escolher o eixo x (os valores continuam contados).
    """
    propria = ax is None          # só ajusta as fontes de uma figura criada aqui
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.4))
    else:
        fig = ax.figure
    allv = np.concatenate([np.asarray(to_numpy(v), dtype=float).ravel() for v in scores.values()])
    lo, hi = np.quantile(allv, [clip_quantile, 1 - clip_quantile])
    edges = np.linspace(lo, hi, bins + 1)
    for name, values in scores.items():
        v = np.clip(np.asarray(to_numpy(values), dtype=float), lo, hi)
        ax.hist(v, bins=edges, density=True, alpha=0.5, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("densidade")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return _legivel(fig) if propria else fig


def roc_curves(curves, *, ax=None, title="Curvas ROC (MNIST = positivo)"):
    """Curvas ROC: ``curves`` é um dict nome -> (fpr, tpr)."""
    propria = ax is None          # só ajusta as fontes de uma figura criada aqui
    if ax is None:
        fig, ax = plt.subplots(figsize=(4.2, 4))
    else:
        fig = ax.figure
    for name, (fpr, tpr) in curves.items():
        ax.plot(fpr, tpr, label=name)
    ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    ax.axhline(0.95, color="gray", lw=0.6, ls="--")
    ax.set_xlabel("taxa de falsos positivos (FashionMNIST aceito)")
    ax.set_ylabel("taxa de verdadeiros positivos (MNIST aceito)")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return _legivel(fig) if propria else fig
