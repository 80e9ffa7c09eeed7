#!/usr/bin/env bash
# The scenario list and the known-race rule, each in one place:
# scripts/lib/scenarios.sh (the DAX scenarios from `daxstress --list`, the
# timed ones) and scripts/lib/daxstress.jq (other_failures, race_failure,
# known_race, the known layout bug (layout_failure, known_layout) and near class (near_failure, known_near),
# known_failure), on a stand-in daxstress and synthetic scenario results.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
need jq
# shellcheck source=../../scripts/lib/scenarios.sh
. scripts/lib/scenarios.sh
work=$(mktemp -d /tmp/daxbench-scenario-rules.XXXXXX)
trap 'rm -rf "$work"' EXIT

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
# layout_failure / known_layout($side; $line) on one layout scenario object:
# a punch that lost 4 stored pages, an allocate that passed, a clone the
# file system refused
# judge NAME EXPECT SIDE LINE BASE RULE MODIFICATION: RULE of daxstress.jq on
# the scenario object BASE (a jq expression) changed by MODIFICATION
judge() {
	local got
	got=$(jq -n -c -L scripts/lib --arg side "$3" --arg line "$4" "include \"daxstress\"; $5 | $7 | $6" 2>&1)
	[ "$got" = "$2" ]; check "$1" $? "got '$got'"
}
lay_base='{name: "layout", verdict: "fail", violations: 4, kmsg: [],
	violations_by_class: {late: 0, missed: 4, unflushed: 0},
	failures: ["iteration 0: 4 (sync, page) pairs not flushed, on 4 page(s)", "iteration 0: punch-hole pte: far pages lost: 4 of 7"],
	info: {operations: [
	  {operation: "punch-hole", page: "pte", verdict: "fail", status: "done", data_mismatch: 0, missing: 4},
	  {operation: "allocate", page: "pte", verdict: "pass", status: "done", data_mismatch: 0, missing: 0},
	  {operation: "clone-into", page: "pte", verdict: "unsupported", status: "unsupported", data_mismatch: 0, missing: 0}]}}'
lay() { judge "$1" "$2" "$3" "$4" "$lay_base" 'known_layout($side; $line)' "$5"; }
lay "layout: stored pages missed only, every failing operation done, clean log, on stock 7.2: the known layout bug" true stock 7.2 .
lay "... on Debian's 7.2 too" true debian 7.2 .
lay "... from 6.15 on (the first line with the bug)" true stock 6.15 .
lay "... never on a fixed kernel (fixed 7.2)" false fixed 7.2 .
lay "... nor before 6.15: stock 6.12" false stock 6.12 .
lay "... nor on 6.1 (Debian's)" false debian 6.1 .
lay "... nor on 6.14" false stock 6.14 .
lay "... nor with a late violation" false stock 7.2 '.violations_by_class.late = 1'
lay "... nor with an unflushed violation" false stock 7.2 '.violations_by_class.unflushed = 1'
lay "... nor with a kernel-log line during it" false stock 7.2 '.kmsg = ["[ 1.0] WARNING: CPU: 0 PID: 1 at fs/dax.c:1"]'
lay "... nor when a failing operation's data came back wrong" false stock 7.2 '.info.operations[0].data_mismatch = 1'
lay "... nor when a failing operation did not complete (its call failed)" false stock 7.2 '.info.operations[0].status = "failed"'
lay "... nor when a failing operation lost no page" false stock 7.2 '.info.operations[0].missing = 0'
lay "... nor with no failing operation at all" false stock 7.2 '.info.operations[0].verdict = "pass"'
lay "... nor for a passing scenario" false stock 7.2 '.verdict = "pass"'
lay "... nor for another scenario failing alike" false stock 7.2 '.name = "truncate-punch"'
# near_failure / known_near($side; $line): stock 6.1 and 6.12's near class
# on one layout scenario object: a PMD truncate-down that lost the 2 near
# pages stored in the 2 MiB entry it cut, no far page, a PTE punch that passed
near_base='{name: "layout", verdict: "fail", violations: 2, kmsg: [],
	violations_by_class: {late: 0, missed: 2, unflushed: 0},
	info: {far: {stored: 40, missing: 0}, near: {stored: 20, missing: 2}, operations: [
	  {operation: "truncate-down", page: "pmd", verdict: "fail", status: "done", data_mismatch: 0, missing: 2,
	   far: {stored: 2, missing: 0}, near: {stored: 2, missing: 2, in_pmd_entry: 2}},
	  {operation: "punch-hole", page: "pte", verdict: "pass", status: "done", data_mismatch: 0, missing: 0,
	   far: {stored: 2, missing: 0}, near: {stored: 2, missing: 0, in_pmd_entry: 0}}]}}'
near() { judge "$1" "$2" "$3" "$4" "$near_base" 'known_near($side; $line)' "$5"; }
near "near: PMD runs lost near pages of the cut entry only, no far page, clean log, on stock 6.1: the known near class" true stock 6.1 .
near "... on stock 6.12 too" true stock 6.12 .
near "... and on Debian's 6.12" true debian 6.12 .
near "... never on a fixed kernel (fixed 6.12)" false fixed 6.12 .
near "... nor on 6.15 or later (7.2: the layout bug is the rule there)" false stock 7.2 .
near "... nor when a far page was lost" false stock 6.1 '.info.far.missing = 1 | .info.operations[0].far.missing = 1'
near "... nor when a PTE run failed" false stock 6.1 '.info.operations[0].page = "pte"'
near "... nor when a lost near page lay outside the cut entry" false stock 6.1 '.info.operations[0].near.in_pmd_entry = 1'
near "... nor with a late violation" false stock 6.1 '.violations_by_class.late = 1'
near "... nor with a kernel-log line during it" false stock 6.1 '.kmsg = ["[ 1.0] WARNING: CPU: 0 PID: 1 at mm/truncate.c:89"]'
near "... nor when the data came back wrong" false stock 6.1 '.info.operations[0].data_mismatch = 1'
near "... nor without the far tally" false stock 6.1 'del(.info.far)'
# known_failure: which known failure, if any
kf() { # NAME EXPECT SIDE LINE JSON
	local got
	got=$(jq -n -c -L scripts/lib --arg side "$3" --arg line "$4" "include \"daxstress\"; $5 | known_failure(\$side; \$line)" 2>&1)
	[ "$got" = "$2" ]; check "$1" $? "got '$got'"
}
kf "known_failure: the race on a stock kernel" '"race"' stock 6.1 \
	'{name: "pte-then-pmd", verdict: "fail", violations: 3, kmsg: [], violations_by_class: {late: 3, missed: 0, unflushed: 0}, failures: ["3 (sync, page) pairs not flushed"]}'
kf "known_failure: the layout bug on stock 7.2" '"layout"' stock 7.2 \
	'{name: "layout", verdict: "fail", kmsg: [], violations_by_class: {late: 0, missed: 2, unflushed: 0}, info: {operations: [{verdict: "fail", status: "done", data_mismatch: 0, missing: 2}]}}'
kf "known_failure: none for the same layout failure on stock 6.12" null stock 6.12 \
	'{name: "layout", verdict: "fail", kmsg: [], violations_by_class: {late: 0, missed: 2, unflushed: 0}, info: {operations: [{verdict: "fail", status: "done", data_mismatch: 0, missing: 2}]}}'
kf "known_failure: the near class on stock 6.12" '"near"' stock 6.12 \
	'{name: "layout", verdict: "fail", kmsg: [], violations_by_class: {late: 0, missed: 2, unflushed: 0}, info: {far: {missing: 0}, operations: [{operation: "truncate-down", page: "pmd", verdict: "fail", status: "done", data_mismatch: 0, missing: 2, far: {missing: 0}, near: {stored: 2, missing: 2, in_pmd_entry: 2}}]}}'
kf "known_failure: none for a pass" null stock 7.2 '{name: "layout", verdict: "pass", kmsg: []}'
got=$(jq -n -c -L scripts/lib 'include "daxstress"; {failures: ["5 (sync, page) pairs not flushed", "2 of 3 writeback events claim a flush they never made", "msync failed: EIO"]} | other_failures')
[ "$got" = '["msync failed: EIO"]' ]
check "other_failures: every failure but the two kinds of the flush oracle's violations" $? "got $got"
echo "1..$n"
[ $tap_failed -eq 0 ] || exit 1
exit 0
