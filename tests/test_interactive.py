"""hw08.interactive: o texto salvo no notebook no lugar do repr dos widgets e das barras do tqdm."""

import os

import nbformat
import pytest

widgets = pytest.importorskip("ipywidgets")

from hw08.interactive import SAVED_CONTROL_TEXT, SAVED_PROGRESS_TEXT, LiveWidget, controls

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def test_live_widget_keeps_view_and_replaces_text():
    slider = widgets.IntSlider(value=3, description="K")
    bundle = LiveWidget(slider, "linha salva")._repr_mimebundle_()
    assert bundle["text/plain"] == "linha salva"
    assert bundle[WIDGET_VIEW]["model_id"] == slider.model_id
    # sem o invólucro, o texto salvo seria o repr cru do widget
    assert slider._repr_mimebundle_()["text/plain"].startswith("IntSlider(")


def test_controls_bundle_and_redraw_on_change():
    calls = []
    dropdown = widgets.Dropdown(options=["a", "b"], value="a")
    shown = controls(lambda init: calls.append(init), init=dropdown)
    bundle = shown._repr_mimebundle_()
    assert bundle["text/plain"] == SAVED_CONTROL_TEXT
    assert bundle[WIDGET_VIEW]["model_id"] == shown.widget.model_id
    first, output = shown.widget.children
    assert first is dropdown and isinstance(output, widgets.Output)
    assert calls == ["a"]          # desenha uma vez ao criar
    dropdown.value = "b"
    assert calls == ["a", "b"]     # e de novo quando o valor muda


def test_controls_needs_a_control():
    with pytest.raises(ValueError, match="pelo menos um controle"):
        controls(print)


def _run(source, kernel_dir, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("JUPYTER_PATH", str(kernel_dir))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    NotebookClient(nb, timeout=120, kernel_name="hw08",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb.cells[0].outputs


def _texts(outputs):
    for out in outputs:
        yield out.get("text", "") + "".join(out.get("data", {}).get("text/plain", ""))


def test_mlp_progress_saved_as_text_in_notebook(hw08_kernel_dir, tmp_path, monkeypatch):
    # Executado como o `make notebooks` (nbclient num kernel com ipywidgets): a barra é o widget
    # do tqdm, e o que fica salvo é a linha em português, não a barra em 0 % do início.
    outputs = _run(
        "import numpy as np\n"
        "from hw08 import MLPClassifier\n"
        "rng = np.random.default_rng(0)\n"
        "X = rng.normal(size=(64, 5)).astype('float32'); y = (X[:, 0] > 0).astype(int)\n"
        "MLPClassifier((4,), n_epochs=3, batch_size=16, random_state=0, verbose=True).fit(X, y)\n"
        "print('ok')",
        hw08_kernel_dir, tmp_path, monkeypatch)
    bars = [o for o in outputs if WIDGET_VIEW in o.get("data", {})]
    assert len(bars) == 1
    assert "".join(bars[0]["data"]["text/plain"]) == f"épocas: {SAVED_PROGRESS_TEXT}"
    assert not any("%|" in t or "0/3" in t for t in _texts(outputs)), list(_texts(outputs))
    assert any(o.get("text") == "ok\n" for o in outputs)


def test_progress_outside_jupyter_is_plain_tqdm():
    from tqdm.std import tqdm as std_tqdm

    from hw08.interactive import progress

    bar = progress(range(2), desc="x", file=None)
    assert isinstance(bar, std_tqdm) and list(bar) == [0, 1]


def test_kmeans_verbose_outside_jupyter_uses_text_bar(capsys):
    import numpy as np

    from hw08 import KMeans

    X = np.random.default_rng(0).normal(size=(40, 2)).astype("float32")
    km = KMeans(3, n_init=1, max_iter=5, random_state=0, verbose=True).fit(X)
    assert km.labels_.shape == (40,)
    assert "K-means" in capsys.readouterr().err
