#!/usr/bin/env bash
# Regenerate the Markdown command reference from ivrctl's command tree.
#   scripts/gen-docs.sh            rewrite the committed docs/reference/
#   scripts/gen-docs.sh DIR        write it into DIR
# One page per command (cobra/doc) and exit-codes.md, from the table in
# cmd/cmdutil/exit.go. TestReferenceUpToDate (go test ./cmd) fails when
# docs/reference/ is stale. The man pages are not committed: the release
# hook makes them (scripts/gen-manpages.sh), stamped with the version.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-docs/reference}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/ivrctl" .
# No user config file: the reference is the same on every machine.
XDG_CONFIG_HOME="$tmp/config" "$tmp/ivrctl" gen-docs --dir "$dir"
echo "wrote $dir/*.md"
