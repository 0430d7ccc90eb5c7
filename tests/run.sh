#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need (Debian packages when run as root,
# a virtual environment with the Python packages), then runs lint and every test. The tests start their own
# throwaway PostgreSQL server and their own Secret Service (gnome-keyring in a private D-Bus session).
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(
  postgresql-15            # the shared-deployment tests run against a real server
  gnome-keyring dbus       # a real Secret Service for the keyring integration tests
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3   # Qt, offscreen
)
missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages (install them, or run this as root): ${missing[*]}" >&2
    exit 1
  fi
fi

venv=${SHIELDDESK_VENV:-.venv}
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
"$venv/bin/python" -m pip install -q -e ".[test]"

echo "== ruff"
"$venv/bin/ruff" check shielddesk tests
"$venv/bin/ruff" format --check shielddesk tests

echo "== pytest (SQLite and PostgreSQL, unit, GUI offscreen, integration, proof suites)"
export QT_QPA_PLATFORM=offscreen
# CI's counts for the longest proof suites (README, What ShieldDesk guarantees); set them higher for a full run.
export SHIELDDESK_CONCURRENCY_DECISION_ROUNDS="${SHIELDDESK_CONCURRENCY_DECISION_ROUNDS:-300}"
export SHIELDDESK_CONCURRENCY_ROUNDS="${SHIELDDESK_CONCURRENCY_ROUNDS:-100}"
"$venv/bin/python" -m pytest -q --durations=10 "$@"

echo "== benchmark, reduced (figures printed; accuracy judged, times not: CI machines are noisy)"
"$venv/bin/shielddesk" bench --children 50000 --entries 1000 --search-runs 50 --no-time-targets
