#!/usr/bin/env bash
# Compiles the GSettings schema strictly, alone in a scratch folder so no other schema can hide
# or cause a problem, and checks its summaries can be translated.
#   test-gschema.sh SCHEMA_FILE APPLICATION_ID
set -uo pipefail
. "$(dirname "$0")/tap.sh"

schema=$1 app_id=$2
tap_require glib-compile-schemas

scratch=$(mktemp -d "${TMPDIR:-/tmp}/gigdesk-gschema-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cp "$schema" "$scratch/"

output=$(glib-compile-schemas --strict --dry-run "$scratch" 2>&1)
status=$?
[ -n "$output" ] && tap_diag "$output"
tap_check "glib-compile-schemas --strict --dry-run exits 0" test "$status" -eq 0
tap_check "glib-compile-schemas prints no warning" test -z "$output"
tap_check "the file is named after the application id" \
  test "$(basename "$schema")" = "$app_id.gschema.xml"
tap_check "the schema id is the application id" grep -q "<schema id=\"$app_id\"" "$schema"
tap_check "the schema path follows the application id" \
  grep -q "path=\"/$(printf '%s' "$app_id" | tr . /)/\"" "$schema"
tap_check "summaries are translated in the gigdesk domain" \
  grep -q '<schemalist gettext-domain="gigdesk">' "$schema"

tap_done
