#!/usr/bin/env bash
# scripts/finding (make finding) refuses bad input before it builds or boots
# anything: one line on stderr naming the option, exit status 2, and no
# result directory left behind.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
# shellcheck source=../lib/bad_input.sh
. tests/lib/bad_input.sh
work=$(mktemp -d /tmp/daxbench-finding.XXXXXX)
trap 'rm -rf "$work"' EXIT

cases=(
	"--kver 8.0|--kver"
	"--kver|--kver"
	"--boots 0|--boots"
	"--duration 1m|--duration"
	"--stock-duration -5|--stock-duration"
	"--seed abc|--seed"
	"--fs zfs|--fs"
	"--scenarios nope|--scenarios"
	"--scenarios page-cache|page-cache"
	"--scenarios ,|--scenarios"
	"--only both|--only"
	"--attempts 0|--attempts"
	"--stock /nonexistent/bzImage|/nonexistent/bzImage"
	"--frobnicate|--frobnicate"
)
echo "1..$(( ${#cases[@]} + 1 ))"
for c in "${cases[@]}"; do
	args=${c%%|*} want=${c##*|}
	# shellcheck disable=SC2086  # the case's words are separate arguments
	scripts/finding $args --out "$work/out" >"$work/stdout" 2>"$work/stderr" </dev/null
	check_refused "finding $args: exit 2, one line naming $want, no results" "$want" $? \
		"$work/stderr" "$work/out"
done
scripts/finding --help >"$work/help" 2>&1
st=$?
[ $st -eq 0 ] && grep -q -- '--resume' "$work/help" && grep -q -- '--attempts' "$work/help" &&
	grep -q -- '--scenarios' "$work/help"
check "finding --help: exit 0 and the options described" $? "status $st"
[ $tap_failed -eq 0 ] || exit 1
exit 0
