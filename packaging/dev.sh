#!/usr/bin/env bash
# Set up (or refresh) the project's virtual environment, then run the app or the tests.
#   bash packaging/dev.sh app  [args…]   set everything up and launch Keras Studio
#   bash packaging/dev.sh test [args…]   set everything up and run the test suite
#   bash packaging/dev.sh lint           set everything up and run ruff, mypy and the import contracts
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${KERAS_STUDIO_VENV:-.venv}
PY=${PYTHON:-python3}

# uv pip install into the venv, told the extra indexes and wheel folders pip is configured with (uv reads no
# pip.conf); with several indexes it takes the best version from any, as pip does
uv_install() {
    local extra links
    extra=$("$VENV/bin/python" -m pip config get global.extra-index-url 2>/dev/null || true)
    links=$("$VENV/bin/python" -m pip config get global.find-links 2>/dev/null || true)
    links=${PIP_FIND_LINKS:-$links}
    local args=(--python "$VENV/bin/python" --quiet)
    for url in $extra; do args+=(--extra-index-url "$url"); done
    for dir in $links; do args+=(--find-links "$dir"); done
    [ -n "$extra" ] && args+=(--index-strategy unsafe-best-match)
    "$VENV/bin/uv" pip install "${args[@]}" "$@"
}

if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating $VENV …"
    "$PY" -m venv "$VENV"
fi
stamp="$VENV/.installed-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
    echo "Installing Keras Studio and its dependencies into $VENV …"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    # PyTorch: prefer the CPU build (small); where it cannot be had, pip's normal choice.
    "$VENV/bin/python" -m pip install --quiet "torch==2.13.0" 2>/dev/null \
        || "$VENV/bin/python" -m pip install --quiet "torch>=2.4"
    # every backend (and Ray) for development. uv installs the rest in parallel (a minute or two less than pip on
    # two cores), from the indexes pip is configured with; where uv cannot be had or fails, pip does it.
    if "$VENV/bin/python" -m pip install --quiet uv 2>/dev/null && uv_install -e ".[all,test,export,ray]"; then :
    else "$VENV/bin/python" -m pip install --quiet -e ".[all,test,export,ray]"
    fi
    rm -f "$VENV"/.installed-*
    touch "$stamp"
fi

cmd=${1:-app}
shift || true
case "$cmd" in
    app)  exec "$VENV/bin/keras-studio" "$@" ;;
    test) export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
          # keep compiled bytecode (and pytest's rewritten test modules): without it every test process and every
          # child job compiles the package again, seconds each
          unset PYTHONDONTWRITEBYTECODE
          # one test process per core (pytest-xdist; each trains the shared evaluation runs once, about 20 s, which
          # costs less than holding all their tests on one). KERAS_STUDIO_TEST_PROCESSES=0: all in this process.
          exec "$VENV/bin/python" -m pytest -n "${KERAS_STUDIO_TEST_PROCESSES:-auto}" "$@" ;;
    lint) status=0  # each check runs, so that one report shows every finding
          "$VENV/bin/ruff" check . || status=1
          "$VENV/bin/mypy" || status=1
          "$VENV/bin/lint-imports" --no-cache || status=1
          exit "$status" ;;
    *)    echo "usage: bash packaging/dev.sh app|test|lint [args…]" >&2; exit 2 ;;
esac
