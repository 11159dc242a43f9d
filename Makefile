# Quick start: `make demo` and `make test`. Both create .venv and install on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
FRONTEND_INSTALLED := frontend/node_modules/.installed

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1

.PHONY: install frontend test-python test-frontend test-fast hooks import-graph openapi dashboard demo test lint format bench eval heldout samples synth snapshot-update deploy-all deploy deploy-voice deploy-web push-prompts voice-local call-demo bench-voice bench-stt clean

install: $(INSTALLED)

$(INSTALLED): requirements.txt requirements-dev.txt lambda_src/requirements.txt voice_agent/requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	touch $@

$(FRONTEND_INSTALLED): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

# The call page (frontend/dist), which WebStack deploys.
frontend: $(FRONTEND_INSTALLED)
	cd frontend && npm run build

demo: $(INSTALLED)
	$(BIN)/autoqa demo

# The demo's calls in the supervisor dashboard, on this machine (http://127.0.0.1:8765/dashboard).
dashboard: demo frontend
	$(BIN)/autoqa serve --open

# Everything CI runs: lint and types, every Python test (e2e calls included), the page's tests.
test: lint test-python test-frontend

# Two workers for the tests that share nothing; the whole calls and the speech model's tests
# after them, one at a time, as they time real audio.
test-python: $(INSTALLED)
	$(BIN)/python -m pytest -m "not e2e and not audio" -n 2
	$(BIN)/python -m pytest -m "e2e or audio"

# Daily work: every test but the whole calls over WebRTC and the speech model's (two workers).
test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -q -m "not e2e and not audio" -n 2

# Unit tests (Vitest), then the built page in headless Chromium.
test-frontend: $(INSTALLED) frontend
	cd frontend && npm test
	cd frontend && npm run test:e2e

# Style, complexity (no function over 12) and types (strict on qa_engine and contracts).
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Refreshes the import table in docs/architecture.md from the code.
import-graph: $(INSTALLED)
	PYTHONPATH=lambda_src:. $(BIN)/python -m scripts.import_graph --write

# Refreshes docs/dashboard-openapi.json from the dashboard API's routes.
openapi: $(INSTALLED)
	$(BIN)/python scripts/openapi.py

# Runs `make lint`'s checks before each commit.
hooks: $(INSTALLED)
	$(BIN)/pre-commit install

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(INSTALLED)
	$(BIN)/python -m bench.run

# The rules judge against every labelled call in tests/data, clean and with crosstalk.
eval: $(INSTALLED)
	$(BIN)/autoqa eval tests/data/*.yaml

# Regenerates bench/heldout/*.ogg from bench/heldout/dialogues/*.yaml (Kokoro-82M voices).
heldout: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	$(BIN)/python bench/heldout/make_recordings.py

# Regenerates samples/*.ogg from samples/dialogues/*.yaml (needs espeak-ng and sox).
samples: $(INSTALLED)
	$(BIN)/python samples/make_samples.py

# The AWS pipeline. The CDK CLI comes from the npm registry; bundling needs no Docker.
CDK ?= npx --yes aws-cdk@2.1148.1
CDK_ARGS ?=

synth: $(INSTALLED)
	$(CDK) synth --all

# After an intended change to a stack: rewrite tests/infra/snapshots/ and commit them with it.
snapshot-update: $(INSTALLED)
	SNAPSHOT_UPDATE=1 $(BIN)/python -m pytest -q tests/infra/test_snapshots.py

# Everything in one run: QaPipelineStack, VoiceStack, then WebStack (with the page built).
deploy-all: $(INSTALLED) frontend
	$(CDK) deploy --all --require-approval broadening $(CDK_ARGS)

deploy: $(INSTALLED)
	$(CDK) deploy QaPipelineStack $(CDK_ARGS)

# The voice line needs the QA pipeline's bucket and topic: CDK deploys QaPipelineStack first.
deploy-voice: $(INSTALLED)
	$(CDK) deploy VoiceStack $(CDK_ARGS)

# The call page alone: builds frontend/dist, then deploys it with a config.json from VoiceStack.
deploy-web: $(INSTALLED) frontend
	$(CDK) deploy WebStack $(CDK_ARGS)

# Whole calls with no cloud: the offline bot, scripted callers over WebRTC, their scorecards.
call-demo: $(INSTALLED)
	PYTHONPATH=lambda_src:. $(BIN)/python -m scripts.call_demo

# Concurrent simulated calls: response latency, CPU per call-minute, calls held (JSON).
bench-voice: $(INSTALLED)
	PYTHONPATH=lambda_src:. $(BIN)/python -m bench.voice $(BENCH_ARGS)

# The live bot's speech recognition: a window cut to the turn against Whisper's full 30 s.
bench-stt: $(INSTALLED)
	PYTHONPATH=lambda_src:. $(BIN)/python -m bench.stt_window $(BENCH_ARGS)

# The voice bot on this machine over SmallWebRTC (http://localhost:7860), AWS voice services.
voice-local: $(INSTALLED)
	PYTHONPATH=lambda_src:. $(BIN)/python -m voice_agent.local_bot

# Uploads prompts/ to the deployed stack's config bucket: the next calls use it, no redeploy.
push-prompts: $(INSTALLED)
	$(BIN)/python scripts/push_prompts.py

clean:
	rm -rf $(VENV) .autoqa .pytest_cache .ruff_cache cdk.out
