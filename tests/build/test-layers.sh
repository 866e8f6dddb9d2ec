#!/usr/bin/env bash
# Layer rules that a grep can hold, each with a sample it must catch so that a broken pattern
# fails instead of passing quietly:
#  - widgets read domain objects (src/model/), never a record's JSON by member name;
#  - widgets compare no status strings: statuses are enums mapped in src/model/gig-status.c;
#  - no widget includes a PocketBase header (widgets talk to the account, not to the server),
#    nor the application's (the application makes windows, never the other way round);
#  - the arrows that must not exist between source folders (ARCHITECTURE.md), on #include lines:
#    no store/ file includes a pocketbase/ header; core/ includes neither GTK, SQLite, libsoup
#    nor another layer;
#   test-layers.sh SOURCE_ROOT
set -uo pipefail
. "$(dirname "$0")/tap.sh"

cd "$1" || exit 1

# Every file of the widget layer: src/ui, and the chat widgets wherever they live.
widget_files=()
while IFS= read -r -d '' file; do
  widget_files+=("$file")
done < <(find src/ui -name '*.[ch]' -print0 | sort -z)
for file in src/chat/gig-chat-view.c src/chat/gig-chat-view.h src/chat/gig-chat-window.c src/chat/gig-chat-window.h; do
  [ -f "$file" ] && widget_files+=("$file")
done

statuses='open|in_progress|completed|cancelled|sent|accepted|rejected|withdrawn|pending|submitted|approved|draft'
json_lookup='\b(json_object_get_[a-z_]+|json_object_has_member|json_node_get_[a-z_]+|gig_json_[a-z_]+|gig_ui_json_[a-z_]+|gig_record_get_(string|double|int|boolean))[[:space:]]*\('
status_compare="\b(g_str_equal|g_strcmp0|strcmp|g_ascii_strcasecmp|g_str_has_prefix)[[:space:]]*\([^;]*\"(${statuses})\""
status_member='"status"'
pocketbase_include='#[[:space:]]*include[[:space:]]*[<"]pocketbase/'
application_include='#[[:space:]]*include[[:space:]]*[<"]gig-application\.h'

# check DESCRIPTION PATTERN SAMPLE: no widget line matches PATTERN, and SAMPLE does.
check() {
  local description=$1 pattern=$2 sample=$3 found
  if ! grep -Eq -- "$pattern" <<<"$sample"; then
    tap_not_ok "$description (the pattern misses its sample: $sample)"
    return
  fi
  found=$(grep -EnH -- "$pattern" "${widget_files[@]}")
  if [ -n "$found" ]; then
    tap_not_ok "$description"
    tap_diag "$found"
  else
    tap_ok "$description"
  fi
}

if [ "${#widget_files[@]}" -lt 10 ]; then
  tap_not_ok "found the widget sources (only ${#widget_files[@]})"
  tap_done
fi

check "widgets read no record JSON by member name" "$json_lookup" \
  '  title = gig_ui_json_string (self->project, "title");'
check "widgets compare no status strings" "$status_compare" \
  '  if (self->is_owner && g_str_equal (status, "sent") && g_str_equal (project_status, "open"))'
check "widgets name no status member (the model writes statuses)" "$status_member" \
  '  json_object_set_string_member (fields, "status", "pending");'
check "widgets include no PocketBase header" "$pocketbase_include" \
  '#include "pocketbase/gig-pb-client.h"'
check "widgets include no application header" "$application_include" \
  '#include "gig-application.h"'

# FOLDER:PATTERN: no file of src/FOLDER has an #include matching PATTERN.
include_rules=(
  'store:"pocketbase/'
  'core:<gtk/'
  'core:<adwaita'
  'core:<sqlite3'
  'core:<libsoup/'
  'core:"(store|pocketbase|session|sync|chat|model|ui|account)/'
)
for rule in "${include_rules[@]}"; do
  folder=${rule%%:*}
  pattern=${rule#*:}
  found=$(grep -EnH "^[[:space:]]*#[[:space:]]*include[[:space:]]*$pattern" src/"$folder"/*.[ch] 2>/dev/null)
  if [ -z "$found" ]; then
    tap_ok "no $folder/ file includes $pattern"
  else
    tap_not_ok "no $folder/ file includes $pattern"
    tap_diag "$found"
  fi
done

tap_done
