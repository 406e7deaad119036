#!/usr/bin/env bash
# Set up (or refresh) the project's virtual environment, then run the app or the tests.
#   bash packaging/dev.sh app  [args…]   set everything up and launch Keras Studio
#   bash packaging/dev.sh test [args…]   set everything up and run the test suite
#   bash packaging/dev.sh lint           set everything up and run ruff, mypy and the import contracts
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${KERAS_STUDIO_VENV:-.venv}
PY=${PYTHON:-python3}

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
    "$VENV/bin/python" -m pip install --quiet -e ".[all,test,export,ray]"  # every backend (and Ray) for development
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
