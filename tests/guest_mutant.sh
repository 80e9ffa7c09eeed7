#!/usr/bin/env bash
# TAP test: one known-bad kernel end to end (build, boot, catch), with the
# reference build of the same config as the control.
#   - the reference kernel is the fixed 7.2 (scripts/kernel/fixed --kver 7.2:
#     Debian's linux-source-7.2 + the fix series; built once per machine,
#     shared with tests/guest_finding.sh), and the no-wrprotect mutant
#     (scripts/kernel/mutants/7.2/no-wrprotect.patch) is a variant of it
#     (kernel/fixed --with: only fs/dax.c recompiles, about a minute)
#   - boots the mutant: daxstress rewrite-after-flush must fail (the flush
#     oracle sees rewritten pages that no fsync flushed) and `daxbench fault
#     --page pmd` must show 0 rewrite faults and a 0-byte fsync after them
#   - boots the reference kernel with the same runs: both must pass, the
#     kernel log must stay clean
# Guest time about 2 x 45 s under TCG (DAXBENCH_MUTANT_DURATION, default 20 s
# of stress per run).  A kernel that does not build fails its points with
# the build's last lines and the boots are not tried; without
# stress/daxstress the daxstress points are skipped and the benchmark points
# still run.
# timeout: 2400
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
out=$root/build/test-mutant
dur=${DAXBENCH_MUTANT_DURATION:-20}
kver=7.2
mpatch=scripts/kernel/mutants/$kver/no-wrprotect.patch
planned=12
echo "1..$planned"
# shellcheck source=lib/tap.sh
. tests/lib/tap.sh

fresh_dir "$out"

# ---- 1, 2, 3: the two kernels ----
command -v ccache >/dev/null && command -v flex >/dev/null && command -v bison >/dev/null
check "kernel build prerequisites are installed (make check installs scripts/deps kernel)" $?
t0=$(date +%s)
ref=$(scripts/kernel/fixed -q --kver $kver 2>"$out/build-ref.err"); st=$?
check "reference kernel (kernel/fixed --kver $kver) builds ($(( $(date +%s) - t0 )) s)" $st "$(tail -n 5 "$out/build-ref.err")"
t0=$(date +%s)
mutant=$(scripts/kernel/fixed -q --kver $kver --with "$mpatch" 2>"$out/build-mutant.err"); st2=$?
check "no-wrprotect mutant builds on it ($(( $(date +%s) - t0 )) s)" $st2 "$(tail -n 5 "$out/build-mutant.err")"
if [ $st -ne 0 ] || [ $st2 -ne 0 ]; then
	while [ $n -lt $planned ]; do not_ok "known-bad kernel point $((n + 1)): not run, a kernel did not build"; done
	exit 1
fi

# ---- the guest runs ----
have_stress=0
[ -x stress/daxstress ] && have_stress=1
cat >"$out/guest.sh" <<EOF
out=\${DAXBENCH_OUT:-/results}
mkdir -p /mnt/pmem/m
cd /mnt/pmem/m
if [ $have_stress = 1 ]; then
	daxstress --dir /mnt/pmem/m --scenario rewrite-after-flush --duration ${dur}s --seed 1 \\
		--output "\$out/stress.json" >"\$out/stress.tap" 2>"\$out/stress.err"
	echo \$? >"\$out/stress.status"
fi
daxbench fault --dir /mnt/pmem/m --size 64M --page pmd --quiet --output "\$out/fault.json" \\
	>"\$out/fault.out" 2>&1
echo \$? >"\$out/fault.status"
EOF
# One boot, one job of the boot library (scripts/boot-job, one attempt);
# returns guest/run's status.
boot() { # NAME KERNEL
	scripts/boot-job --quiet --attempts 1 --out "$out/$1" -- --kernel "$2" --modules none \
		--timeout $((dur + 200)) "$out/guest.sh" >/dev/null
	cp "$out/$1/harness.log" "$out/$1.log" 2>/dev/null || { echo "scripts/boot-job left no harness.log" >"$out/$1.log"; return 125; }
	return "$(jq -r .harness_status "$out/$1/result.json")"
}
jqv() { jq -r "$2" "$1" 2>/dev/null || echo "?"; }
is() { [ "$1" = "$2" ]; echo $?; }	# 0 when equal (strings: "?" never matches)

boot mutant "$mutant"; st=$?
check "the mutant boots and runs the catcher (harness status $st)" $(( st <= 1 ? 0 : 1 )) \
	"$(tail -n 3 "$out/mutant.log")"
d=$out/mutant
if [ $have_stress = 1 ]; then
	s=$(cat "$d/stress.status" 2>/dev/null || echo missing)
	v=$(jqv "$d/stress.json" '.scenarios[0].violations')
	check "daxstress rewrite-after-flush catches it (exit $s, $v flush-oracle violations)" \
		$( [ "$s" = 1 ] && [[ $v =~ ^[1-9][0-9]*$ ]]; echo $?) "$(grep -m3 '^# rewrite' "$d/stress.tap" 2>/dev/null)"
else
	skip "daxstress rewrite-after-flush catches it" "stress/daxstress is not built"
fi
f=$d/fault.json
rf=$(jqv "$f" '.summary[2].faults.pmd_nopage') rb=$(jqv "$f" '.summary[3].bytes_flushed')
check "daxbench fault shows it: rewrite takes 0 PMD faults (reference 32), got $rf" $(is "$rf" 0)
check "daxbench fault shows it: fsync after the rewrite flushes 0 bytes (reference 64 MiB), got $rb" \
	$(is "$rb" 0)

boot reference "$ref"; st=$?
check "the reference kernel boots and runs the same (harness status $st: 0 = clean kernel log)" $st \
	"$(tail -n 3 "$out/reference.log")"
d=$out/reference
if [ $have_stress = 1 ]; then
	s=$(cat "$d/stress.status" 2>/dev/null || echo missing)
	check "reference: daxstress rewrite-after-flush passes (exit $s)" $(is "$s" 0) \
		"$(grep -m3 '^# rewrite' "$d/stress.tap" 2>/dev/null)"
else
	skip "reference: daxstress rewrite-after-flush passes" "stress/daxstress is not built"
fi
f=$d/fault.json
rf=$(jqv "$f" '.summary[2].faults.pmd_nopage') rb=$(jqv "$f" '.summary[3].bytes_flushed')
ib=$(jqv "$f" '.idle_fsync_bytes_flushed')
check "reference: rewrite takes 32 PMD faults, got $rf" $(is "$rf" 32)
check "reference: fsync after the rewrite flushes 64 MiB, got $rb" $(is "$rb" 67108864)
check "reference: idle fsync flushes 0 bytes, got $ib" $(is "$ib" 0)
[ $n -eq $planned ] || echo "# planned $planned, ran $n"
