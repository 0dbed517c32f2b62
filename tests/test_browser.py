"""O que o aluno vê no JupyterLab, num navegador de verdade (``make test-browser``).

Sobe ``jupyter lab`` numa porta livre, com token, sobre uma CÓPIA de ``notebooks/`` (o Lab salva
sozinho), e o dirige com o Chromium do sistema via Playwright (nunca ``playwright install``: ele
baixaria outro navegador). O kernel é o ``hw08`` (o que os notebooks declaram) deste interpretador
e deste checkout (``HW08_BROWSER_NOTEBOOKS=pasta`` testa outra pasta de notebooks, ex.: cópias
reexecutadas). Quando um teste falha, a tela e o log do servidor ficam em ``test-artifacts/``.

Marcados ``browser``: o ``pytest`` comum os deixa de fora (``-m "not browser"`` no pyproject);
``make test-browser`` os roda. Sem Chromium ou Playwright, pulam — exceto com
``HW08_BROWSER_REQUIRED=1`` (o ``make test-browser`` e a CI), quando falham.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("HW08_TEST_ARTIFACTS", REPO / "test-artifacts"))
REQUIRED = os.environ.get("HW08_BROWSER_REQUIRED", "") not in ("", "0")
CHROMIUM = shutil.which(os.environ.get("HW08_CHROMIUM") or "chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--disable-background-networking", "--disable-extensions",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--metrics-recording-only", "--mute-audio"]
RUN_TIMEOUT_MS = int(os.environ.get("HW08_BROWSER_RUN_TIMEOUT", "600")) * 1000
SAVED_TEXT = "controle interativo — execute a célula para usar"


PRISTINE = "intactos"   # subpasta com as saídas salvas, que nenhum teste executa


def _missing(reason):
    if REQUIRED:
        pytest.fail(f"{reason} (HW08_BROWSER_REQUIRED=1: o teste de navegador é obrigatório aqui)",
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def sync_api():
    try:
        from playwright import sync_api
    except ImportError:
        _missing("Playwright não instalado: pip install playwright (ou make setup)")
    if CHROMIUM is None:
        _missing("Chromium não encontrado: apt-get install chromium (ou HW08_CHROMIUM=/caminho)")
    return sync_api


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_settings(folder):
    """Configurações do Lab só para o teste: todas as células no DOM, sem buscar notícias."""
    settings = {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                       "checkForUpdates": False},
    }
    for plugin, values in settings.items():
        pkg, name = plugin.rsplit("/", 1)
        path = folder / pkg / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@pytest.fixture(scope="module")
def lab(sync_api, tmp_path_factory, hw08_kernel_dir):
    """Servidor JupyterLab sobre uma cópia de notebooks/; devolve (url, token, log)."""
    base = tmp_path_factory.mktemp("lab")
    nbdir = base / "notebooks"
    source = Path(os.environ.get("HW08_BROWSER_NOTEBOOKS") or REPO / "notebooks")
    skip = shutil.ignore_patterns(".ipynb_checkpoints", "*.pdf")
    shutil.copytree(source, nbdir, ignore=skip)
    # Outra cópia, que só test_saved_notebooks_open_with_figures abre: nunca a que o Run All salvou
    # (sob carga, abrir a cópia autosalva no meio da gravação já falhou).
    shutil.copytree(source, nbdir / PRISTINE, ignore=skip)
    # Os dados continuam os do projeto (a cópia fica fora da árvore com pyproject.toml).
    data_root = os.environ.get("HW08_DATA_ROOT") or str(REPO / "data")
    if not (Path(data_root) / "MNIST").is_dir():
        pytest.fail(f"Sem dados em {data_root}: rode `make data` antes do teste de navegador.",
                    pytrace=False)
    _write_settings(base / "settings")
    env = dict(os.environ,
               JUPYTER_PATH=str(hw08_kernel_dir),
               JUPYTER_CONFIG_DIR=str(base / "config"),
               JUPYTER_RUNTIME_DIR=str(base / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(base / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
               IPYTHONDIR=str(base / "ipython"),
               HW08_DATA_ROOT=data_root)
    token = os.urandom(16).hex()
    port = _free_port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={nbdir}"]
    if hasattr(os, "getuid") and os.getuid() == 0:
        cmd.append("--allow-root")
    log_path = base / "jupyter-lab.log"
    with open(log_path, "wb") as log:
        # grupo de processos próprio: no fim paramos só este servidor (e os kernels dele)
        proc = subprocess.Popen(cmd, cwd=nbdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab saiu com status {proc.returncode}:\n"
                            + log_path.read_text(errors="replace")[-3000:], pytrace=False)
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("jupyter lab não respondeu /api/status em 90 s:\n"
                            + log_path.read_text(errors="replace")[-3000:], pytrace=False)
            time.sleep(0.5)
        yield {"url": url, "token": token, "log": log_path, "dir": nbdir}
    finally:
        _stop(proc)


def _stop(proc):
    """SIGTERM no servidor (ele encerra os próprios kernels); SIGKILL no grupo se não sair."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # o grupo criado acima: sobras deste servidor
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(sync_api):
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, lab, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    console_errors = []
    pg.on("pageerror", lambda exc: console_errors.append(str(exc)))
    pg.console_errors = console_errors
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"{request.node.name}.png"
        try:
            pg.screenshot(path=str(shot), full_page=True)
            print(f"\ncaptura de tela: {shot}")
        except Exception as exc:  # a página pode ter morrido junto com o teste
            print(f"\nsem captura de tela ({exc})")
        log_copy = ARTIFACTS / f"{request.node.name}.jupyter-lab.log"
        shutil.copy(lab["log"], log_copy)
        print(f"log do servidor: {log_copy}")
    context.close()


def _open(page, lab, name):
    page.goto(f"{lab['url']}/lab/tree/{name}?reset&token={lab['token']}")
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    panel.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
    # kernel pronto: a barra de status mostra "Python (hw08) | Idle" (sem diálogo de escolha)
    page.wait_for_function(
        """() => /Python \\(hw08\\) \\| Idle/.test(
                     document.querySelector('#jp-main-statusbar')?.textContent || '')""",
        timeout=120_000)
    return panel


def _images(page):
    return page.eval_on_selector_all(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img",
        "els => els.map(e => ({ok: e.complete && e.naturalWidth > 0, src: e.src.slice(0, 60)}))")


def _wait_images_loaded(page, timeout=30_000):
    page.wait_for_function(
        """() => [...document.querySelectorAll(
                 '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img')]
                 .every(e => e.complete)""", timeout=timeout)


def _restart_and_run_all(page):
    page.locator(".lm-MenuBar-itemLabel", has_text="Kernel").click()
    page.locator(".lm-Menu-itemLabel", has_text="Restart Kernel and Run All Cells").click()
    page.locator(".jp-Dialog .jp-mod-accept").click()
    # depois do reinício as células entram na fila ([*]); só então esperamos o fim
    page.wait_for_function(
        """() => [...document.querySelectorAll(
                 '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]
                 .some(p => p.textContent.includes('[*]'))""", timeout=120_000, polling=200)
    # todas as células de código com número de execução, nenhuma em espera ou rodando
    page.wait_for_function(
        """() => { const ps = [...document.querySelectorAll(
                     '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')];
                   return ps.length > 0 && ps.every(p => /\\[\\d+\\]/.test(p.textContent)); }""",
        timeout=RUN_TIMEOUT_MS, polling=1000)


def _error_outputs(page):
    return page.eval_on_selector_all(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output"
        "[data-mime-type='application/vnd.jupyter.error'],"
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output"
        "[data-mime-type='application/vnd.jupyter.stderr']",
        "els => els.map(e => e.textContent.slice(0, 500))")


def _server_problems(lab):
    text = lab["log"].read_text(errors="replace")
    return [line for line in text.splitlines() if "Traceback" in line or "ERROR" in line]


def test_launcher_offers_project_kernel(page, lab):
    page.goto(f"{lab['url']}/lab?token={lab['token']}")
    cards = page.locator(".jp-LauncherCard")
    cards.first.wait_for(timeout=60_000)
    labels = cards.all_text_contents()
    assert any("Python (hw08)" in t for t in labels), labels


@pytest.mark.parametrize("name", ["00_dados.ipynb", "01_kmeans_mnist.ipynb"])
def test_restart_and_run_all(page, lab, name):
    _open(page, lab, name)
    t0 = time.monotonic()
    _restart_and_run_all(page)
    print(f"\n{name}: Restart Kernel and Run All em {time.monotonic() - t0:.0f} s")
    assert _error_outputs(page) == []
    _wait_images_loaded(page)
    images = _images(page)
    assert images and all(i["ok"] for i in images), [i for i in images if not i["ok"]]
    if name.startswith("01"):
        _check_widget_redraws(page)
    assert page.console_errors == []
    assert _server_problems(lab) == []


def _check_widget_redraws(page):
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    select = panel.locator(".widget-dropdown select").first
    select.wait_for(timeout=30_000)
    figure = panel.locator(".widget-output img").first
    figure.wait_for(timeout=60_000)
    before = figure.get_attribute("src")
    assert select.input_value() == "k-means++"
    select.select_option("random")
    page.wait_for_function(
        """(before) => { const img = document.querySelector(
                '.jp-NotebookPanel:not(.lm-mod-hidden) .widget-output img');
              return img && img.complete && img.naturalWidth > 0 && img.src !== before; }""",
        arg=before, timeout=120_000)


def test_derivations_mathjax(page, lab):
    _open(page, lab, "03_derivacoes.ipynb")
    page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 50",
                           timeout=60_000)
    # espera o MathJax terminar (o número de fórmulas para de crescer)
    last, stable = -1, 0
    while stable < 3:
        n = page.locator("mjx-container").count()
        stable = stable + 1 if n == last else 0
        last = n
        time.sleep(0.5)
    print(f"\n03: {last} fórmulas renderizadas")
    assert page.locator("mjx-merror").count() == 0
    assert page.get_by_text("Math input error").count() == 0


@pytest.mark.parametrize("name", ["01_kmeans_mnist.ipynb", "02_gmm_ood.ipynb", "04_em_na_pratica.ipynb"])
def test_saved_notebooks_open_with_figures(page, lab, name):
    _open(page, lab, f"{PRISTINE}/{name}")
    _wait_images_loaded(page)
    images = _images(page)
    assert len(images) >= 3 and all(i["ok"] for i in images), images
    # saídas salvas legíveis antes de executar: nada de repr cru de widget nem barra congelada
    outputs = " ".join(page.locator(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output").all_text_contents())
    for raw in ("Dropdown(", "SelectionSlider(", "Output()", "IntProgress(", "0%|"):
        assert raw not in outputs, f"{name}: saída salva mostra {raw!r}"
    if name.startswith(("01", "02")):  # os dois com controles interativos
        assert SAVED_TEXT in outputs
