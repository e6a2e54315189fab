# The two commands of the README (make demo, make test) set everything up themselves.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: demo test check bench fuzz setup system-deps deb clean

setup: $(STAMP) system-deps

$(STAMP): pyproject.toml scripts/bootstrap.sh
	@scripts/bootstrap.sh python

system-deps:
	@scripts/bootstrap.sh system
	@scripts/bootstrap.sh browser
	@scripts/bootstrap.sh shells
	@scripts/bootstrap.sh node

## make test: every tier (unit, integration, e2e) on this machine
test: setup
	$(PY) -m pytest -q -n $(JOBS) --dist loadfile tests

## make check: lint and types
check: $(STAMP)
	$(VENV)/bin/ruff check src tests bench fuzz
	$(VENV)/bin/ruff format --check src tests bench fuzz
	$(VENV)/bin/mypy

## make demo: the documented onboarding flow on the local tenant
demo: setup
	$(VENV)/bin/c8ylink demo

## make bench: every benchmark, one result line each
bench: setup
	@failed=; for b in bench/*.py; do $(PY) $$b || failed="$$failed $$b"; done; \
	if [ -n "$$failed" ]; then echo "bench: missed a target or failed:$$failed" >&2; exit 1; fi

## make fuzz: coverage-guided fuzzing (atheris) of each target in fuzz/ for FUZZ_SECONDS, one at a time
FUZZ_SECONDS ?= 60
fuzz: $(STAMP)
	@scripts/bootstrap.sh fuzz
	$(PY) fuzz/run.py --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

## make deb: the Debian package of the device side (dist/c8ylink_<version>_<arch>.deb)
deb:
	@scripts/build-deb.sh dist

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .fuzz
