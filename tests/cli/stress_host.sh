#!/usr/bin/env bash
# daxstress on the host (no pmem): the page-cache scenario passes on /tmp,
# DAX scenarios are skipped (exit 4 when nothing else runs), --list and
# --help work, and bad options exit 2 with one line naming the option and
# leave no results file.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
bin=stress/daxstress
if [ ! -x "$bin" ]; then
	echo "1..0 # SKIP $bin is not built (make)"
	exit 0
fi
work=$(mktemp -d /tmp/daxstress-host.XXXXXX)
trap 'rm -rf "$work"' EXIT

cases=(
	"--scenario|--dir $work --scenario nope"
	"--scenario|--dir $work --scenario ''"
	"--size|--dir $work --size 3M"
	"--size|--dir $work --size 0"
	"--writers|--dir $work --writers 0"
	"--syncers|--dir $work --syncers 65"
	"--iterations|--dir $work --iterations 0"
	"--duration|--dir $work --duration soon"
	"--round|--dir $work --round 1ms"
	"--page|--dir $work --page huge"
	"--inject|--dir $work --inject bogus"
	"--inject|--dir $work --inject async --scenario page-cache"
	"--seed|--dir $work --seed -1"
	"--trace-buffer|--dir $work --trace-buffer 1K"
	"--dump|--dir $work --dump /nonexistent"
	"--output|--dir $work --output /nonexistent/x.json"
	"--dir|--dir /nonexistent"
	"--dir|--scenario page-cache"
	"--bogus|--dir $work --bogus"
	"extra|--dir $work extra"
)
echo "1..$(( ${#cases[@]} + 12 ))"
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
# shellcheck source=../lib/bad_input.sh
. tests/lib/bad_input.sh

for c in "${cases[@]}"; do
	opt=${c%%|*}
	args=${c#*|}
	out=$work/bad-$n.json
	# shellcheck disable=SC2086
	eval "$bin --output $out $args" >/dev/null 2>"$work/err"
	check_refused "daxstress $args: exit 2, one line naming $opt, no results file" "$opt" $? \
		"$work/err" "$out"*
done

"$bin" --list >"$work/list" 2>&1
st=$?
[ $st -eq 0 ] && [ "$(wc -l <"$work/list")" -eq 6 ] &&
	for s in concurrent-fsync pte-then-pmd rewrite-after-flush truncate-punch layout page-cache; do
		grep -q "^$s " "$work/list" || exit 1
	done
check "--list names the six scenarios" $? "exit $st: $(head -c 300 "$work/list")"
"$bin" --help >"$work/help" 2>&1
[ $? -eq 0 ] && grep -q -- '--inject' "$work/help" && grep -q 'Exit status' "$work/help"
check "--help describes the options and the exit status" $?

# page-cache on the host's /tmp (ext4 or tmpfs: a non-DAX file system)
"$bin" --dir "$work" --scenario page-cache --iterations 2 --round 700ms --seed 9 \
	--output "$work/pc.json" >"$work/pc.tap" 2>"$work/pc.err"
st=$?
if grep -q 'O_DIRECT is not supported' "$work/pc.tap"; then
	for _ in 1 2 3 4; do n=$((n + 1)); echo "ok $n - # SKIP O_DIRECT unsupported in $work"; done
else
	check "page-cache passes on $work (exit 0)" $st "exit $st: $(grep -E '^(not ok|#)' "$work/pc.tap" | head -5 | tr '\n' ' ') $(head -2 "$work/pc.err")"
	grep -qx 'ok 1 - page-cache' "$work/pc.tap" && grep -qx '1..1' "$work/pc.tap"
	check "... TAP: plan 1..1 and 'ok 1 - page-cache'" $?
	v=$(jq -c '[.dax, .scenarios[0].verdict, .scenarios[0].violations, .scenarios[0].iterations]' "$work/pc.json" 2>&1)
	[ "$v" = '[false,"pass",0,2]' ]
	check "... JSON: not DAX, pass, 0 violations, 2 iterations" $? "got $v"
	v=$(jq -r '.scenarios[0].sync_calls > 0 and .scenarios[0].pages_checked > 0 and .seed == 9 and .exit_status == 0 and (.env | type) == "object"' "$work/pc.json" 2>&1)
	[ "$v" = true ]
	check "... JSON: sync calls and pages checked, seed, exit status, environment" $? "got $v"
fi

# every scenario on a non-DAX directory: the DAX ones skipped, page-cache runs
"$bin" --dir "$work" --iterations 1 --round 300ms --output "$work/all.json" >"$work/all.tap" 2>&1
st=$?
[ $st -eq 0 ] && [ "$(grep -c '# SKIP .*is not DAX' "$work/all.tap")" -eq 5 ] &&
	grep -q '^ok 6 - page-cache' "$work/all.tap"
check "all scenarios on $work: 5 skipped (not DAX), page-cache ok, exit 0" $? \
	"exit $st: $(grep -E '^(ok|not ok)' "$work/all.tap" | tr '\n' ' ')"
v=$(jq -c '[.scenarios[].verdict]' "$work/all.json" 2>&1)
[ "$v" = '["skip","skip","skip","skip","skip","pass"]' ]
check "... JSON verdicts" $? "got $v"

# only DAX scenarios on a non-DAX directory: every one skipped, exit 4
"$bin" --dir "$work" --scenario concurrent-fsync,truncate-punch --output "$work/nd.json" >"$work/nd.tap" 2>&1
st=$?
[ $st -eq 4 ] && [ "$(grep -c '^ok [12] - .* # SKIP' "$work/nd.tap")" -eq 2 ]
check "DAX scenarios only on $work: exit 4, both reported as skipped" $? "exit $st: $(head -6 "$work/nd.tap" | tr '\n' ' ')"
[ -s "$work/nd.json" ] && [ "$(jq .exit_status "$work/nd.json")" = 4 ]
check "... the JSON summary is still written, with exit_status 4" $?

# a negative control needs concurrent-fsync; the kmsg one works anywhere
"$bin" --dir "$work" --scenario page-cache --inject partial-sync >/dev/null 2>"$work/err"
[ $? -eq 2 ] && grep -q 'concurrent-fsync' "$work/err"
check "--inject partial-sync without concurrent-fsync: exit 2, says why" $? "$(cat "$work/err")"
"$bin" --version | grep -qE '^daxstress [0-9]'
check "--version" $?
