#!/usr/bin/env bash
# The installs behind `make run`, `make test` and `make setup` (Makefile; decisions §44).
#
#   scripts/setup.sh venv         the virtualenv .venv, with uv in it (from PyPI)
#   scripts/setup.sh python-run   the packages `make run` needs (pyproject.toml's dependencies)
#   scripts/setup.sh python-dev   those and the dev extras (tests, ruff, benchmarks), liiatools
#   scripts/setup.sh assets       npm ci and the CSS / MOJ asset build (static/build/)
#
# Python packages go in with uv (parallel downloads, a shared cache, no byte-compiling of
# every installed file); if uv cannot be installed or fails, pip does it as before. Every
# step says what it is doing and how long it took, so nothing looks hung.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
VENV=.venv
BIN=$VENV/bin
export PIP_DISABLE_PIP_VERSION_CHECK=1
# uv reads no pip configuration: an index chosen for pip in the environment is passed on.
if [ -n "${PIP_INDEX_URL:-}" ] && [ -z "${UV_INDEX_URL:-}${UV_DEFAULT_INDEX:-}" ]; then
    export UV_DEFAULT_INDEX=$PIP_INDEX_URL
fi

say() { printf '[setup] %s\n' "$*"; }

# uv prints one "+ package==version" line per package: keep its summary lines only.
uv_install() {
    local status
    set +e
    "$BIN/uv" pip install --python "$BIN/python" "$@" 2>&1 | grep --line-buffered -v '^ [-+~] '
    status=${PIPESTATUS[0]}
    set -e
    return "$status"
}

install() {  # install PIP-ARGUMENTS...: with uv, else with pip
    if [ -x "$BIN/uv" ]; then
        uv_install "$@" && return 0
        say "uv failed: installing with pip instead (slower) ..."
    fi
    [ -x "$BIN/pip" ] || "$BIN/python" -m ensurepip --default-pip
    "$BIN/pip" install --quiet --upgrade pip
    "$BIN/pip" install --quiet "$@"
}

venv() {
    local t0=$SECONDS
    if [ ! -x "$BIN/python" ]; then
        # Without pip (ensurepip costs seconds): uv installs the packages; pip is added only
        # if uv cannot be had or fails.
        say "creating the virtualenv $VENV ($PYTHON) ..."
        "$PYTHON" -m venv --without-pip "$VENV"
    fi
    if [ ! -x "$BIN/uv" ] && command -v uv >/dev/null; then
        say "using the uv already installed here ($(command -v uv))"
        ln -sf "$(command -v uv)" "$BIN/uv"
    fi
    if [ ! -x "$BIN/uv" ]; then
        say "installing uv into $VENV (the fast installer; pip is the fallback) ..."
        # The interpreter's own pip installs it into the virtualenv (pip --python); where that
        # Python has no pip, the virtualenv gets one first.
        "$PYTHON" -m pip --python "$BIN/python" install --quiet uv 2>/dev/null \
            || { "$BIN/python" -m ensurepip --default-pip >/dev/null \
                 && "$BIN/pip" install --quiet uv; } \
            || say "uv could not be installed: pip will install the packages"
    fi
    [ $((SECONDS - t0)) -eq 0 ] || say "virtualenv ready in $((SECONDS - t0))s"
}

python_run() {
    local t0=$SECONDS
    venv  # a virtualenv made before uv was used gets it too
    say "installing the Python packages make run needs (pyproject.toml dependencies) ..."
    install -e .
    say "Python packages for make run installed in $((SECONDS - t0))s"
}

python_dev() {
    local t0=$SECONDS
    venv  # a virtualenv made before uv was used gets it too
    say "installing the Python packages with the dev extras (tests, ruff, benchmarks) ..."
    # Byte-compiled here (pip does it too; uv only when asked): the test runs import
    # everything, also where PYTHONDONTWRITEBYTECODE is set. make run's own install does
    # not: run.py keeps its bytecode under var/pycache as modules are first imported.
    UV_COMPILE_BYTECODE=1 install -e '.[dev]'
    # liiatools (the census XSD, tests/returns) without its dependencies: its pinned cchardet
    # does not build on Python 3.11, and only its spec files are used.
    install --no-deps 'liiatools==0.2.0'
    say "Python packages with the dev extras installed in $((SECONDS - t0))s"
}

assets() {
    local t0=$SECONDS
    say "assets: installing the front-end packages (npm ci, package-lock.json) ..."
    npm ci --no-audit --no-fund --silent || npm install --no-audit --no-fund --silent
    say "assets: npm packages in $((SECONDS - t0))s; building the CSS and the MOJ assets ..."
    npm run --silent build
    say "assets: built into static/build/ in $((SECONDS - t0))s"
}

case "${1:-}" in
    venv) venv ;;
    python-run) python_run ;;
    python-dev) python_dev ;;
    assets) assets ;;
    *) echo "usage: $0 venv|python-run|python-dev|assets" >&2; exit 2 ;;
esac
