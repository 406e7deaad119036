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

# The system libraries Qt's xcb platform plugin loads (Debian/Ubuntu package names); PySide6's wheels do not
# carry them. A desktop that lacks one gets Qt's "Could not load the Qt platform plugin "xcb"" and an abort.
QT_XCB_DEBS="libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 \
libxcb-randr0 libxcb-xkb1 libxkbcommon-x11-0 libegl1"

# After Qt could not start: say which libraries are missing (ldd on the plugin names them; the Debian package of
# libfoo.so.N is libfooN, or libfoo-N when foo ends in a digit) and the one line that installs them.
qt_xcb_hint() {
    local plugin missing="" lib base num
    plugin=$("$VENV/bin/python" -c 'import pathlib, PySide6; print(pathlib.Path(PySide6.__file__).parent / "Qt/plugins/platforms/libqxcb.so")' 2>/dev/null || true)
    if [ -n "$plugin" ] && [ -f "$plugin" ]; then
        for lib in $(ldd "$plugin" 2>/dev/null | awk '/not found/ {print $1}'); do
            base=${lib%%.so*}; num=${lib##*.so.}; num=${num%%.*}
            case "$base" in *[0-9]) missing+=" $base-$num" ;; *) missing+=" $base$num" ;; esac
        done
    fi
    echo >&2
    echo "Keras Studio could not open its window: Qt's xcb platform plugin needs system libraries this desktop lacks." >&2
    [ -n "$missing" ] && echo "Missing:$missing" >&2
    echo "On Debian or Ubuntu, install what Qt needs with:" >&2
    echo "    sudo apt-get install ${missing:+$missing }$QT_XCB_DEBS" | tr -s ' ' >&2
    echo "(Fedora: sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms xcb-util-image xcb-util-renderutil" \
         "libxkbcommon-x11; on Wayland, QT_QPA_PLATFORM=wayland may work without them.)" >&2
}

cmd=${1:-app}
shift || true
case "$cmd" in
    app)  errors=$(mktemp)
          trap 'rm -f "$errors"' EXIT
          set +e  # the app's own status is the script's; its stderr is shown as it comes and kept to read after
          { "$VENV/bin/keras-studio" "$@" 2>&1 >&3 3>&- | tee "$errors" >&2 3>&-; } 3>&1
          status=${PIPESTATUS[0]}
          set -e
          if [ "$status" -ne 0 ] && grep -q 'Qt platform plugin "xcb"' "$errors"; then qt_xcb_hint; fi
          exit "$status" ;;
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
