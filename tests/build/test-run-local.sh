#!/usr/bin/env bash
# `make run` (build-aux/run-local) as a person runs it, with a stand-in for the app that looks at
# every process while the real servers run:
#   - secrets reach only the processes that need them: the chat secret is in the environment of
#     PocketBase and the chat server and nowhere else, the superuser's password in no server's
#     environment, and neither on any command line (ps shows those to every user); every
#     pocketbase command pb-serve runs is logged by a wrapper to check short-lived ones too;
#   - the servers keep their ports between runs, so the app's saved sign-in still matches, and
#     stop when the app quits;
#   - the app finds the build tree's translations and gets the server address in its settings;
#   - headless (no session bus) it runs on a private bus made for the run.
#   test-run-local.sh SOURCE_ROOT BUILD_ROOT
set -uo pipefail
. "$(dirname "$0")/tap.sh"

source_root=$1 build_root=$2
pocketbase=${GIG_POCKETBASE:-$build_root/pb/pocketbase}
tap_require dbus-run-session setsid

scratch=$(mktemp -d "${TMPDIR:-/tmp}/gigdesk-run-local-XXXXXX")
run_dir=$scratch/run
seen=$scratch/seen
mkdir -p "$seen"
cleanup() {
  GIGDESK_RUN_DIR=$run_dir "$source_root/build-aux/local-servers" stop "$build_root" >/dev/null 2>&1
  rm -rf "$scratch"
}
trap cleanup EXIT

# Every pocketbase command pb-serve runs, with its arguments and environment.
cat > "$scratch/pocketbase" <<EOF
#!/usr/bin/env bash
{ printf 'ARGV %s\n' "\$*"; env | sed 's/^/ENV /'; echo END; } >> "$seen/pocketbase-invocations"
exec -a "\$0" "$pocketbase" "\$@"
EOF
# The app's stand-in: records what it was given and what the servers run with, then quits.
cat > "$scratch/app" <<'EOF'
#!/usr/bin/env bash
out=$GIG_TEST_SEEN/run-$GIG_TEST_ROUND
mkdir -p "$out"
for who in app pocketbase chat; do
  if [ $who = app ]; then pid=$$; else pid=$(cat "$GIGDESK_RUN_DIR/$who.pid"); fi
  echo "$pid" > "$out/$who.pid"
  tr '\0' '\n' < "/proc/$pid/cmdline" > "$out/$who.cmdline"
  tr '\0' '\n' < "/proc/$pid/environ" > "$out/$who.environ"
done
gsettings get io.github.gigdesk.Gigdesk server-url > "$out/server-url"
curl -fsS -o /dev/null "$(tr -d "'" < "$out/server-url")/api/health" && touch "$out/pocketbase-answers"
EOF
chmod +x "$scratch/pocketbase" "$scratch/app"

run_round() {
  GIG_TEST_ROUND=$1 GIG_TEST_SEEN=$seen GIGDESK_RUN_DIR=$run_dir GIG_RUN_LOCAL_APP=$scratch/app \
    GIG_POCKETBASE=$scratch/pocketbase "${@:2}" "$source_root/build-aux/run-local" "$build_root" \
    > "$seen/output-$1" 2>&1
}

# A shell with a deployer's settings exported: the app must not inherit them either.
run_round 1 env STREAM_API_SECRET=from-the-callers-shell GIG_PB_SUPERUSER=root@x.test:from-the-callers-shell
tap_check "run-local runs the app and exits 0" test $? -eq 0
tap_diag "$(cat "$seen/output-1")"
secret=$(sed -n 's/^STREAM_API_SECRET=//p' "$run_dir/stream.env")
password=$(sed 's/^[^:]*://' "$run_dir/superuser")
tap_check "the run folder holds a chat secret and a superuser password" test -n "$secret" -a -n "$password"

has() { grep -qF -- "$2" "$1"; }
not_in_argv() { ! grep '^ARGV' "$seen/pocketbase-invocations" | grep -qF -- "$1"; }
# The environment of the superuser-from-env invocation (between its ARGV and END lines).
superuser_step_lacks() {
  ! awk '/^ARGV superuser-from-env/ { on = 1 } on { print } /^END/ { on = 0 }' \
      "$seen/pocketbase-invocations" | grep -qF -- "$1"
}
lacks() { ! grep -qF -- "$2" "$1"; }
for who in app pocketbase chat; do
  tap_check "$who: the chat secret is not on its command line" lacks "$seen/run-1/$who.cmdline" "$secret"
  tap_check "$who: the superuser password is not on its command line" lacks "$seen/run-1/$who.cmdline" "$password"
  tap_check "$who: the superuser password is not in its environment" lacks "$seen/run-1/$who.environ" "$password"
done
tap_check "app: the chat secret is not in its environment" lacks "$seen/run-1/app.environ" "$secret"
tap_check "app: no STREAM_API_SECRET in its environment" lacks "$seen/run-1/app.environ" "STREAM_API_SECRET"
tap_check "app: nothing secret inherited from the caller's shell" \
  lacks "$seen/run-1/app.environ" "from-the-callers-shell"
tap_check "pocketbase and the chat server use the run folder's secret, not the caller's" \
  lacks "$seen/run-1/pocketbase.environ" "from-the-callers-shell"
tap_check "pocketbase: the chat secret is in its environment (it signs chat tokens)" \
  has "$seen/run-1/pocketbase.environ" "STREAM_API_SECRET=$secret"
tap_check "chat server: the chat secret is in its environment (it checks tokens)" \
  has "$seen/run-1/chat.environ" "STREAM_API_SECRET=$secret"
tap_check "every pocketbase command was seen (superuser, serve)" \
  test "$(grep -c '^ARGV' "$seen/pocketbase-invocations")" -ge 2
tap_check "no pocketbase command has the superuser password on its command line" \
  not_in_argv "$password"
tap_check "no pocketbase command has the chat secret on its command line" not_in_argv "$secret"
tap_check "the superuser step does not get the chat secret" superuser_step_lacks "$secret"

tap_check "app: the build tree's translations (GIGDESK_LOCALEDIR)" \
  has "$seen/run-1/app.environ" "GIGDESK_LOCALEDIR=$build_root/po"
pb_port=$(cat "$run_dir/pocketbase.port")
chat_port=$(cat "$run_dir/chat.port")
tap_check "app: its settings name the local PocketBase" \
  has "$seen/run-1/server-url" "http://127.0.0.1:$pb_port"
tap_check "PocketBase answered while the app ran" test -f "$seen/run-1/pocketbase-answers"
tap_check "the output names PocketBase's address and PID" \
  has "$seen/output-1" "http://127.0.0.1:$pb_port  (pid $(cat "$seen/run-1/pocketbase.pid"))"
tap_check "the output names the chat server's address and PID" \
  has "$seen/output-1" "http://127.0.0.1:$chat_port  (pid $(cat "$seen/run-1/chat.pid"))"
tap_check "the output says how to stop and start the servers" \
  grep -q "build-aux/local-servers stop" "$seen/output-1"
tap_check "the servers stopped when the app quit" \
  test ! -e "$run_dir/pocketbase.pid" -a ! -e "$run_dir/chat.pid"

# Headless: no session bus at all. The second run also checks the ports stay.
run_round 2 env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$scratch"
tap_check "headless run-local runs the app and exits 0" test $? -eq 0
tap_diag "$(cat "$seen/output-2")"
tap_check "headless: the app got a private session bus" \
  grep -q "^DBUS_SESSION_BUS_ADDRESS=." "$seen/run-2/app.environ"
tap_check "PocketBase kept its port between runs" test "$(cat "$run_dir/pocketbase.port")" = "$pb_port"
tap_check "the chat server kept its port between runs" test "$(cat "$run_dir/chat.port")" = "$chat_port"
tap_check "app: the same server address as the first run" \
  has "$seen/run-2/server-url" "http://127.0.0.1:$pb_port"
tap_check "app (headless): the chat secret is not in its environment" lacks "$seen/run-2/app.environ" "$secret"
tap_done
