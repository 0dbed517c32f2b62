"""hw08 — K-means, misturas gaussianas e EM para os notebooks do Trabalho de casa 08.

Um módulo por conceito; os estimadores seguem a API do scikit-learn (``fit`` devolve
``self``, atributos ajustados terminam em ``_``) e rodam em torch na CPU ou na GPU
(argumento ``device``).

>>> from hw08 import KMeans, GaussianMixture
>>> from hw08.data import load_mnist
"""

from importlib import import_module

__version__ = "0.1.0"

# nome público -> módulo que o define (importado só quando usado)
_EXPORTS = {
    "KMeans": "kmeans",
    "MissingKMeans": "kmeans_missing",
    "GaussianMixture": "gmm",
    "BernoulliMixture": "bernoulli",
    "MLPClassifier": "mlp",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
