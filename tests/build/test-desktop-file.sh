#!/usr/bin/env bash
# Validates the desktop file the build produced (after translations were merged into it).
#   test-desktop-file.sh DESKTOP_FILE SOURCE_ROOT APPLICATION_ID
set -uo pipefail
. "$(dirname "$0")/tap.sh"

desktop=$1 source_root=$2 app_id=$3
tap_require desktop-file-validate

output=$(desktop-file-validate "$desktop" 2>&1)
status=$?
[ -n "$output" ] && tap_diag "$output"
tap_check "desktop-file-validate exits 0" test "$status" -eq 0
# desktop-file-validate reports some errors and still exits 0, so read what it says.
tap_check "desktop-file-validate reports no error" not_grep -i "error"
tap_check "desktop-file-validate reports no warning" not_grep -i "warning"

key() { sed -n "s/^$1=//p" "$desktop"; }

tap_check "the file is named after the application id" test "$(basename "$desktop")" = "$app_id.desktop"
tap_check "Exec runs gigdesk" test "$(key Exec)" = "gigdesk"
tap_check "Icon is the application id" test "$(key Icon)" = "$app_id"
tap_check "the icon named by Icon exists" \
  test -s "$source_root/data/icons/hicolor/scalable/apps/$app_id.svg"
tap_check "the symbolic icon exists" \
  test -s "$source_root/data/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"

# Every language in LINGUAS must have reached the installed file through the .po catalogs.
for lang in $(sed 's/#.*//' "$source_root/po/LINGUAS"); do
  for k in GenericName Comment Keywords; do
    tap_check "$k is translated to $lang" grep -q "^$k\[$lang\]=." "$desktop"
  done
done

tap_done
