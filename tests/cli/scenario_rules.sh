#!/usr/bin/env bash
# The scenario list and the known-race rule, each in one place:
# scripts/lib/scenarios.sh (the DAX scenarios from `daxstress --list`, the
# timed ones) and scripts/lib/daxstress.jq (other_failures, race_failure,
# known_race), on a stand-in daxstress and synthetic scenario results.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
need jq
# shellcheck source=../../scripts/lib/scenarios.sh
. scripts/lib/scenarios.sh
work=$(mktemp -d /tmp/daxbench-scenario-rules.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "1..11"

cat >"$work/daxstress" <<'EOS'
#!/bin/sh
[ "$1" = --list ] || exit 2
printf '%-20s %-10s %s\n' alpha dax "a timed one" layout dax "the deterministic one" \
	pc page-cache "not DAX" beta dax "another"
EOS
chmod +x "$work/daxstress"
is_out() { local got; got=$("${@:3}"); st=$?; [ $st -eq 0 ] && [ "$got" = "$2" ]; check "$1" $? "got '$got' (status $st)"; }
is_out "dax_scenarios: the DAX ones of --list, in its order" alpha,layout,beta dax_scenarios "$work/daxstress"
is_out "timed_dax_scenarios: without the deterministic layout" alpha,beta timed_dax_scenarios "$work/daxstress"
timed_dax_scenarios /nonexistent >/dev/null; check "a daxstress that cannot list: status 1" $(( $? == 1 ? 0 : 1 ))
if [ -x stress/daxstress ]; then
	is_out "the real daxstress: the four timed DAX scenarios" concurrent-fsync,pte-then-pmd,rewrite-after-flush,truncate-punch \
		timed_dax_scenarios stress/daxstress
else
	skip "the real daxstress: the timed DAX scenarios" "stress/daxstress is not built"
fi

# race_failure / known_race on one scenario object
race() { # NAME EXPECT SIDE JSON-MODIFICATION
	local got
	got=$(jq -n -c -L scripts/lib --arg side "$3" "include \"daxstress\";
		{name: \"concurrent-fsync\", verdict: \"fail\", violations: 12, kmsg: [],
		 violations_by_class: {late: 10, missed: 2, unflushed: 0},
		 failures: [\"iteration 0: 12 (sync, page) pairs not flushed, on 3 page(s)\"]} | $4 | known_race(\$side)" 2>&1)
	[ "$got" = "$2" ]; check "$1" $? "got '$got'"
}
race "late and missed only, clean log, on stock: the known race" true stock .
race "... never on a fixed kernel" false fixed .
race "... nor in a scenario outside the race (rewrite-after-flush)" false stock '.name = "rewrite-after-flush"'
race "... nor with an unflushed violation" false debian '.violations_by_class.unflushed = 1 | .failures += ["3 of 9 writeback events claim a flush they never made (unflushed)"]'
race "... nor with a failure other than a violation (EIO)" false stock '.failures += ["fsync failed: Input/output error (EIO)"]'
race "... nor with a kernel-log line during it" false stock '.kmsg = ["[ 1.0] WARNING: CPU: 0 PID: 1 at fs/dax.c:1"]'
got=$(jq -n -c -L scripts/lib 'include "daxstress"; {failures: ["5 (sync, page) pairs not flushed", "2 of 3 writeback events claim a flush they never made", "msync failed: EIO"]} | other_failures')
[ "$got" = '["msync failed: EIO"]' ]
check "other_failures: every failure but the two kinds of the flush oracle's violations" $? "got $got"
[ $tap_failed -eq 0 ] || exit 1
exit 0
