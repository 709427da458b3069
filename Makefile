# Every command a developer or CI needs; see README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
# Debian packages the browser tests need: the browser itself and fonts for Hindi and Khmer.
BROWSER_PACKAGES := chromium chromium-driver fonts-noto-core
# The HTTP load generator bench/api.py drives the API with.
BENCH_PACKAGES := wrk

.PHONY: setup run build test lint bench lock browser vendor clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

build: setup
	$(BIN)/portal build

run: build
	$(BIN)/portal demo
	$(BIN)/portal serve --port $(PORT)

# Install the Debian packages in $(1) that are missing.
define debian_packages
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

browser:
	$(call debian_packages,$(BROWSER_PACKAGES))

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/cfn-lint template.yaml

# The API and worker tests run a second time on the DynamoDB store (moto's server); the
# contract suite and the DynamoDB store's own tests run both backends in the first pass.
DYNAMODB_TESTS = tests/functions tests/portal -m "not browser" \
	--deselect tests/functions/test_store_contract.py \
	--deselect tests/functions/test_store_dynamodb.py --deselect tests/functions/test_stream.py \
	--deselect tests/portal/test_aws_indexer.py

test: setup browser lint
	$(BIN)/python -m pytest
	PORTAL_TEST_STORE=dynamodb $(BIN)/python -m pytest $(DYNAMODB_TESTS)

bench: setup
	$(call debian_packages,$(BENCH_PACKAGES))
	$(BIN)/python -m bench

lock:
	$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-unknown-linux-gnu -o requirements.lock

# Copy the browser libraries locked in package-lock.json into theme/assets/vendor/ (the
# copies are committed, so building the site needs no npm).
vendor:
	npm ci --ignore-scripts --no-audit --no-fund
	cp node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css \
	  node_modules/uplot/LICENSE theme/assets/vendor/uplot/

clean:
	rm -rf site site.builds var .pytest_cache
