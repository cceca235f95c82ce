#!/usr/bin/env bash
# Install what the project needs into ./.venv (and node_modules/), from the project's own files.
#   bash scripts/bootstrap.sh site   # the KB tools and the site builder
#   bash scripts/bootstrap.sh test   # also the test tools, Chromium and Virtuoso (apt, as root)
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-site}
case "$target" in site|test) ;; *) echo "usage: $0 site|test" >&2; exit 2 ;; esac

if [ "$target" = test ]; then
  need=()
  command -v chromium >/dev/null || need+=(chromium chromium-driver)
  command -v virtuoso-t >/dev/null || need+=(virtuoso-opensource)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "bootstrap: please install ${need[*]} (Debian packages) and run again" >&2; exit 2
    fi
    echo "bootstrap: apt-get install ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
# Exact versions from constraints.txt (pyproject.toml has the compatible ranges).
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[$target]"
if [ -f package-lock.json ]; then
  npm ci --silent --no-audit --no-fund
fi
echo "bootstrap: ready ($target)"
