# hw08 — K-means e Mixture models. `make help` lista os alvos.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := .stamps
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
PDF := export/hw08.pdf
# Os dados vêm de $HW08_DATA_MIRROR, se definida (sem rede), senão do download do torchvision.
export HW08_DATA_MIRROR

.PHONY: help setup data notebooks pdf test test-browser unit nbval nbval-alt lab lab-canonico bench lock aluno validar-aluno verificar clean distclean

help:
	@echo "make setup      cria .venv, instala hw08[dev] e registra o kernel 'hw08'"
	@echo "make data       prepara MNIST e FashionMNIST em data/ (internet ou HW08_DATA_MIRROR)"
	@echo "make notebooks  executa todos os notebooks no lugar (salvando as saídas)"
	@echo "make pdf        gera export/hw08.pdf (+ hw08.json) com todos os notebooks (NOME=, MATRICULA=)"
	@echo "make test       testes unitários + nbval de todos os notebooks"
	@echo "make nbval      só a conferência dos notebooks (NOTEBOOKS=\"notebooks/01_...ipynb\" para escolher)"
	@echo "make nbval-alt  confere os notebooks de novo com 1 thread (a aritmética canônica não muda um bit)"
	@echo "make test-browser  JupyterLab no Chromium: kernel, Run All de 00/01, widget, MathJax, figuras"
	@echo "make lab        abre o JupyterLab em notebooks/ (aritmética nativa, a mais rápida)"
	@echo "make lab-canonico  o JupyterLab na aritmética canônica: os números exatos das saídas salvas"
	@echo "make bench      benchmarks contra o scikit-learn"
	@echo "make aluno      gera o kit do aluno em dist/aluno/ (enunciado para fazer, sem as soluções)"
	@echo "make validar-aluno  o kit falha em cada verificação (função faltando) e a solução passa todas"
	@echo "make verificar  python -m hw08.verificar: as verificações dos exercícios nesta cópia"
	@echo "make clean      apaga caches e o PDF (distclean: também .venv e data/)"

setup: $(STAMP)/setup

$(STAMP)/setup: pyproject.toml requirements-lock.txt
	@mkdir -p $(STAMP)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -c requirements-lock.txt -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name hw08 --display-name "Python (hw08)"
	@touch $@

data: $(STAMP)/data

$(STAMP)/data: $(STAMP)/setup
	$(PY) -m hw08.data
	@touch $@

# Tudo o que grava ou confere saídas roda na aritmética canônica (hw08/canonical.py, a única
# definição): os mesmos bits em qualquer CPU x86-64 e com qualquer número de threads. `make notebooks`
# e `make lab-canonico` passam por `python -m hw08.canonical`; o nbval (make test/nbval) e o exportador
# a aplicam sozinhos ao kernel. `make lab` fica na aritmética nativa (mais rápida). make test confere
# com todas as threads da máquina; make nbval-alt confere de novo com 1 thread (NBVAL_ALT_THREADS).
CANONICAL := $(PY) -m hw08.canonical
# nbval-alt: um notebook por processo (pytest-xdist, --dist loadfile), tantos processos quantos núcleos,
# cada um com NBVAL_ALT_THREADS; o 02, o mais longo, vai primeiro.
NBVAL_ALT_THREADS ?= 1
NBVAL_ALT_JOBS ?= $(JOBS)
ALT_NOTEBOOKS ?= $(filter notebooks/02_%,$(NOTEBOOKS)) $(filter-out notebooks/02_%,$(NOTEBOOKS))

# Executa e salva as saídas de todos os notebooks (sempre: é o que o aluno pede).
notebooks: $(STAMP)/data
	$(CANONICAL) $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.record_timing=False \
	  --AsyncKernelManager.client_class=hw08._nbexec.KernelClient $(NOTEBOOKS)

# O PDF usa as saídas salvas; notebooks com células de código sem saída são executados antes
# (em cópia, sem alterar os arquivos). Ao lado, export/hw08.json (páginas de cada questão). Escrita
# atômica: o PDF e o .json só são trocados quando os dois novos estão completos; em caso de erro (ou
# Ctrl-C) os anteriores ficam intactos. Nome e matrícula na capa: make pdf NOME="..." MATRICULA=...
# O apêndice traz o código dos módulos do hw08 que produzem as respostas.
NOME ?=
MATRICULA ?=
APENDICE := hw08/kmeans.py hw08/_kmeans_common.py hw08/kmeans_missing.py hw08/_mixture.py hw08/gmm.py hw08/bernoulli.py hw08/mlp.py hw08/ood.py
pdf: $(PDF)

$(PDF): $(STAMP)/data $(NOTEBOOKS) hw08/export.py hw08/export_latex.py hw08/_safeio.py \
	  $(wildcard hw08/templates/hw08/*) $(APENDICE)
	$(PY) -m hw08.export $(NOTEBOOKS) -o $@ --execute-missing \
	  $(if $(NOME),--author "$(NOME)") $(if $(MATRICULA),--student-id "$(MATRICULA)") \
	  --apendice-codigo $(APENDICE)

NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	--nbval-cell-timeout=900 --durations=15

# Os testes unitários em paralelo (pytest-xdist, um processo por núcleo); depois os notebooks, um de
# cada vez, com todas as threads da máquina.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test: $(STAMP)/data
	$(PY) -m pytest tests -n $(JOBS) --durations=10
	$(PY) -m pytest $(NOTEBOOKS) $(NBVAL_FLAGS)

# JupyterLab de verdade no Chromium do sistema (tests/test_browser.py, marcador `browser`, fora do
# pytest comum). Aqui ele não pode pular: sem chromium ou playwright, falha dizendo o que instalar.
test-browser: $(STAMP)/data
	HW08_BROWSER_REQUIRED=1 $(PY) -m pytest tests/test_browser.py -m browser --durations=10

unit: $(STAMP)/setup
	$(PY) -m pytest tests

# make nbval NOTEBOOKS="notebooks/01_kmeans_mnist.ipynb" confere só os notebooks dados
nbval: $(STAMP)/data
	$(PY) -m pytest $(NOTEBOOKS) $(NBVAL_FLAGS)

nbval-alt: $(STAMP)/data
	$(CANONICAL) --threads $(NBVAL_ALT_THREADS) $(PY) -m pytest $(ALT_NOTEBOOKS) $(NBVAL_FLAGS) \
	  -n $(NBVAL_ALT_JOBS) --dist loadfile

lab: $(STAMP)/data
	cd notebooks && ../$(VENV)/bin/jupyter lab

# O lab com os números exatos das saídas salvas (mais lento: ver README, "Aritmética canônica").
lab-canonico: $(STAMP)/data
	cd notebooks && ../$(CANONICAL) ../$(VENV)/bin/jupyter lab

# Registra as versões exatas do ambiente atual (as que geraram as saídas salvas dos notebooks).
lock: $(STAMP)/setup
	{ sed -n '1,2p' requirements-lock.txt; $(PY) -m pip freeze --exclude-editable | grep -v '^hw08'; } \
	  > requirements-lock.txt.tmp && mv requirements-lock.txt.tmp requirements-lock.txt

bench: $(STAMP)/data
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Kit do aluno gerado da mesma fonte (regiões de solução -> esqueletos; ver tools/kit_aluno.py).
aluno: $(STAMP)/setup
	$(PY) tools/kit_aluno.py gerar -o dist/aluno

validar-aluno: $(STAMP)/setup
	$(PY) tools/kit_aluno.py validar

verificar: $(STAMP)/setup
	$(CANONICAL) $(PY) -m hw08.verificar

clean:
	rm -rf .pytest_cache export/_build $(PDF) $(PDF:.pdf=.json) $(STAMP)/data
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(STAMP) data dist
