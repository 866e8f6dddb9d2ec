# Minimal TAP producer for the build checks, sourced by the test-*.sh scripts.
# Each check prints one "ok"/"not ok" line; the plan goes last, and the script's exit status
# says whether any check failed, so meson sees failures either way.

tap_count=0
tap_failed=0

tap_ok() {
  tap_count=$((tap_count + 1))
  printf 'ok %d - %s\n' "$tap_count" "$1"
}

tap_not_ok() {
  tap_count=$((tap_count + 1))
  tap_failed=$((tap_failed + 1))
  printf 'not ok %d - %s\n' "$tap_count" "$1"
}

# tap_check DESCRIPTION COMMAND...: ok when COMMAND succeeds.
tap_check() {
  local description=$1
  shift
  if "$@"; then
    tap_ok "$description"
  else
    tap_not_ok "$description"
  fi
}

# Prints text as TAP diagnostics, so it shows in meson's log without breaking the stream.
tap_diag() {
  printf '%s\n' "$@" | sed 's/^/# /'
}

# A missing tool is a failure, not a skip: CI must not pass without running the check.
tap_require() {
  local tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      tap_not_ok "$tool is installed (run build-aux/install-deps)"
      tap_done
    fi
  done
}

tap_done() {
  printf '1..%d\n' "$tap_count"
  [ "$tap_failed" -eq 0 ] && exit 0
  exit 1
}

# not_grep [GREP_OPTIONS] PATTERN: true when $output has no matching line.
not_grep() {
  ! grep -q "$@" <<<"$output"
}

# not_contains TEXT WORD
not_contains() {
  [[ "$1" != *"$2"* ]]
}
