#!/usr/bin/env bash
# Validates the AppStream metainfo the build produced (after translations were merged into it)
# and checks what the validator cannot: screenshots are real files in the tree with the sizes
# the file claims, and the newest release is this version.
#   test-metainfo.sh METAINFO_FILE SOURCE_ROOT APPLICATION_ID VERSION
set -uo pipefail
. "$(dirname "$0")/tap.sh"

metainfo=$1 source_root=$2 app_id=$3 version=$4
tap_require appstreamcli

output=$(appstreamcli validate --no-net --explain "$metainfo" 2>&1)
status=$?
tap_diag "$output"
tap_check "appstreamcli validate --no-net exits 0" test "$status" -eq 0
# Infos and pedantic notes are allowed (the uppercase in the id is fixed by the app id).
tap_check "appstreamcli reports no error" not_grep "^E:"
tap_check "appstreamcli reports no warning" not_grep "^W:"

tap_check "the file is named after the application id" \
  test "$(basename "$metainfo")" = "$app_id.metainfo.xml"
tap_check "the component id is the application id" grep -q "<id>$app_id</id>" "$metainfo"
tap_check "it launches the installed desktop file" \
  grep -q "<launchable type=\"desktop-id\">$app_id.desktop</launchable>" "$metainfo"
tap_check "it has an OARS content rating" grep -q '<content_rating type="oars-1.1">' "$metainfo"
tap_check "it has brand colours for light and dark" sh -c \
  'grep -q "scheme_preference=\"light\"" "$1" && grep -q "scheme_preference=\"dark\"" "$1"' sh "$metainfo"
newest=$(grep -o '<release version="[^"]*"' "$metainfo" | head -n 1 | sed 's/.*version="//; s/"$//')
tap_check "the newest release ($newest) is the project version ($version)" test "$newest" = "$version"

# PNG stores the width and height big-endian at bytes 16..23.
png_size() {
  od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%d %d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'
}

screenshots=0
while IFS= read -r line; do
  url=$(printf '%s' "$line" | sed 's/.*>\(http[^<]*\)<.*/\1/')
  # Screenshots are published from the repository itself, so each URL names a file in the tree.
  path=data/screenshots/${url##*/data/screenshots/}
  screenshots=$((screenshots + 1))
  case "$url" in
    */data/screenshots/*.png) ;;
    *) tap_not_ok "screenshot $url points into data/screenshots/"; continue ;;
  esac
  file=$source_root/$path
  if [ ! -s "$file" ] || [ "$(head -c 8 "$file" | od -An -tx1 | tr -d ' \n')" != 89504e470d0a1a0a ]; then
    tap_not_ok "screenshot $path is a PNG in the tree"
    continue
  fi
  tap_ok "screenshot $path is a PNG in the tree"
  want=$(printf '%s' "$line" | sed -n 's/.*width="\([0-9]*\)" height="\([0-9]*\)".*/\1 \2/p')
  have=$(png_size "$file")
  tap_check "screenshot $path is ${want:-?} as declared (is $have)" test "$want" = "$have"
done < <(grep '<image' "$metainfo")
tap_check "there is at least one screenshot" test "$screenshots" -gt 0

for lang in $(sed 's/#.*//' "$source_root/po/LINGUAS"); do
  tap_check "the summary is translated to $lang" grep -q "<summary xml:lang=\"$lang\">" "$metainfo"
  tap_check "the description is translated to $lang" grep -q "<p xml:lang=\"$lang\">" "$metainfo"
done

tap_done
