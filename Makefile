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

.PHONY: help setup data notebooks pdf test unit nbval lab bench aluno validar-aluno verificar clean distclean

help:
	@echo "make setup      cria .venv, instala hw08[dev] e registra o kernel 'hw08'"
	@echo "make data       prepara MNIST e FashionMNIST em data/ (internet ou HW08_DATA_MIRROR)"
	@echo "make notebooks  executa todos os notebooks no lugar (salvando as saídas)"
	@echo "make pdf        gera export/hw08.pdf com todos os notebooks (executa os que faltarem)"
	@echo "make test       testes unitários + nbval de todos os notebooks"
	@echo "make lab        abre o JupyterLab em notebooks/"
	@echo "make bench      benchmarks contra o scikit-learn"
	@echo "make aluno      gera o kit do aluno em dist/aluno/ (enunciado para fazer, sem as soluções)"
	@echo "make validar-aluno  o kit falha em cada verificação (função faltando) e a solução passa todas"
	@echo "make verificar  python -m hw08.verificar: as verificações dos exercícios nesta cópia"
	@echo "make clean      apaga caches e o PDF (distclean: também .venv e data/)"

setup: $(STAMP)/setup

$(STAMP)/setup: pyproject.toml
	@mkdir -p $(STAMP)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name hw08 --display-name "Python (hw08)"
	@touch $@

data: $(STAMP)/data

$(STAMP)/data: $(STAMP)/setup
	$(PY) -m hw08.data
	@touch $@

# Aritmética reprodutível para executar e conferir os notebooks: o treino do MLP amplifica
# diferenças de arredondamento, e torch (ATen, MKL, oneDNN), OpenBLAS e numpy escolhem o código
# (e a ordem das somas) pela CPU e pelo número de threads. Em CPUs com AVX-512 (ex.: AMD Zen 4) o
# ATen usa outros kernels que em CPUs só com AVX2 (Zen 3), e o MLP treinado muda. Fixamos o ramo AVX2
# de todos (MKL em modo CNR estrito) e 2 threads; medido: o treino dá pesos idênticos com 1 ou 2
# threads, e muda se só o ATen usar AVX-512. Assim o nbval compara números iguais em outra CPU x86-64
# com AVX2. Os benchmarks NÃO usam isto (medem a configuração padrão). Para desligar: make test REPRO=
REPRO ?= MKL_CBWR=AVX2,STRICT ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell \
	NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR" OMP_NUM_THREADS=2

# Executa e salva as saídas de todos os notebooks (sempre: é o que o aluno pede).
notebooks: $(STAMP)/data
	$(REPRO) $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.record_timing=False $(NOTEBOOKS)

# O PDF usa as saídas salvas; notebooks com células de código sem saída são executados antes
# (em cópia, sem alterar os arquivos). Escrita atômica: em caso de erro não fica PDF.
pdf: $(PDF)

$(PDF): $(STAMP)/data $(NOTEBOOKS) hw08/export.py $(wildcard export/templates/hw08/*)
	$(REPRO) $(PY) -m hw08.export $(NOTEBOOKS) -o $@ --execute-missing

NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	--nbval-cell-timeout=900 --durations=15

test: $(STAMP)/data
	$(REPRO) $(PY) -m pytest tests notebooks $(NBVAL_FLAGS)

unit: $(STAMP)/setup
	$(PY) -m pytest tests

nbval: $(STAMP)/data
	$(REPRO) $(PY) -m pytest notebooks $(NBVAL_FLAGS)

lab: $(STAMP)/data
	cd notebooks && $(REPRO) ../$(VENV)/bin/jupyter lab

bench: $(STAMP)/data
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Kit do aluno gerado da mesma fonte (regiões de solução -> esqueletos; ver tools/kit_aluno.py).
aluno: $(STAMP)/setup
	$(PY) tools/kit_aluno.py gerar -o dist/aluno

validar-aluno: $(STAMP)/setup
	$(PY) tools/kit_aluno.py validar

verificar: $(STAMP)/setup
	$(PY) -m hw08.verificar

clean:
	rm -rf .pytest_cache export/_build $(PDF) $(STAMP)/data
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(STAMP) data dist
