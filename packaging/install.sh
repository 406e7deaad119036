#!/usr/bin/env bash
# Install Keras Studio for the current user: its own environment, the backends you choose, a menu entry.
#
#   bash packaging/install.sh                         asks which backends (default: jax), CPU
#   bash packaging/install.sh --backends torch,jax    or tensorflow, torch, jax, all
#   bash packaging/install.sh --cuda                  NVIDIA GPU builds (Linux): jax[cuda12], torch's CUDA wheels,
#                                                     tensorflow[and-cuda]
#   bash packaging/install.sh --uninstall             removes the environment, the launcher and the menu entry
# Other options: --prefix DIR (default ~/.local/share/keras-studio), --from SOURCE (a wheel, a checkout or
# "keras-studio" from PyPI; default: this checkout), --no-desktop, --dry-run (print what would run).
# Uses uv when it is installed (much faster), pip otherwise. Needs Python 3.11 or newer.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${XDG_DATA_HOME:-$HOME/.local/share}/keras-studio"
bindir="$HOME/.local/bin"
backends=""
cuda=0
source=""
desktop=1
dry=0
action=install

while [ $# -gt 0 ]; do
    case "$1" in
        --backends) backends="$2"; shift ;;
        --backends=*) backends="${1#*=}" ;;
        --cuda) cuda=1 ;;
        --cpu) cuda=0 ;;
        --prefix) prefix="$2"; shift ;;
        --from) source="$2"; shift ;;
        --no-desktop) desktop=0 ;;
        --dry-run) dry=1 ;;
        --uninstall) action=uninstall ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "error: unknown option $1 (see bash $0 --help)" >&2; exit 2 ;;
    esac
    shift
done

venv="$prefix/venv"
run() { echo "+ $*"; [ "$dry" = 1 ] || "$@"; }

if [ "$action" = uninstall ]; then
    [ -x "$venv/bin/keras-studio" ] && run "$venv/bin/keras-studio" --uninstall-desktop || true
    run rm -rf "$venv"
    [ -L "$bindir/keras-studio" ] && run rm -f "$bindir/keras-studio" || true
    echo "Keras Studio is removed (your runs and projects are kept where you saved them)."
    exit 0
fi

if [ -z "$backends" ]; then
    if [ -t 0 ]; then
        read -r -p "Backends to install (tensorflow, torch, jax, all; comma-separated) [jax]: " backends
    fi
    backends="${backends:-jax}"
fi
[ "$backends" = all ] && backends="tensorflow,torch,jax"
IFS=',' read -r -a chosen <<< "${backends// /}"
for b in "${chosen[@]}"; do
    case "$b" in tensorflow|torch|jax) ;; *) echo "error: unknown backend '$b'; choose from tensorflow, torch, jax, all" >&2; exit 2 ;; esac
done

if [ -z "$source" ]; then
    if [ -f "$here/pyproject.toml" ]; then source="$here"; else source="keras-studio"; fi
fi

# What to install: the app with its backend extras; the GPU builds are separate packages or extras
extras=$(IFS=','; echo "${chosen[*]}")
packages=("$source[$extras]")
torch_index=()
for b in "${chosen[@]}"; do
    case "$b:$cuda" in
        jax:1) packages+=("jax[cuda12]") ;;
        tensorflow:1) packages+=("tensorflow[and-cuda]") ;;
        torch:0) torch_index=(--extra-index-url https://download.pytorch.org/whl/cpu) ;;  # the small CPU build
    esac
done

python="${PYTHON:-python3}"
if command -v uv >/dev/null; then
    echo "Installing with uv into $venv …"
    run uv venv --quiet --python ">=3.11" "$venv"
    [ ${#torch_index[@]} -gt 0 ] && torch_index+=(--index-strategy unsafe-best-match)
    run uv pip install --quiet --python "$venv/bin/python" "${torch_index[@]}" "${packages[@]}"
else
    echo "Installing with pip into $venv (install uv for a faster install) …"
    command -v "$python" >/dev/null || { echo "error: $python not found; install Python 3.11 or newer (python.org), or uv" >&2; exit 1; }
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || { echo "error: Keras Studio needs Python 3.11 or newer; $python is $("$python" --version 2>&1)" >&2; exit 1; }
    run "$python" -m venv "$venv"
    run "$venv/bin/python" -m pip install --quiet --upgrade pip
    run "$venv/bin/python" -m pip install --quiet "${torch_index[@]}" "${packages[@]}"
fi

run mkdir -p "$bindir"
run ln -sf "$venv/bin/keras-studio" "$bindir/keras-studio"
if [ "$desktop" = 1 ] && [ "$(uname -s)" = Linux ]; then
    run "$venv/bin/keras-studio" --install-desktop
fi

cat <<DONE

Keras Studio is installed with: ${chosen[*]}$([ "$cuda" = 1 ] && echo " (CUDA)")
  start it:      from your applications menu, or run  $bindir/keras-studio
  headless:      $bindir/keras-studio train mnist_cnn --backend ${chosen[0]}
  add a backend: bash $0 --backends ${backends},torch   (installs into the same environment)
  remove it:     bash $0 --uninstall$([ "$prefix" != "${XDG_DATA_HOME:-$HOME/.local/share}/keras-studio" ] && echo " --prefix $prefix")
DONE
