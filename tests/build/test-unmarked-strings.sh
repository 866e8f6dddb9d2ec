#!/usr/bin/env bash
# Finds user-visible strings that are not marked for translation, a heuristic kept honest by
# looking only where a string literal is certainly shown to the user:
#  - in C, a literal passed straight to a GTK/libadwaita call that puts text on screen (a
#    marked string is wrapped in _() and so is not a direct literal argument), and to the
#    GError constructors in the folders given on the command line, whose messages the UI shows;
#  - in GtkBuilder files, text properties and menu labels without translatable="yes".
# Literals with no letters once printf directives are removed ("", "%s", " · ") are not text.
#   test-unmarked-strings.sh SOURCE_ROOT [ERROR_PATH...]
set -uo pipefail
. "$(dirname "$0")/tap.sh"

cd "$1" || exit 1
shift
error_paths=("$@")
tap_require xgettext

scratch=$(mktemp -d "${TMPDIR:-/tmp}/gigdesk-unmarked-XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# FUNCTION:ARG where ARG is the position of the text shown to the user.
ui_keywords=(
  gtk_label_new:1 gtk_label_new_with_mnemonic:1 gtk_label_set_text:2 gtk_label_set_label:2
  gtk_label_set_markup:2 gtk_label_set_text_with_mnemonic:2 gtk_label_set_markup_with_mnemonic:2
  gtk_button_new_with_label:1 gtk_button_new_with_mnemonic:1 gtk_button_set_label:2
  gtk_check_button_new_with_label:1 gtk_check_button_new_with_mnemonic:1 gtk_check_button_set_label:2
  gtk_toggle_button_new_with_label:1 gtk_toggle_button_new_with_mnemonic:1
  gtk_menu_button_set_label:2 gtk_link_button_new_with_label:2 gtk_frame_new:1 gtk_frame_set_label:2
  gtk_window_set_title:2 gtk_widget_set_tooltip_text:2 gtk_widget_set_tooltip_markup:2
  gtk_entry_set_placeholder_text:2 gtk_text_set_placeholder_text:2 gtk_progress_bar_set_text:2
  gtk_string_list_append:2 gtk_shortcut_label_set_disabled_text:2
  g_menu_append:2 g_menu_prepend:2 g_menu_insert:3 g_menu_item_new:1 g_menu_item_set_label:2
  g_notification_new:1 g_notification_set_title:2 g_notification_set_body:2
  g_notification_add_button:2
  adw_status_page_set_title:2 adw_status_page_set_description:2
  adw_preferences_row_set_title:2 adw_action_row_set_subtitle:2 adw_expander_row_set_subtitle:2
  adw_preferences_group_set_title:2 adw_preferences_group_set_description:2
  adw_preferences_page_set_title:2 adw_window_title_new:1 adw_window_title_set_title:2
  adw_window_title_set_subtitle:2 adw_toast_new:1 adw_toast_set_title:2
  adw_toast_set_button_label:2 adw_message_dialog_new:2 adw_message_dialog_set_heading:2
  adw_message_dialog_set_body:2 adw_message_dialog_add_response:3
  adw_message_dialog_set_response_label:3 adw_view_stack_add_titled:4
  adw_view_stack_page_set_title:2 adw_tab_page_set_title:2 adw_split_button_set_label:2
  adw_button_content_set_label:2 adw_about_window_set_comments:2
  adw_about_window_set_developer_name:2 adw_about_window_set_application_name:2
)
error_keywords=(
  g_set_error:4 g_set_error_literal:4 g_error_new:3 g_error_new_literal:3
  g_task_return_new_error:4 g_prefix_error:2 g_propagate_prefixed_error:3
)

# Prints "file:line: text" for each unmarked literal xgettext extracts with the keywords.
unmarked_literals() {
  local pot=$1
  shift
  local args=(--from-code=UTF-8 --language=C -k --no-wrap --omit-header --output="$pot")
  local k
  for k in "${keywords[@]}"; do
    args+=("--keyword=$k")
  done
  # xgettext warns about non-ASCII msgids; those are not what this test is about.
  if ! xgettext "${args[@]}" "$@" 2>"$pot.log"; then
    tap_diag "$(cat "$pot.log")"
    return 1
  fi
  [ -f "$pot" ] || return 0
  LC_ALL=C awk '
    /^#: / { where = substr($0, 4); next }
    /^msgid / {
      text = substr($0, 8, length($0) - 8)
      plain = text
      gsub(/%[-+ #0-9.lhzjt]*[a-zA-Z%]/, "", plain)
      if (plain ~ /[A-Za-z]/) print where ": \"" text "\""
    }' "$pot"
}

check_c_files() {
  local description=$1 pot=$2
  shift 2
  if [ "$#" -eq 0 ]; then
    tap_not_ok "$description: there are C files to scan"
    return
  fi
  local found
  if ! found=$(unmarked_literals "$pot" "$@"); then
    tap_not_ok "$description: xgettext could read the sources"
    return
  fi
  if [ -n "$found" ]; then
    tap_diag "Mark these with _() (or N_() where the string is translated later):" "$found"
    tap_not_ok "$description: every literal is marked for translation"
  else
    tap_ok "$description: every literal is marked for translation ($# files)"
  fi
}

mapfile -t c_files < <(find src -name '*.c' | sort)
keywords=("${ui_keywords[@]}")
check_c_files "text put on screen in src/" "$scratch/ui.pot" "${c_files[@]}"

if [ "${#error_paths[@]}" -gt 0 ]; then
  mapfile -t error_files < <(find "${error_paths[@]}" -name '*.c' | sort)
  keywords=("${error_keywords[@]}")
  check_c_files "error messages in ${error_paths[*]}" "$scratch/errors.pot" "${error_files[@]}"
fi

# GtkBuilder: a text property or menu label on one line, not marked translatable.
mapfile -t ui_files < <(find src -name '*.ui' | sort)
properties='label|title|subtitle|description|tooltip-text|tooltip-markup|placeholder-text|text|heading|body|secondary-text|button-label|comments|accessible-name|show-more-label'
found=$(
  grep -nE "<(property|attribute) name=\"($properties)\"[^>]*>[^<]*[A-Za-z][^<]*</(property|attribute)>|<item[^>]*>[^<]*[A-Za-z][^<]*</item>" \
    "${ui_files[@]}" /dev/null |
  grep -vE 'translatable="(yes|true|1|no|false|0)"'
)
if [ -n "$found" ]; then
  tap_diag "Add translatable=\"yes\" (or translatable=\"no\" where the text must not change):" "$found"
  tap_not_ok "GtkBuilder text in src/ is marked translatable"
else
  tap_ok "GtkBuilder text in src/ is marked translatable (${#ui_files[@]} files)"
fi

tap_done
