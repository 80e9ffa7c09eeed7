#!/usr/bin/env bash
# scripts/soak without booting: its one boot is a job of the boot library
# (scripts/boot-job) on the stand-in guest (tests/lib/fake-guest-run).  Exit
# status: daxstress's when the guest ran it, guest/run's otherwise (123 a
# kernel that died); the result directory holds the job's record.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
need jq stress/daxstress
work=$(mktemp -d /tmp/daxbench-soak-boot.XXXXXX)
before=$(ls -d results/soak-* 2>/dev/null | wc -l)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
export DAXBENCH_GUEST_RUN=$PWD/tests/lib/fake-guest-run
echo "1..4"
jq -n '{seed: 1, scenarios: [{name: "concurrent-fsync", verdict: "fail"}]}' >"$work/fail.json"
printf '%s\n' ok died >"$work/plan"
FAKE_GUEST_PLAN=$work/plan FAKE_GUEST_DAXSTRESS=$work/fail.json scripts/soak --duration 2s --scenario concurrent-fsync \
	>"$work/o1" 2>"$work/e1"; st=$?
d=$(sed -n 's/.*results in \(results\/soak-[^ ]*\) .*/\1/p' "$work/e1")
# the stand-in brings daxstress.json, soak wants summary.json: the release is the guest's word or "unknown"
[ $st -eq 1 ] && [ -n "$d" ] && [ -f "$d/result.json" ] && [ -f "$d/harness.log" ] && grep -q 'guest status 0, daxstress status 1' "$work/e1"
check "a soak whose daxstress failed: exit 1 (daxstress's), result.json and harness.log kept" $? "exit $st: $(tail -2 "$work/e1")"
check_json "... the job's record: ok, one attempt" "$d/result.json" '[.status, (.attempts | length)] | @text' '["ok",1]'
rm -rf "$d"
FAKE_GUEST_PLAN=$work/plan scripts/soak --duration 2s >"$work/o2" 2>"$work/e2"; st=$?
d=$(sed -n 's/.*results in \(results\/soak-[^ ]*\) .*/\1/p' "$work/e2")
[ $st -eq 123 ] && grep -q 'guest/run: .*kernel died' "$work/e2"
check "a kernel that died: exit 123, guest/run's word on stderr" $? "exit $st: $(tail -3 "$work/e2")"
rm -rf "$d"
[ "$(ls -d results/soak-* 2>/dev/null | wc -l)" -eq "$before" ]
check "nothing left in results/" $?
[ $tap_failed -eq 0 ] || exit 1
exit 0
