"""Conferência dos notebooks (``pytest notebooks --nbval``): o nbval executa, :mod:`hw08.nbval_plugin`
compara as saídas com a tolerância numérica declarada em cada notebook (ver :mod:`hw08.nbcheck`)."""

pytest_plugins = ["hw08.nbval_plugin"]
