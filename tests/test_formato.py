"""hw08.formato: números com vírgula decimal (valores esperados escritos à mão)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from hw08.formato import estilo_pt, pt, pt_g, virgula  # noqa: E402


@pytest.mark.parametrize("x, kw, esperado", [
    (0.4273, dict(casas=1, pct=True), "42,7 %"),
    (-3.78249, dict(casas=3), "−3,782"),
    (262144, {}, "262 144"),
    (5923, {}, "5923"),
    (-30271.127, dict(casas=3), "−30 271,127"),
    (0.5, dict(casas=0), "0"),
    (float("nan"), {}, "—"),
])
def test_pt(x, kw, esperado):
    assert pt(x, **kw) == esperado


@pytest.mark.parametrize("x, esperado", [
    (4.53e-9, "4,53 × 10⁻⁹"), (1e-12, "10⁻¹²"), (0.0121, "0,0121"), (-1.8e5, "−1,8 × 10⁵"),
])
def test_pt_g(x, esperado):
    assert pt_g(x, 3 if x != -1.8e5 else 2) == esperado


def test_estilo_pt_eixos_e_tabelas():
    estilo_pt()
    try:
        fig, ax = plt.subplots()
        ax.plot([0, 0.5, 1.5], [0.1, 0.2, 0.25])
        fig.canvas.draw()
        rotulos = [t.get_text() for t in ax.get_xticklabels()]
        assert "0,4" in rotulos and not any("." in r for r in rotulos)
        with pd.option_context("display.precision", 3):
            texto = pd.DataFrame({"a": [1.5, -3.78249]}).to_string()
        assert "1,5" in texto and "1,500" not in texto and "−3,782" in texto
        with pd.option_context("display.precision", 3):
            # .round(1) numa tabela: sem zeros finais ("288,000" pareceria 288 mil)
            texto = pd.DataFrame({"pico (MB)": [1.1, 18.0, 288.0]}).to_string()
        assert "1,1" in texto and "18,0" in texto and "288,0" in texto and "288,00" not in texto
        fig2, ax2 = plt.subplots()
        ax2.plot([0, 60000], [0, 1])
        fig2.canvas.draw()
        assert "60\u202f000" in [t.get_text() for t in ax2.get_xticklabels()]   # milhar separado
        fig3, ax3 = plt.subplots()
        ax3.plot([1, 40], [1.8e6, -1.0e6])              # BIC: o eixo ganha um fator de escala
        fig3.canvas.draw()
        assert ax3.yaxis.get_major_formatter().get_offset() == "×10⁶"      # não "1e6"
        ax3.set_ylim(0, 3e-6)
        fig3.canvas.draw()
        assert ax3.yaxis.get_major_formatter().get_offset() == "×10⁻⁶"
    finally:
        estilo_pt(False)
        plt.close("all")
    fig, ax = plt.subplots()
    ax.plot([0, 0.5], [0, 1])
    fig.canvas.draw()
    assert "0.5" in [t.get_text() for t in ax.get_xticklabels()]   # desfeito
    virgula(fig)
    fig.canvas.draw()
    assert "0,5" in [t.get_text() for t in ax.get_xticklabels()]
    plt.close(fig)
