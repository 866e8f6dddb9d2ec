#!/usr/bin/env bash
# po/POTFILES.in must list every file with translatable strings, or those strings never reach
# translators. Scans the sources the way xgettext would find strings and compares.
#   test-potfiles.sh SOURCE_ROOT
set -uo pipefail
. "$(dirname "$0")/tap.sh"

cd "$1" || exit 1
potfiles=po/POTFILES.in

listed=$(sed 's/#.*//; s/[[:space:]]*$//; /^$/d' "$potfiles" | sort)
dupes=$(uniq -d <<<"$listed")
tap_check "POTFILES.in lists no file twice${dupes:+ ($dupes)}" test -z "$dupes"

for file in $listed; do
  tap_check "$file (listed in POTFILES.in) exists" test -f "$file"
done

# Files with strings marked for translation: C with _() N_() C_() NC_() or the plural/context
# gettext calls, GtkBuilder files with translatable properties, and the data files merged by
# meson's i18n module.
found=$(
  {
    grep -rlE --include='*.c' --include='*.h' \
      '(^|[^A-Za-z0-9_])(_|N_|C_|NC_|g_dngettext|g_dpgettext2|ngettext)[[:space:]]*\(' src
    grep -rlE --include='*.ui' 'translatable="(yes|true|1)"' src data
    find data -name '*.desktop.in*' -o -name '*.metainfo.xml.in*' -o -name '*.gschema.xml'
  } 2>/dev/null | sort -u
)

checked=0
for file in $found; do
  checked=$((checked + 1))
  # A here-string, not a pipe: grep -q may exit before printf is done, and pipefail would
  # turn the resulting SIGPIPE into a false "missing".
  if grep -qxF "$file" <<<"$listed"; then
    tap_ok "$file is in POTFILES.in"
  else
    tap_not_ok "$file has translatable strings but is missing from po/POTFILES.in"
  fi
done
tap_check "the scan found the files it must ($checked)" test "$checked" -gt 3

tap_done
