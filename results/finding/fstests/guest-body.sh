# Guest side of run.sh --mode body (busybox sh, in scripts/guest/run's guest).
# Runs the body of fstests' generic/788 as check would, with fstests' own
# common/preamble, exit, test_names and tracing and daxbench's stand-in for
# the few helpers of common/rc it calls (shim/common/rc): TEST_DEV is the
# harness's /dev/pmem0 (formatted and mounted -o dax on /mnt/pmem), SCRATCH_DEV
# the second region /dev/pmem1 (run.sh adds memmap=512M!2G).  Writes
# $DAXBENCH_OUT/generic/788.{out.bad,full,hints,notrun} like check, and
# 788.verdict: pass, fail or notrun.
set -u
out=$DAXBENCH_OUT
i=0
while [ ! -b /dev/pmem1 ]; do
	i=$((i + 1))
	[ $i -le 100 ] || { echo "no /dev/pmem1"; exit 125; }
	usleep 50000
done
export FSTYP="$DAXBENCH_FS" TEST_DEV=/dev/pmem0 TEST_DIR=/mnt/pmem
export SCRATCH_DEV=/dev/pmem1 SCRATCH_MNT=/mnt/scratch
export RESULT_DIR="$out"/generic
mkdir -p "$SCRATCH_MNT" "$RESULT_DIR"
cd /opt/fstests || exit 125
uname -r >"$out"/kernel-release
bash ./tests/generic/788 >"$RESULT_DIR"/788.out.bad 2>&1
rc=$?
if [ -f "$RESULT_DIR"/788.notrun ]; then
	verdict=notrun
elif [ $rc -eq 0 ] && diff -u tests/generic/788.out "$RESULT_DIR"/788.out.bad >"$RESULT_DIR"/788.out.diff; then
	verdict=pass
	rm -f "$RESULT_DIR"/788.out.diff
else
	verdict=fail
	diff -u tests/generic/788.out "$RESULT_DIR"/788.out.bad >"$RESULT_DIR"/788.out.diff
fi
echo "$verdict" >"$out"/788.verdict
echo "generic/788: $verdict (exit $rc)"
cat "$RESULT_DIR"/788.out.bad
exit 0
