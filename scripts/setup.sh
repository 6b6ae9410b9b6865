#!/usr/bin/env bash
# Install what reportgen needs on a fresh Debian/Ubuntu machine, then the package itself.
#   scripts/setup.sh          the tool (WeasyPrint's Pango libraries + `pip install .`)
#   scripts/setup.sh --test   also the test tools (poppler-utils, qpdf, `pip install -e '.[test]'`)
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--test" ] && want_tests=1

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 shared-mime-info)
if [ "$want_tests" = 1 ]; then
  packages+=(poppler-utils qpdf)
  # LibreOffice (with Carlito, metric-compatible with the workbooks' Calibri) opens and
  # prints the workbooks; Chromium looks at the site; node compiles the pages as MDX.
  packages+=(libreoffice-calc fonts-crosextra-carlito chromium)
  # A node from another source (e.g. NodeSource) ships its own npm and conflicts with
  # Debian's npm package: add Debian's only where there is no npm yet.
  command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=()
    [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
    echo "setup: installing ${missing[*]}" >&2
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install with your package manager: ${missing[*]}" >&2
  fi
fi

python3 -m pip install --quiet --disable-pip-version-check --upgrade pip
if [ "$want_tests" = 1 ]; then
  python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
else
  python3 -m pip install --quiet --disable-pip-version-check .
fi

# The MDX check's node packages, at the versions of tests/mdx/package-lock.json.
if [ "$want_tests" = 1 ] && command -v npm >/dev/null 2>&1; then
  (cd tests/mdx && npm ci --no-audit --no-fund --loglevel=error)
fi
