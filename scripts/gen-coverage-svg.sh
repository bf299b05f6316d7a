#!/usr/bin/env bash
# Regenerate docs/images/advanced-ivr-coverage.svg: the advanced IVR drawn
# with the coverage of part of its shipped suite (the main menu, the
# reservations level and the pickups, not connect-call.yaml), so the
# picture shows played and never-played paths side by side.
#   scripts/gen-coverage-svg.sh
# Needs Graphviz's dot (apt-get install graphviz, brew install graphviz).
# A test (cmd/menu, TestCoverageSVGCurrent) fails when the picture no longer
# matches the menu and the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/ivrctl" .
dir=testdata/scenarios/advanced-ivr
"$tmp/ivrctl" test --coverprofile "$tmp/cover.json" \
	"$dir/main-menu.yaml" "$dir/reservations.yaml" "$dir/pickup.yaml" >/dev/null
mkdir -p docs/images
"$tmp/ivrctl" menu graph --format svg --cover "$tmp/cover.json" \
	testdata/menus/advanced-ivr.yaml >docs/images/advanced-ivr-coverage.svg
echo "wrote docs/images/advanced-ivr-coverage.svg"
