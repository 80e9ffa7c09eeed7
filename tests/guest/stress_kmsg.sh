# shellcheck shell=sh
# Runs inside the guest: the kernel-log negative control.  daxstress logs a
# fake "WARNING:" line to /dev/kmsg while a scenario runs (--inject
# kmsg-warning); the scenario must fail and name the line.  The harness
# sees the line too and reports status 1: tests/guest_stress.sh expects it.
out=${DAXBENCH_OUT:-/results}
daxstress --dir "${DAXBENCH_MNT:-/mnt/pmem}" --scenario rewrite-after-flush --iterations 1 \
	--inject kmsg-warning --seed 4 --output "$out/kmsg.json" >"$out/kmsg.tap" 2>"$out/kmsg.err"
echo $? >"$out/kmsg.rc"
exit 0
