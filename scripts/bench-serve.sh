#!/usr/bin/env bash
# bench-serve.sh: requests/s of `ivrctl serve` against a minimal net/http
# server (scripts/ceiling) answering the same VCA event, on 127.0.0.1.
#
#   scripts/bench-serve.sh                 # 16 and 64 connections, 10s each, 3 rounds
#   BENCH_DURATION=5s BENCH_ROUNDS=1 scripts/bench-serve.sh
#
# Environment: BENCH_DURATION (10s), BENCH_CONNS ("16 64"), BENCH_ROUNDS (3),
# BENCH_THREADS (wrk threads, 2), BENCH_BODY (testdata/dtmf3.json),
# BENCH_SERVE_ARGS (extra `ivrctl serve` flags),
# BENCH_COMPARE_RECORD (1: the reference is `ivrctl serve` itself and the
# measured server `ivrctl serve --record PATH`: what recording costs; goal
# >= 0.8 x, and the pairs on disk counted at the end),
# BENCH_RECORD_TO (with BENCH_COMPARE_RECORD: "archive", one .jsonl file,
# the default, or "dir", a directory of pairs).
#
# Each round runs the ceiling and ivrctl back to back (alternating, so drift
# on a shared machine hits both), after a 1s warm-up of each. ivrctl logs
# every request to a file, as it would in production; its sessions file and
# any record directory live in a temporary directory, removed at the end.
# Goal: ivrctl >= 0.9 x the ceiling's requests/s, and no non-2xx answers.
set -euo pipefail

cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNS:-"16 64"}
ROUNDS=${BENCH_ROUNDS:-3}
THREADS=${BENCH_THREADS:-2}
BODY=${BENCH_BODY:-testdata/dtmf3.json}
SERVE_ARGS=${BENCH_SERVE_ARGS:-}
COMPARE_RECORD=${BENCH_COMPARE_RECORD:-}
RECORD_TO=${BENCH_RECORD_TO:-archive}
GOAL=0.9
if [ -n "$COMPARE_RECORD" ]; then GOAL=0.8; fi

if ! command -v wrk >/dev/null 2>&1; then
	echo "wrk not found: installing it from Debian" >&2
	SUDO=""
	if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq wrk >/dev/null
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "building ivrctl and the ceiling server..." >&2
CGO_ENABLED=0 go build -trimpath -o "$tmp/ivrctl" .
CGO_ENABLED=0 go build -trimpath -o "$tmp/ceiling" ./scripts/ceiling

# start NAME CMD...: runs CMD in the background and sets $url from its
# "listening on URL" line (and NAME_pid).
start() {
	local name=$1
	shift
	"$@" >"$tmp/$name.out" 2>"$tmp/$name.log" &
	pids+=($!)
	printf -v "${name}_pid" '%s' $!
	for _ in $(seq 100); do
		if url=$(sed -n 's/^listening on //p' "$tmp/$name.out") && [ -n "$url" ]; then
			return 0
		fi
		sleep 0.05
	done
	echo "$name did not start:" >&2
	cat "$tmp/$name.log" >&2
	exit 1
}

if [ -n "$COMPARE_RECORD" ]; then
	# The reference is serve without --record, on a sessions file of its own.
	# shellcheck disable=SC2086
	XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state" \
		start ceiling "$tmp/ivrctl" serve --port 0 --sessions "$tmp/state/ref-sessions.jsonl" $SERVE_ARGS
	case $RECORD_TO in
	archive) SERVE_ARGS="$SERVE_ARGS --record $tmp/rec.jsonl" ;;
	dir) SERVE_ARGS="$SERVE_ARGS --record $tmp/rec" ;;
	*) echo "BENCH_RECORD_TO: want archive or dir, not $RECORD_TO" >&2; exit 2 ;;
	esac
else
	start ceiling "$tmp/ceiling"
fi
ceiling_url=$url
# A config directory of its own: the user's config file (auth, menu) stays
# out of the measurement.
# shellcheck disable=SC2086
XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state" \
	start ivrctl "$tmp/ivrctl" serve --port 0 --sessions "$tmp/state/sessions.jsonl" $SERVE_ARGS
ivrctl_url=$url
if [ -n "$COMPARE_RECORD" ]; then echo "reference (\"ceiling\" below): ivrctl serve; measured (\"ivrctl\"): ivrctl serve --record ($RECORD_TO)" >&2; fi
echo "ceiling $ceiling_url, ivrctl $ivrctl_url; body $BODY; $DURATION x $ROUNDS round(s), $THREADS wrk threads" >&2

# cputicks PID: user+system CPU time of a process, in clock ticks. On a
# shared machine requests/s swing with the neighbours' load; CPU time per
# request is the steadier measure of what each server costs.
cputicks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))

# run URL CONNS DURATION: prints "rps p50 p99 non2xx errors requests".
run() {
	BENCH_BODY="$BODY" wrk -t"$THREADS" -c"$2" -d"$3" -s scripts/bench/post.lua "$1/webhooks/vca" |
		sed -n 's/^RESULT //p' |
		awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		       print v["rps"], v["p50_ms"], v["p99_ms"], v["non2xx"], v["socket_errors"], v["requests"] }'
}

printf '%-6s %-5s %-8s %9s %8s %8s %8s %6s %11s\n' conns round server "req/s" "p50 ms" "p99 ms" non-2xx errors "CPU us/req"
results=()
for c in $CONNS; do
	run "$ceiling_url" "$c" 1s >/dev/null
	run "$ivrctl_url" "$c" 1s >/dev/null
	for r in $(seq "$ROUNDS"); do
		for s in ceiling ivrctl; do
			u=${s}_url
			p=${s}_pid
			t0=$(cputicks "${!p}")
			read -r rps p50 p99 non2xx errs reqs < <(run "${!u}" "$c" "$DURATION")
			t1=$(cputicks "${!p}")
			cpu=$(awk -v t=$((t1 - t0)) -v us="$TICK_US" -v n="$reqs" 'BEGIN { printf "%.1f", t * us / n }')
			printf '%-6s %-5s %-8s %9s %8s %8s %8s %6s %11s\n' "$c" "$r" "$s" "$rps" "$p50" "$p99" "$non2xx" "$errs" "$cpu"
			results+=("$c $s $rps $non2xx $cpu")
		done
	done
done

echo
printf '%s\n' "${results[@]}" | awk -v goal="$GOAL" '
	{ sum[$1" "$2] += $3; cpu[$1" "$2] += $5; n[$1" "$2]++; bad[$2] += $4; if (!seen[$1]++) order[++k] = $1 }
	END {
		for (i = 1; i <= k; i++) {
			c = order[i]; ce = sum[c" ceiling"] / n[c" ceiling"]; iv = sum[c" ivrctl"] / n[c" ivrctl"]
			cc = cpu[c" ceiling"] / n[c" ceiling"]; ci = cpu[c" ivrctl"] / n[c" ivrctl"]
			printf "%s connections: ceiling %.0f req/s, ivrctl %.0f req/s (means): ratio %.3f (goal >= %.1f %s); CPU per request ceiling %.1f us, ivrctl %.1f us: ceiling/ivrctl %.3f\n",
				c, ce, iv, iv / ce, goal, (iv / ce >= goal ? "met" : "NOT met"), cc, ci, cc / ci
		}
		printf "non-2xx: ceiling %d, ivrctl %d\n", bad["ceiling"], bad["ivrctl"]
	}'
echo "ivrctl logged $(wc -l <"$tmp/ivrctl.log") lines (to a file)" >&2
if [ -n "$COMPARE_RECORD" ]; then
	# A graceful stop writes the queue: then count what was recorded.
	kill -INT "$ivrctl_pid"
	wait "$ivrctl_pid" || true
	answered=$(grep -c '^[0-9:.]* VCA ' "$tmp/ivrctl.log" || true)
	if [ "$RECORD_TO" = archive ]; then
		pairs=$(wc -l <"$tmp/rec.jsonl")
	else
		pairs=$(find "$tmp/rec" -name '*.expected.json' | wc -l)
	fi
	dropped=$(grep -c 'not recorded: the record queue is full' "$tmp/ivrctl.log" || true)
	echo "record: $answered VCA answers logged, $pairs pairs on disk, $dropped dropped on a full queue" >&2
fi
