#!/usr/bin/env bash
# Regenerate the shell completion scripts from ivrctl's command tree.
#   scripts/gen-completions.sh            rewrite the committed completions/
#   scripts/gen-completions.sh DIR        write them into DIR (the release hook)
# The completions test (go test ./cmd) fails when completions/ is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-completions}
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/ivrctl" .
"$tmp/ivrctl" completion bash >"$dir/ivrctl.bash"
"$tmp/ivrctl" completion zsh >"$dir/ivrctl.zsh"
"$tmp/ivrctl" completion fish >"$dir/ivrctl.fish"
"$tmp/ivrctl" completion powershell >"$dir/ivrctl.ps1"
echo "wrote $dir/ivrctl.{bash,zsh,fish,ps1}"
