"""hw08.nbcheck: comparação de texto com tolerância numérica (a conferência dos notebooks)."""

import math

import pytest

from hw08.nbcheck import DEFAULT, Tolerance, ToleranceError, compare_text, split_numbers, tolerance_for

WIDE = Tolerance(rtol=1e-3, atol=0, reason="teste")


@pytest.mark.parametrize("text, numbers", [
    ("acurácia 0.9815", ["0.9815"]),
    ("acurácia 0,9815 no teste", ["0,9815"]),
    ("(60000, 784)", ["60000", "784"]),
    ("inércia 1.2e-05 e -3", ["1.2e-05", "-3"]),
    ("393\u202f456,78 e 60\u00a0000", ["393\u202f456,78", "60\u00a0000"]),
    ("inércia 2 359 939,9895 e 67 2 359", ["2 359 939,9895", "67", "2 359"]),
    ("x1 conv2d 2ª", []),                 # números colados a letras são texto
    ("\u22120,5", ["\u22120,5"]),
    ("versão 1.2.3", []),                  # nem número, nem pedaço de número
])
def test_split_numbers(text, numbers):
    parts, found = split_numbers(text)
    assert found == numbers
    assert len(parts) == len(found) + 1


def test_equal_text_passes_without_parsing():
    assert compare_text("nan e inf e texto", "nan e inf e texto") is None


def test_default_tolerance_only_forgives_the_last_digit():
    assert compare_text("inércia 393456.78", "inércia 393456.78") is None
    assert compare_text("x = 1.0000001", "x = 1.0000002") is None
    problem = compare_text("inércia 393456.78", "inércia 393457.30")
    assert problem and "393456.78" in problem and "393457.30" in problem


def test_declared_tolerance_accepts_within_and_rejects_outside():
    assert compare_text("acurácia: 0.9817", "acurácia: 0.9815", WIDE) is None
    assert compare_text("acurácia: 0.9817", "acurácia: 0.9717", WIDE) is not None


def test_decimal_comma_and_thousands_are_numbers():
    assert compare_text("393 455,2241", "393 455,2276", Tolerance(1e-9, 0, "x")) is not None
    assert compare_text("393 455,2241", "393 455,2276", Tolerance(1e-7, 0, "x")) is None
    assert compare_text("393\u202f456,78", "393\u202f457,10", WIDE) is None
    assert compare_text("0,9817", "0,9815", WIDE) is None
    assert compare_text("0,9817", "0,9000", WIDE) is not None


def test_text_outside_numbers_must_match_exactly():
    problem = compare_text("escolhido: full, K = 20", "escolhido: diag, K = 20", WIDE)
    assert problem and "full" in problem and "diag" in problem
    assert compare_text("a 1", "a 1 2", WIDE) is not None              # mais números
    assert compare_text("conv2d", "conv3d", Tolerance(1, 1, "x")) is not None


def test_repeated_spaces_do_not_matter_but_words_do():
    # uma coluna do pandas fica um caractere mais larga quando o número ganha um dígito
    assert compare_text("a     9.99  b\n", "a    10.01  b\n", Tolerance(0.01, 0, "x")) is None
    assert compare_text("a 1\n", "a 1\nb\n") is not None


def test_absolute_tolerance_for_counts():
    counts = Tolerance(rtol=0, atol=2, reason="contagens")
    assert compare_text("bolsa 2", "bolsa 3", counts) is None
    assert compare_text("bolsa 2", "bolsa 5", counts) is not None


def test_count_tolerance_only_applies_to_integers():
    counts = Tolerance(1e-6, 0, "contagens", count_atol=2)
    assert compare_text("dígito 0  2774  19", "dígito 0  2775  18", counts) is None
    assert compare_text("iterações 67", "iterações 70", counts) is not None
    assert compare_text("acurácia 0,5557", "acurácia 0,5558", counts) is not None   # decimal: sem folga
    assert compare_text("2 359 940", "2 359 941", counts) is None


def test_nan_and_inf_are_compared_as_text():
    assert compare_text("NaN -8.7", "NaN -8.7") is None
    assert compare_text("NaN -8.7", "1.0 -8.7", WIDE) is not None
    t = Tolerance(1e-3, 0, "x")
    assert t.accepts(math.nan, math.nan) and not t.accepts(math.nan, 1.0)
    assert t.accepts(math.inf, math.inf) and not t.accepts(math.inf, 1e300)


def test_tolerance_resolution_cell_over_notebook_over_default():
    nb = {"hw08": {"tolerance": {"rtol": 1e-4, "reason": "modelo treinado"}}}
    assert tolerance_for({}) == DEFAULT
    assert tolerance_for(nb).rtol == 1e-4
    cell = {"hw08": {"tolerance": {"atol": 1e-3, "reason": "contagens"}}}
    t = tolerance_for(nb, cell)
    assert (t.rtol, t.atol, t.reason) == (1e-4, 1e-3, "contagens")
    # a célula que só aperta herda o motivo do notebook
    t = tolerance_for(nb, {"hw08": {"tolerance": {"rtol": 1e-5}}})
    assert (t.rtol, t.reason) == (1e-5, "modelo treinado")
    assert tolerance_for(nb, {"tags": ["x"]}) == tolerance_for(nb)


@pytest.mark.parametrize("spec, words", [
    ({"rtol": 0.01}, "reason"),                          # larga sem motivo
    ({"atol": 1}, "reason"),
    ({"rtol": -1, "reason": "x"}, ">= 0"),
    ({"count_atol": 1}, "reason"),
    ({"count_atol": float("inf"), "reason": "x"}, "finitos"),
    ({"rtol": "muito", "reason": "x"}, "números"),
    ({"rtl": 0.1, "reason": "x"}, "objeto"),             # chave com erro de digitação
    ([0.1], "objeto"),
])
def test_bad_declarations_are_errors(spec, words):
    with pytest.raises(ToleranceError, match=words):
        tolerance_for({}, {"hw08": {"tolerance": spec}}, where="nb.ipynb, célula 3")
