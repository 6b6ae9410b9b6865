#!/usr/bin/env bash
# The report's message catalogs (reportgen/i18n), managed with Babel (`pip install -e '.[test]'`).
#   scripts/i18n.sh extract   collect every msgid of reportgen/**.py and templates/ into the .pot
#   scripts/i18n.sh update    merge the .pot into each language's .po (new msgids arrive empty)
#   scripts/i18n.sh compile   compile each .po into the .mo that reportgen loads (committed)
#   scripts/i18n.sh           all three, in this order
# Translate the new entries in reportgen/i18n/locale/de/LC_MESSAGES/reportgen.po between
# `update` and `compile`; tests/test_i18n.py fails on an empty or fuzzy German entry and on a
# .mo that does not match its .po.
set -euo pipefail
cd "$(dirname "$0")/.."

I18N=reportgen/i18n
POT="$I18N/reportgen.pot"
step="${1:-all}"

extract() {
  pybabel -q extract -F pyproject.toml -k N_ -k Column -k title -c TRANSLATORS: \
    --no-wrap --sort-by-file \
    --project reportgen --copyright-holder "reportgen developers" -o "$POT" . >/dev/null
}
update() {
  for lang in en de; do
    po="$I18N/locale/$lang/LC_MESSAGES/reportgen.po"
    if [ -f "$po" ]; then
      pybabel -q update -i "$POT" -d "$I18N/locale" -D reportgen -l "$lang" --no-wrap \
        --ignore-obsolete --no-fuzzy-matching >/dev/null
    else
      pybabel -q init -i "$POT" -d "$I18N/locale" -D reportgen -l "$lang" --no-wrap >/dev/null
    fi
  done
}
compile() {
  pybabel compile -d "$I18N/locale" -D reportgen --statistics
}

case "$step" in
  extract) extract ;;
  update) update ;;
  compile) compile ;;
  all) extract; update; compile ;;
  *) echo "usage: scripts/i18n.sh [extract|update|compile]" >&2; exit 2 ;;
esac
