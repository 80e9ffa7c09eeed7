#!/usr/bin/env bash
# What scripts/ab does with each kind of boot, without booting: a stand-in
# for scripts/guest/run (tests/lib/fake-guest-run) plays a planned outcome
# per boot.  A boot whose suite finished is kept even with a kernel WARNING
# (reported first); a timeout, a failed suite, or an RCU stall under TCG
# (the host starved the guest) is left out, reported, and the slot tried
# again, at most 3 times; under KVM a stall is the kernel's and kept.  A side
# left with fewer than 2 usable boots gets no comparison: exit 1.
set -uo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
need bench/daxbench jq
work=$(mktemp -d /tmp/daxbench-ab-boots.XXXXXX)
trap 'rm -rf "$work"' EXIT
export DAXBENCH_GUEST_RUN=$PWD/tests/lib/fake-guest-run
echo "1..11"

# ---- every kind of boot; slots A B B A ----
printf '%s\n' stall-tcg ok warn stall-kvm timeout warn-fail ok >"$work/plan1"
FAKE_GUEST_PLAN=$work/plan1 scripts/ab --repeat 2 --out "$work/r1" >"$work/r1.log" 2>&1; st=$?
check "ab with 3 boots left out and retried: exit 0" $st "$(tail -3 "$work/r1.log")"
b=$work/r1/boots.json
jq -e '[.[].side] == ["A", "A", "B", "B", "A", "A", "A"]' "$b" >/dev/null && [ "$(cat "$work/plan1.n")" = 7 ]
check "7 attempts for 4 slots (A retried once, B kept twice, A retried twice), the plan used up" $? \
	"$(jq -c '[.[] | [.side, .result]]' "$b" 2>&1)"
jq -e '[.[].usable] == [false, true, true, true, false, false, true]' "$b" >/dev/null
check "usable: the TCG stall, the timeout and the failed suite are not" $? "$(jq -c '[.[].usable]' "$b" 2>&1)"
jq -e '.[0].result | test("RCU stall.*TCG")' "$b" >/dev/null &&
	jq -e '.[2].result == "kernel warning" and .[3].result == "kernel warning" and .[4].result == "timeout"
	       and (.[5].result | test("suite failed")) and .[1].result == "ok"' "$b" >/dev/null &&
	jq -e '.[3].accel == "kvm" and .[0].accel == "tcg"' "$b" >/dev/null
check "each attempt says why (stall under TCG, kernel warning, timeout, suite failed) and its accelerator" $? \
	"$(jq -c '[.[] | [.result, .accel]]' "$b" 2>&1)"
jq -e '.[0].kernel_warnings == ["rcu: INFO: rcu_preempt self-detected stall on CPU"]
       and (.[2].kernel_warnings[0] | startswith("WARNING: CPU: 1"))' "$b" >/dev/null
check "the kernel lines are kept, timestamps stripped" $? "$(jq -c '[.[].kernel_warnings]' "$b" 2>&1)"
jq -e 'all(.points[]; .runs_a == 2 and .runs_b == 2)' "$work/r1/compare.json" >/dev/null &&
	jq -e '.merged.from == ["boots/02-A", "boots/07-A"]' "$work/r1/A/fault-pmd.json" >/dev/null
check "the comparison holds the usable boots only: 2 a side, A from boots 02 and 07" $? \
	"$(jq -c '[.points[] | [.runs_a, .runs_b]]' "$work/r1/compare.json" 2>&1) $(jq -c .merged.from "$work/r1/A/fault-pmd.json" 2>&1)"
left=$(grep -c 'left out of the comparison' "$work/r1/report.md")
[ "$left" -eq 3 ] && grep -q 'WARNING: CPU: 1 PID: 99 at fs/dax.c:1234' "$work/r1/report.md" &&
	grep -q 'rcu_preempt self-detected stall' "$work/r1/report.md" && ! grep -q 'None: no kernel warning' "$work/r1/report.md"
check "report.md lists the 3 attempts left out and the kernel lines among its alerts ($left left out)" $?

# ---- a slot that never boots cleanly: no comparison ----
printf '%s\n' ok fail fail fail fail fail ok ok >"$work/plan2"
before=$(ls -d results/failed-ab-* 2>/dev/null | wc -l)
FAKE_GUEST_PLAN=$work/plan2 scripts/ab --repeat 2 --out "$work/r2" >"$work/r2.log" 2>&1; st=$?
kept=$(sed -n 's/.*the boots so far are in \(results\/failed-ab-[0-9-]*\)\/.*/\1/p' "$work/r2.log")
[ $st -eq 1 ] && grep -q 'only 1 usable boot(s) of B' "$work/r2.log" && [ ! -e "$work/r2/compare.json" ]
check "B failed 3 times in one slot (and twice in the next): exit 1, 'only 1 usable boot(s) of B', no comparison" $? "exit $st: $(tail -3 "$work/r2.log")"
[ "$(cat "$work/plan2.n")" = 8 ] && [ -n "$kept" ] && [ "$(jq length "$kept/boots.json" 2>/dev/null)" = 8 ]
st=$?
check "no fourth attempt in a slot; the 8 boots kept in $kept for --reuse" $st "$(cat "$work/plan2.n") calls; $(tail -1 "$work/r2.log")"
[ -n "$kept" ] && case $kept in results/failed-ab-*) rm -rf "$kept" ;; esac
[ "$(ls -d results/failed-ab-* 2>/dev/null | wc -l)" -eq "$before" ]
check "... and nothing else left in results/" $?

# ---- a kernel that died (guest/run's status 123): left out, retried ----
printf '%s\n' died ok ok ok ok >"$work/plan3"
FAKE_GUEST_PLAN=$work/plan3 scripts/ab --repeat 2 --out "$work/r3" >"$work/r3.log" 2>&1; st=$?
jq -e '.[0] | .status == 123 and .usable == false and .result == "kernel died or hung"
       and (.message | test("kernel died at console.log:2: .*kernel BUG at fs/dax.c:1234!"))
       and .kernel_warnings == ["kernel BUG at fs/dax.c:1234!"]' "$work/r3/boots.json" >/dev/null &&
	[ $st -eq 0 ] && [ "$(jq '[.[] | select(.usable)] | length' "$work/r3/boots.json")" = 4 ] &&
	grep -q 'kernel died or hung: left out of the comparison' "$work/r3/report.md"
check "a boot whose kernel died (status 123) is left out with its line and retried; the report says so" $? \
	"exit $st: $(jq -c '.[0]' "$work/r3/boots.json" 2>&1 | head -c 400)"
