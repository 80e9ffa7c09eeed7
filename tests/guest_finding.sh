#!/usr/bin/env bash
# The finding on the newest kernel line (7.2): Debian's stock 7.2 kernel
# fails, the same source with the patches of scripts/kernel/fixes/7.2/series
# passes.  Two boots of each kernel, in the emulated-pmem guest:
#   - the standalone reproducer (results/finding/repro/dax-fsync-race.c,
#     built here with cc -static -pthread) exits 1 on stock (an fsync returned
#     before a page stored before it began was flushed) and 0 on the fix;
#   - daxstress concurrent-fsync reports the race on stock (TAP TODO with the
#     reason: it is the kernel's bug, the finding) and passes on the fix;
#   - on the fix every DAX scenario passes, no sync or file operation fails
#     and the kernel log is clean;
#   - Debian's stock 6.12 (the LTS line between) reports the race too (TODO).
# The stock kernel is Debian's linux-image (scripts/guest/fetch-kernel
# --kver 7.2); the fixed one is scripts/kernel/fixed --kver 7.2, built from
# linux-source-7.2 once per machine (about 10 min cold on two cores; cached
# after that, for every clone).  A fixed kernel that does not build fails
# the fixed points with the build's reason; they are not booted.
#   tests/guest_finding.sh [KVER]   (default 7.2, or env DAXBENCH_TEST_KVER)
# timeout: 2400
set -uo pipefail
cd "$(dirname "$0")/.."
kver=${1:-${DAXBENCH_TEST_KVER:-7.2}}
# shellcheck source=lib/tap.sh
. tests/lib/tap.sh
out=build/test-guest-finding-$kver
fresh_dir "$out"
repro=results/finding/repro/dax-fsync-race.c
fixes=$(scripts/kernel/fixed --kver "$kver" --patches | sed 's|.*/scripts/|scripts/|' | paste -sd' ')
need qemu-system-x86_64 jq stress/daxstress
# the fixed kernel runs every timed DAX scenario of daxstress --list, 20 s each
# shellcheck source=../scripts/lib/scenarios.sh
. scripts/lib/scenarios.sh
timed=$(timed_dax_scenarios stress/daxstress)
nsc=$(tr ',' '\n' <<<"$timed" | grep -c .)
planned=$((13 + nsc))
echo "1..$planned"

cc -O2 -static -pthread -o "$out/dax-fsync-race" "$repro" 2>"$out/cc.log"; st=$?
check "the reproducer builds alone with cc -static -pthread ($(wc -l <"$repro") lines)" $st "$(head -n3 "$out/cc.log")"

fixed=$(scripts/kernel/fixed -q --kver "$kver" 2>"$out/build.log"); st=$?
built=$st
check "fixed $kver kernel built from Debian's linux-source-$kver + $fixes" $st "$(tail -n3 "$out/build.log" | tr '\n' ' ')"

# One boot: the reproducer for 20 s, then daxstress.
cat >"$out/guest.sh" <<'EOF'
dax-fsync-race -t 20 "$DAXBENCH_MNT" >"$DAXBENCH_OUT/repro.txt" 2>&1
echo $? >"$DAXBENCH_OUT/repro.rc"
rm -f "$DAXBENCH_MNT"/* 2>/dev/null
daxstress --dir "$DAXBENCH_MNT" --scenario $SCENARIOS --duration $DURATION --seed 918 \
	--output "$DAXBENCH_OUT/stress.json" >"$DAXBENCH_OUT/stress.tap" 2>&1
echo $? >"$DAXBENCH_OUT/stress.rc"
exit 0
EOF
# A boot that QEMU's multi-threaded TCG killed (an int3 Oops when the kernel
# live-patches code the other vCPU runs: stock and fixed kernels alike) is
# booted again, twice at most, and said: a job of the boot library
# (scripts/boot-job --retry emulator-fault), attempts set aside as
# NAME.attempt-K.  Returns guest/run's status of the last attempt.
job() {	# NAME ATTEMPTS GUEST-RUN-ARGS... SCRIPT
	local name=$1 attempts=$2
	shift 2
	scripts/boot-job --quiet --attempts "$attempts" --retry emulator-fault --out "$out/$name" -- "$@" >/dev/null
	[ -f "$out/$name/result.json" ] || { echo "# $name: scripts/boot-job left no result.json"; return 125; }
	cp "$out/$name/harness.log" "$out/$name.log"
	jq -r '.attempts[:-1][] | "# \(.dir): died of an emulator fault (\(.lines[0] // "?")); booted again"' "$out/$name/result.json"
	return "$(jq -r .harness_status "$out/$name/result.json")"
}
boot() {	# NAME SCENARIOS DURATION KERNEL-ARGS...
	local name=$1 sc=$2 dur=$3
	shift 3
	{ echo "SCENARIOS=$sc DURATION=$dur"; cat "$out/guest.sh"; } >"$out/$name.sh"
	job "$name" 3 "$@" --timeout 400 --bin stress/daxstress --bin "$out/dax-fsync-race" "$out/$name.sh"
}

# ---- stock ----
boot stock concurrent-fsync 20s --kver "$kver"; st=$?
d=$out/stock
release=$(cat "$d/uname-r" 2>/dev/null || sed -n 's/^kernel=//p' "$d/.guest-info" 2>/dev/null)
check "stock $kver booted (${release:-?}) and ran the reproducer and daxstress" $st "$(tail -n2 "$out/stock.log" | tr '\n' ' ')"
rc=$(cat "$d/repro.rc" 2>/dev/null || echo none)
[ "$rc" = 1 ]
check "reproducer on stock $kver: exit 1, an fsync returned before a page stored before it began was flushed" $? \
	"exit $rc" "$(tail -n4 "$d/repro.txt" 2>/dev/null | tr '\n' ' ')"
v=$(jq -r '.scenarios[0].violations // "none"' "$d/stress.json" 2>/dev/null || echo none)
[ "$(cat "$d/stress.rc" 2>/dev/null)" = 0 ]; st=$?
if [ $st -eq 0 ]; then
	ok "daxstress concurrent-fsync on stock $kver: passed (the race did not show in 20 s)"
else
	# The race is the finding: reported, not hidden, and not the suite's failure.
	n=$((n + 1))
	echo "not ok $n - daxstress concurrent-fsync on stock $kver: $v violations" \
		"($(jq -r '.scenarios[0].violation_samples_by_kind // {} | to_entries | map("\(.key) \(.value)") | join(", ")' "$d/stress.json" 2>/dev/null))" \
		"# TODO stock $kver dax_writeback_one race: TOWRITE cleared before the flush and locked entries skipped;" \
		"fixed by $fixes"
fi
[ "$v" != none ] && [ "$v" -ge 0 ] 2>/dev/null
check "daxstress on stock $kver checked its calls (violations counted: $v)" $? "no result in $d/stress.json"

# ---- stock 6.12: the line between reports the race too ----
if [ "$kver" = 7.2 ]; then
	printf '%s\n' 'daxstress --dir "$DAXBENCH_MNT" --scenario concurrent-fsync --duration 20s --seed 918 \' \
		'	--output "$DAXBENCH_OUT/stress.json" >"$DAXBENCH_OUT/stress.tap" 2>&1' \
		'echo $? >"$DAXBENCH_OUT/stress.rc"' 'exit 0' >"$out/stock612.sh"
	job stock612 1 --kver 6.12 --timeout 300 --bin stress/daxstress "$out/stock612.sh"; st=$?
	d=$out/stock612
	check "stock 6.12 ($(sed -n 's/^kernel=//p' "$d/.guest-info" 2>/dev/null)) booted and ran daxstress" $st "$(tail -n2 "$out/stock612.log" | tr '\n' ' ')"
	v=$(jq -r '.scenarios[0].violations // "none"' "$d/stress.json" 2>/dev/null || echo none)
	if [ "$(cat "$d/stress.rc" 2>/dev/null)" = 0 ]; then
		ok "daxstress concurrent-fsync on stock 6.12: passed (the race did not show in 20 s)"
	elif [ "$v" != none ] && jq -e -L scripts/lib 'include "daxstress"; .scenarios[0] | known_race("stock")' "$d/stress.json" >/dev/null 2>&1; then
		n=$((n + 1))
		echo "not ok $n - daxstress concurrent-fsync on stock 6.12: $v violations # TODO stock 6.12 dax_writeback_one race: TOWRITE cleared before the flush and locked entries skipped; fixed by scripts/kernel/fixes/6.12/dax-writeback-wait.patch"
	else
		not_ok "daxstress concurrent-fsync on stock 6.12: only the known race" "exit $(cat "$d/stress.rc" 2>/dev/null), violations $v"
	fi
else
	skip "stock 6.12 booted" "only with KVER 7.2"
	skip "stock 6.12 race" "only with KVER 7.2"
fi

# ---- fixed ----
if [ $built -ne 0 ]; then
	while [ $n -lt $planned ]; do not_ok "fixed $kver point $((n + 1)): not run, the fixed kernel did not build" "$(tail -n1 "$out/build.log")"; done
	exit 1
fi
boot fixed "$timed" "$((nsc * 20))s" --kernel "$fixed" --modules none; st=$?
d=$out/fixed
check "fixed $kver booted ($(sed -n 's/^kernel=//p' "$d/.guest-info" 2>/dev/null)) with a clean kernel log (guest/run exit 0)" $st \
	"$(tail -n2 "$out/fixed.log" | tr '\n' ' ')" "$(grep -a -m2 -E 'WARNING|BUG|Oops' "$d/dmesg.txt" 2>/dev/null | tr '\n' ' ')"
rc=$(cat "$d/repro.rc" 2>/dev/null || echo none)
[ "$rc" = 0 ]
check "reproducer on fixed $kver: exit 0, no fsync returned early" $? "exit $rc" "$(tail -n4 "$d/repro.txt" 2>/dev/null | tr '\n' ' ')"
grep -q -E ' [1-9][0-9]* fsync calls checked' "$d/repro.txt" 2>/dev/null
check "... and it checked sync calls (not an empty run)" $? "$(tail -n2 "$d/repro.txt" 2>/dev/null | tr '\n' ' ')"
f=$d/stress.json
check_json "daxstress on fixed $kver: exit 0" "$f" '.exit_status' 0
for sc in ${timed//,/ }; do
	check_json "fixed $kver: $sc passes with 0 violations" "$f" \
		"[.scenarios[] | select(.name == \"$sc\") | .verdict, .violations] | @text" '["pass",0]'
done
check_json "fixed $kver: no sync, msync or file operation failed in any scenario" "$f" \
	'[.scenarios[].failures | length] | add' 0
[ $tap_failed -eq 0 ] || { echo "# $tap_failed of $n failed"; exit 1; }
exit 0
