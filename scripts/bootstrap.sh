#!/usr/bin/env bash
# Set up what c8ylink needs on a fresh Debian/Ubuntu machine.
#   scripts/bootstrap.sh python   create .venv and install the package with its extras
#   scripts/bootstrap.sh system   install the Debian packages the tests and the demo run (mosquitto, tinyproxy, ...)
#   scripts/bootstrap.sh browser  install Debian chromium for the browser-login test
#   scripts/bootstrap.sh shells   install zsh and fish for the set-session helper tests
#   scripts/bootstrap.sh node     install node and npm, and the pinned npm clients of tests/clients/node (npm ci)
#   scripts/bootstrap.sh fuzz     add the coverage-guided fuzzer (atheris, the `fuzz` extra) to .venv for make fuzz
# Each step is idempotent and prints one clear line when it cannot proceed.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "bootstrap: $*" >&2; exit 1; }

python_bin() {
    for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
           "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"; return 0
        fi
    done
    return 1
}

apt_install() {
    # apt_install <package>...: install Debian packages, or explain why that is impossible
    command -v apt-get >/dev/null 2>&1 || die "missing $*; no apt-get here: install $* with your package manager and re-run"
    [ "$(id -u)" = 0 ] || die "missing $*; run as root (or: sudo apt-get install -y $*) and re-run"
    echo "bootstrap: installing $* with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends "$@" >/dev/null; } ||
        die "apt-get could not install $*"
}

setup_python() {
    local py
    py=$(python_bin) || die "Python >= 3.11 is required (set PYTHON=/path/to/python3.11)"
    if [ ! -x .venv/bin/python ]; then
        if ! "$py" -m venv .venv >/dev/null 2>&1; then
            rm -rf .venv
            apt_install python3-venv
            "$py" -m venv .venv
        fi
    fi
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null
    .venv/bin/python -m pip install -q -e '.[operator,tenant,services,dev]'
    touch .venv/.installed
}

setup_system() {
    local missing=()
    command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
    command -v mosquitto_pub >/dev/null 2>&1 || missing+=(mosquitto-clients)
    # a real HTTP proxy for the HTTP client's contract tests (tests/integration/infra/test_http_contract.py)
    command -v tinyproxy >/dev/null 2>&1 || [ -x /usr/bin/tinyproxy ] || missing+=(tinyproxy)
    # systemd-analyze verifies the units tedge init installs (no running systemd is needed)
    command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
    # dpkg-deb builds the device package (scripts/build-deb.sh), python3-venv its venv
    command -v dpkg-deb >/dev/null 2>&1 || missing+=(dpkg)
    /usr/bin/python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
    # `c8y extensions install|update|create` clone, pull and init git repositories (as go-c8y-cli)
    command -v git >/dev/null 2>&1 || missing+=(git)
    if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
}

setup_browser() {
    command -v chromium >/dev/null 2>&1 || apt_install chromium
}

setup_shells() {
    # PowerShell is in neither Debian's nor PyPI's registries: its helper is checked by text only
    local missing=()
    command -v zsh >/dev/null 2>&1 || missing+=(zsh)
    command -v fish >/dev/null 2>&1 || missing+=(fish)
    if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
}

setup_node() {
    # Cumulocity's TypeScript client (@c8y/client), run by tests/integration/tenant/test_c8y_client_js.py
    local missing=()
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
    local dir=tests/clients/node
    # npm ci starts from scratch: skip it while node_modules was installed from this lock file
    if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.installed-lock.json"; then
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci in $dir failed"
        cp "$dir/package-lock.json" "$dir/node_modules/.installed-lock.json"
    fi
}

setup_fuzz() {
    # atheris builds against the running CPython; make fuzz only, never make test
    [ -x .venv/bin/python ] || setup_python
    .venv/bin/python -c 'import atheris' >/dev/null 2>&1 ||
        .venv/bin/python -m pip install -q -e '.[operator,tenant,services,dev,fuzz]' ||
        die "pip could not install the fuzz extra (atheris)"
}

case "${1:-}" in
    python) setup_python ;;
    system) setup_system ;;
    browser) setup_browser ;;
    shells) setup_shells ;;
    node) setup_node ;;
    fuzz) setup_fuzz ;;
    *) die "usage: scripts/bootstrap.sh python|system|browser|shells|node|fuzz" ;;
esac
