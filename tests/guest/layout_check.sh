# shellcheck shell=sh
# Runs inside the guest (sh, on a DAX mount) with stress/daxstress and the
# reproducer dax-layout-loss (results/finding/repro/dax-layout-loss.c)
# installed; tests/guest_layout.sh and scripts/layout-table read what it
# leaves in $DAXBENCH_OUT:
#   layout.{json,tap,rc}   daxstress --scenario layout (every operation, PTE
#                          and PMD, one iteration), seed 17
#   repro.{txt,rc}         the reproducer's default run: stores to pages 0
#                          and 7 of a 1 MiB file, punch page 200, fsync
#   repro-all.{txt,rc}     every operation of the reproducer (-a), PTE
#   repro-pmd.{txt,rc}     the same in a 2 MiB-aligned mapping (-a --pmd)
#   repro-near.{txt,rc}    the same with the operation inside the stores'
#                          2 MiB entry (-a --near; tests/guest_layout.sh
#                          asserts it on fixed 7.2 only)
#   instances.txt          what is left in tracefs instances/ afterwards
#   seconds                guest seconds of the daxstress run
# Statuses are recorded, not acted on: the script itself exits 0.
# By hand: scripts/guest/run --kver KVER --fs ext4|xfs|xfs-reflink \
#   --bin stress/daxstress --bin DAX-LAYOUT-LOSS --out DIR tests/guest/layout_check.sh
out=${DAXBENCH_OUT:-/results}
mnt=${DAXBENCH_MNT:-/mnt/pmem}
cd /
t0=$(cut -d' ' -f1 /proc/uptime)
daxstress --dir "$mnt" --scenario layout --seed 17 --output "$out/layout.json" \
	>"$out/layout.tap" 2>"$out/layout.err"
echo $? >"$out/layout.rc"
t1=$(cut -d' ' -f1 /proc/uptime)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }' >"$out/seconds"
dax-layout-loss "$mnt" >"$out/repro.txt" 2>&1
echo $? >"$out/repro.rc"
dax-layout-loss -a "$mnt" >"$out/repro-all.txt" 2>&1
echo $? >"$out/repro-all.rc"
dax-layout-loss -a --pmd "$mnt" >"$out/repro-pmd.txt" 2>&1
echo $? >"$out/repro-pmd.rc"
dax-layout-loss -a --near "$mnt" >"$out/repro-near.txt" 2>&1
echo $? >"$out/repro-near.rc"
ls -A /sys/kernel/tracing/instances >"$out/instances.txt" 2>&1
exit 0
