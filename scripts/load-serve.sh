#!/usr/bin/env bash
# load-serve.sh: `ivrctl load` against `ivrctl serve`, as 8x8 would call a
# backend going live: the advanced IVR's scenarios, round robin, at an
# open-loop rate, gated on the webhook latency p99.
#
#   scripts/load-serve.sh                          # 200 calls/s for 10s, p99 <= 250ms
#   LOAD_RATE=1800 LOAD_DURATION=5s scripts/load-serve.sh   # 8x8's per-sub-account limit
#
# Environment: LOAD_RATE (200), LOAD_DURATION (10s), LOAD_MAX_P99 (250ms),
# LOAD_CONCURRENCY (1000), LOAD_MENU (testdata/menus/advanced-ivr.yaml),
# LOAD_SCENARIOS (testdata/scenarios/advanced-ivr), LOAD_ARGS (extra
# `ivrctl load` flags, e.g. "-o json"), SERVE_ARGS (extra `ivrctl serve`
# flags, e.g. "--record DIR" to price recording).
#
# serve runs with its own config and sessions file in a temporary
# directory, removed at the end; its log goes there too. The exit status is
# ivrctl load's: 1 when a call failed, could not start, or the gate was
# exceeded (the slow step is named).
set -euo pipefail

cd "$(dirname "$0")/.."
RATE=${LOAD_RATE:-200}
DURATION=${LOAD_DURATION:-10s}
MAX_P99=${LOAD_MAX_P99:-250ms}
CONCURRENCY=${LOAD_CONCURRENCY:-1000}
MENU=${LOAD_MENU:-testdata/menus/advanced-ivr.yaml}
SCENARIOS=${LOAD_SCENARIOS:-testdata/scenarios/advanced-ivr}
LOAD_ARGS=${LOAD_ARGS:-}
SERVE_ARGS=${SERVE_ARGS:-}

tmp=$(mktemp -d)
serve_pid=""
cleanup() {
	if [ -n "$serve_pid" ]; then
		kill "$serve_pid" 2>/dev/null || true
		wait "$serve_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "building ivrctl..." >&2
CGO_ENABLED=0 go build -trimpath -o "$tmp/ivrctl" .

# shellcheck disable=SC2086
XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state" \
	"$tmp/ivrctl" serve --port 0 --menu "$MENU" --sessions "$tmp/state/sessions.jsonl" $SERVE_ARGS \
	>"$tmp/serve.out" 2>"$tmp/serve.log" &
serve_pid=$!
url=""
for _ in $(seq 100); do
	url=$(sed -n 's/^listening on //p' "$tmp/serve.out")
	[ -n "$url" ] && break
	sleep 0.05
done
if [ -z "$url" ]; then
	echo "serve did not start:" >&2
	cat "$tmp/serve.log" >&2
	exit 1
fi
echo "serve $url (menu $MENU); load $RATE calls/s for $DURATION, gate p99 <= $MAX_P99" >&2

status=0
# shellcheck disable=SC2086
XDG_CONFIG_HOME="$tmp/config" "$tmp/ivrctl" load --webhook "$url/webhooks/vca" --vss "$url/webhooks/vss" \
	--rate "$RATE" --duration "$DURATION" --concurrency "$CONCURRENCY" --max-p99 "$MAX_P99" \
	$LOAD_ARGS "$SCENARIOS" || status=$?
echo "serve logged $(wc -l <"$tmp/serve.log") lines; summaries recorded: $(wc -l <"$tmp/state/sessions.jsonl" 2>/dev/null || echo 0)" >&2
exit "$status"
