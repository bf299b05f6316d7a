#!/usr/bin/env bash
# Write ivrctl's man pages, gzipped, into DIR (default man/, git-ignored).
#   scripts/gen-manpages.sh [DIR]
# IVRCTL_VERSION names the version in the page footer (the release hook
# passes GoReleaser's); SOURCE_DATE_EPOCH fixes the page date, so the same
# commit always gives the same bytes. gzip -n leaves out name and time.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-man}
rm -f "$dir"/*.1 "$dir"/*.1.gz
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -ldflags "-X main.version=${IVRCTL_VERSION:-dev}" -o "$tmp/ivrctl" .
"$tmp/ivrctl" man --dir "$dir"
gzip -9 -n -f "$dir"/*.1
echo "wrote $dir/*.1.gz"
