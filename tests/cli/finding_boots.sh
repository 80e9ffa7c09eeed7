#!/usr/bin/env bash
# scripts/finding's boots and summary without booting: the boot library
# (scripts/boot-job) with the stand-in guest (tests/lib/fake-guest-run,
# DAXBENCH_GUEST_RUN) bringing a synthetic daxstress.json.  Boots alternate
# stock, fixed / fixed, stock; an emulator fault (an int3 Oops under TCG) is
# set aside as SIDE-I.attempt-K, listed in the summary and booted again; a
# kernel that died is not; the verdict is the fixed kernel's.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
need jq stress/daxstress
work=$(mktemp -d /tmp/daxbench-finding-boots.XXXXXX)
trap 'rm -rf "$work"' EXIT
export DAXBENCH_GUEST_RUN=$PWD/tests/lib/fake-guest-run
echo "1..8"
: >"$work/bzImage"
# every timed DAX scenario passes, with counts
jq -n '{seed: 918, scenarios: [("concurrent-fsync", "pte-then-pmd", "rewrite-after-flush", "truncate-punch")
	| {name: ., verdict: "pass", sync_calls: 10, pages_checked: 1000, violations: 0,
	   violation_samples_by_kind: {}, writeback_events: 5, writeback_events_paired: 5,
	   writeback_events_unpaired: 0, failures: [], lost_events: 0}]}' >"$work/pass.json"
export FAKE_GUEST_DAXSTRESS=$work/pass.json

# boots: stock-1, fixed-1 (int3, then ok), fixed-2, stock-2
printf '%s\n' ok int3 ok ok ok >"$work/plan"
FAKE_GUEST_PLAN=$work/plan scripts/finding --kver 6.1 --boots 2 --stock "$work/bzImage" --fixed "$work/bzImage" \
	--out "$work/f1" >"$work/f1.out" 2>"$work/f1.err"; st=$?
s=$work/f1/summary.json
check "finding with the stand-in guest: exit 0 (the fixed kernel passed)" $st "$(tail -3 "$work/f1.err")"
check_json "summary: verdict, the four timed scenarios, 2 boots of each side in the ABBA order" "$s" \
	'[.verdict, (.scenarios | length), ([.runs[] | "\(.side)-\(.boot)"] | join(" "))] | @text' \
	'["fixed kernel passed",4,"stock-1 stock-2 fixed-1 fixed-2"]'
[ "$(cat "$work/plan.n")" = 5 ] && [ -d "$work/f1/boots/fixed-1.attempt-1" ] && [ ! -e "$work/f1/boots/fixed-1.attempt-2" ] &&
	jq -e '.status == "emulator-fault"' "$work/f1/boots/fixed-1.attempt-1/result.json" >/dev/null &&
	jq -e '.status == "ok" and ([.attempts[].dir] == ["fixed-1.attempt-1", "fixed-1"])' "$work/f1/boots/fixed-1/result.json" >/dev/null
check "the emulator fault set aside as fixed-1.attempt-1 and booted again: 5 boots for 4 slots" $? \
	"$(cat "$work/plan.n") boots; $(ls "$work/f1/boots")"
check_json "summary lists it with its line" "$s" \
	'[.runs[] | select(.side == "fixed" and .boot == 1) | .emulator_faults_booted_again[]] | @text' \
	'["fixed-1.attempt-1: [    9.000002] Oops: int3: 0000 [#1] PREEMPT SMP"]'
for f in sh log rc seconds; do [ -f "$work/f1/boots/stock-1.$f" ] || { echo "# no stock-1.$f"; false; }; done &&
	[ "$(cat "$work/f1/boots/stock-1.rc")" = 0 ] && grep -q 'guest/run: fake boot 1: ok' "$work/f1/boots/stock-1.log"
check "each boot's guest script, harness output, status and seconds beside its directory" $?
grep -q '| fixed 6.1.0-test | 1 | concurrent-fsync | pass | 10 | 1000 | 0 | 0 / 0 | 5 (5) | 0 | clean |' "$work/f1/summary.md"
check "summary.md: one row a boot and scenario" $? "$(grep -m2 '^| fixed' "$work/f1/summary.md")"

# a fixed kernel that died: not booted again, the verdict fails
printf '%s\n' ok died >"$work/plan2"
FAKE_GUEST_PLAN=$work/plan2 scripts/finding --kver 6.1 --boots 1 --stock "$work/bzImage" --fixed "$work/bzImage" \
	--out "$work/f2" >"$work/f2.out" 2>"$work/f2.err"; st=$?
[ $st -eq 1 ] && [ "$(cat "$work/plan2.n")" = 2 ] && [ "$(cat "$work/f2/boots/fixed-1.rc")" = 123 ]
check "a fixed kernel that died: not booted again, exit 1" $? "exit $st, $(cat "$work/plan2.n") boots"
check_json "... summary: FAILED, harness 123, no scenario" "$work/f2/summary.json" \
	'[.verdict, (.runs[] | select(.side == "fixed") | .harness_status, (.scenarios | length))] | @text' \
	'["fixed kernel FAILED",123,0]'
[ $tap_failed -eq 0 ] || exit 1
exit 0
