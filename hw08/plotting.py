"""Gráficos dos notebooks, com títulos e eixos em português.

Cada função desenha em um ``Axes``/``Figure`` novo (ou no ``ax`` dado) e devolve a figura,
para que o notebook só precise de uma linha.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from ._validation import to_numpy

__all__ = ["image_grid"]


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
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if suptitle else 0)),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i], cmap=cmap, vmin=0, vmax=float(max(1.0, np.max(images[i]))))
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig
