#!/usr/bin/env bash
# Set up bluezones on a fresh machine, then run one task.
#
#   bash scripts/setup.sh demo    set up, build the demo country, detect, monitor, build the atlas
#   bash scripts/setup.sh test    set up, then run the whole test suite (what CI runs)
#   bash scripts/setup.sh         set up only
#
# Set-up is idempotent: system packages listed in scripts/apt-packages.txt are installed
# when missing (with apt-get as root, or sudo), uv is installed into .tools/ at the pinned
# version, and the Python environment .venv/ is synced exactly to uv.lock.
set -euo pipefail

UV_VERSION=0.13.9
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT="$root/.venv"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_system_packages() {
    local wanted missing=()
    wanted=$(sed 's/#.*//' scripts/apt-packages.txt | xargs)
    [ -n "$wanted" ] || return 0
    for pkg in $wanted; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "Installing system packages: ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || { echo "Need root or sudo to install: ${missing[*]}" >&2; exit 1; }
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

find_python() {
    for py in python3.13 python3.12 python3.11 python3; do
        if command -v "$py" >/dev/null && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$py"; return 0
        fi
    done
    echo "bluezones needs Python 3.11 or newer; install it first (e.g. apt-get install python3)." >&2
    exit 1
}

install_uv() {
    if [ ! -x .tools/bin/uv ] || [ "$(.tools/bin/uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
        say "Installing uv $UV_VERSION into .tools/"
        "$PYTHON" -m venv .tools
        .tools/bin/python -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
    fi
}

setup() {
    install_system_packages
    PYTHON=$(find_python)
    install_uv
    say "Syncing the Python environment with uv.lock"
    .tools/bin/uv sync --locked --quiet --python "$PYTHON"
}

setup
case "${1:-}" in
    demo)
        shift
        .venv/bin/bluezones demo "$@"
        .venv/bin/bluezones detect --dataset demo
        .venv/bin/bluezones detect --dataset demo --level wijk --show 5
        .venv/bin/bluezones monitor --dataset demo
        exec .venv/bin/bluezones atlas --dataset demo
        ;;
    test)
        shift
        exec bash scripts/check.sh "$@"
        ;;
    "") ;;
    *) echo "usage: bash scripts/setup.sh [demo|test]" >&2; exit 2 ;;
esac
