#!/usr/bin/env bash
# Install what reportgen needs on a fresh Debian/Ubuntu machine, then the package itself.
#   scripts/setup.sh          the tool (WeasyPrint's Pango libraries + `pip install .`)
#   scripts/setup.sh --test   also the test tools (poppler-utils, qpdf; iproute2, tcpdump and
#                             openssl for the verify tests' network namespaces;
#                             `pip install -e '.[test]'`)
# Python packages are installed at the exact versions of constraints.txt (scripts/lock.sh
# refreshes it), the versions the outputs' bytes and the tests' golden files come from.
# When another apt or dpkg holds the package lock, it waits for it, up to APT_LOCK_WAIT
# seconds (default 600), then gives up naming the lock.
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--test" ] && want_tests=1
lock_wait="${APT_LOCK_WAIT:-600}"

# graphviz: `dot` lays out the PDF's zone flow diagram.
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 shared-mime-info graphviz)
if [ "$want_tests" = 1 ]; then
  packages+=(poppler-utils qpdf iproute2 tcpdump openssl)
  # LibreOffice (with Carlito, metric-compatible with the workbooks' Calibri) opens and
  # prints the workbooks; Chromium looks at the site; node compiles the pages as MDX.
  packages+=(libreoffice-calc fonts-crosextra-carlito chromium)
  # A node from another source (e.g. NodeSource) ships its own npm and conflicts with
  # Debian's npm package: add Debian's only where there is no npm yet.
  command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
fi

sudo_cmd=()
[ "$(id -u)" = 0 ] || sudo_cmd=(sudo)

# apt-get ARGS..., waiting for another package manager's lock. DPkg::Lock::Timeout makes
# apt (1.9.11 and later) wait for the dpkg lock itself; the loop also covers the lists lock
# of `apt-get update` and older apt, retrying while the only complaint is the lock.
apt_get() {
  local deadline=$((SECONDS + lock_wait)) log
  log="$(mktemp)"
  while true; do
    if "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get -o "DPkg::Lock::Timeout=$lock_wait" "$@" 2>"$log"; then
      rm -f "$log"
      return 0
    fi
    if grep -qiE 'could not get lock|unable to acquire|is another process using it' "$log" \
      && [ "$SECONDS" -lt "$deadline" ]; then
      echo "setup: another package manager holds the apt lock; waiting" \
        "(up to $((deadline - SECONDS)) s more)" >&2
      sleep 5
      continue
    fi
    cat "$log" >&2
    rm -f "$log"
    echo "setup: apt-get $* failed" >&2
    return 1
  done
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${missing[*]}" >&2
    apt_get update -qq
    apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install with your package manager: ${missing[*]}" >&2
  fi
fi

pip=(python3 -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" --upgrade pip
if [ "$want_tests" = 1 ]; then
  "${pip[@]}" -c constraints.txt -e '.[test]'
else
  "${pip[@]}" -c constraints.txt .
fi

# The MDX check's node packages, at the versions of tests/mdx/package-lock.json.
if [ "$want_tests" = 1 ] && command -v npm >/dev/null 2>&1; then
  (cd tests/mdx && npm ci --no-audit --no-fund --loglevel=error)
fi
