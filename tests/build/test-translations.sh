#!/usr/bin/env bash
# Every language in po/LINGUAS must translate every string the sources have now: extract a fresh
# template the way meson's gigdesk-pot target does, merge each catalog into it and count.
# Then check the catalog the build compiled really translates at run time.
#   test-translations.sh SOURCE_ROOT BUILD_ROOT
set -uo pipefail
. "$(dirname "$0")/tap.sh"

source_root=$1 build_root=$2
tap_require xgettext msgmerge msgfmt gettext
domain=gigdesk

scratch=$(mktemp -d "${TMPDIR:-/tmp}/gigdesk-po-XXXXXX")
trap 'rm -rf "$scratch"' EXIT

languages=$(sed 's/#.*//' "$source_root/po/LINGUAS" | tr -s ' \n' ' ')
tap_check "German is in po/LINGUAS" grep -qw de <<<"$languages"

# The same options as meson's i18n "glib" preset.
if (cd "$source_root" && xgettext --package-name="$domain" --files-from=po/POTFILES.in \
      --directory=. --output="$scratch/$domain.pot" --from-code=UTF-8 --add-comments \
      --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dcgettext:2 \
      --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
      --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
      --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
      --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
      --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
      --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
      --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
      --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format \
      2>"$scratch/xgettext.log"); then
  tap_ok "xgettext extracts the strings listed by po/POTFILES.in"
else
  tap_diag "$(cat "$scratch/xgettext.log")"
  tap_not_ok "xgettext extracts the strings listed by po/POTFILES.in"
  tap_done
fi
strings=$(grep -c '^msgid ' "$scratch/$domain.pot")
strings=$((strings - 1)) # the header
tap_check "the sources have strings to translate ($strings)" test "$strings" -gt 0

for lang in $languages; do
  po=$source_root/po/$lang.po
  if [ ! -f "$po" ]; then
    tap_not_ok "po/$lang.po exists"
    continue
  fi
  tap_check "po/$lang.po declares Language: $lang" grep -q "^\"Language: $lang\\\\n\"" "$po"
  tap_check "po/$lang.po passes msgfmt --check" msgfmt --check -o /dev/null "$po"

  msgmerge --quiet --output-file="$scratch/$lang.po" "$po" "$scratch/$domain.pot"
  stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$scratch/$lang.po" 2>&1)
  tap_diag "$lang: $stats"
  translated=$(printf '%s\n' "$stats" | sed -n 's/^\([0-9]*\) translated message.*/\1/p')
  tap_check "$lang translates all $strings strings (${translated:-0} translated)" \
    test "${translated:-0}" -eq "$strings"
  tap_check "$lang has no fuzzy translation" not_contains "$stats" fuzzy
  tap_check "$lang has no untranslated string" not_contains "$stats" untranslated

  # Run time: the catalog meson compiled answers a lookup in this language.
  mo=$build_root/po/$lang/LC_MESSAGES/$domain.mo
  tap_check "the build compiled po/$lang.po" test -s "$mo"
  pair=$(LC_ALL=C awk '
    /^msgctxt / { ctxt = 1 }
    /^msgid "./ { id = $0; sub(/^msgid "/, "", id); sub(/"$/, "", id); next }
    /^msgstr "./ && id != "" && !ctxt {
      str = $0; sub(/^msgstr "/, "", str); sub(/"$/, "", str)
      if (str != id && id !~ /[\\%]/) { print id "\t" str; exit }
    }
    /^$/ { id = ""; ctxt = 0 }' "$scratch/$lang.po")
  msgid=${pair%%$'\t'*}
  msgstr=${pair#*$'\t'}
  looked_up=$(LC_ALL=C.UTF-8 LANGUAGE=$lang TEXTDOMAINDIR=$build_root/po gettext -d "$domain" "$msgid")
  tap_check "with LANGUAGE=$lang, \"$msgid\" reads \"$looked_up\"" \
    test -n "$pair" -a "$looked_up" = "$msgstr"
done

tap_done
