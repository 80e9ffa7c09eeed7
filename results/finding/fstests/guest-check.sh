# Guest side of run.sh --mode check (busybox sh, in scripts/guest/run's guest).
# Runs fstests' own runner, `./check generic/788`, from the fstests tree built
# on the host (/opt/fstests), with the host's bash, perl, gawk, coreutils,
# util-linux, xfsprogs and e2fsprogs in /usr/local/bin ahead of busybox.
# TEST_DEV is the harness's /dev/pmem0 (formatted and mounted -o dax on
# /mnt/pmem), SCRATCH_DEV the second region /dev/pmem1 (run.sh adds
# memmap=512M!2G).  Writes $DAXBENCH_OUT/check.log, check's results
# directory as $DAXBENCH_OUT/results, and 788.verdict: pass, fail or notrun.
set -u
out=$DAXBENCH_OUT
i=0
while [ ! -b /dev/pmem1 ]; do
	i=$((i + 1))
	[ $i -le 100 ] || { echo "no /dev/pmem1"; exit 125; }
	usleep 50000
done
# check and the tests start with #!/bin/bash; gawk is fstests' awk
ln -sf /usr/local/bin/bash /bin/bash
ln -sf gawk /usr/local/bin/awk
[ -e /etc/mtab ] || ln -s /proc/self/mounts /etc/mtab
mkdir -p /mnt/scratch
cd /opt/fstests || exit 125
cat >local.config <<CONF
export FSTYP=$DAXBENCH_FS
export TEST_DEV=/dev/pmem0
export TEST_DIR=/mnt/pmem
export SCRATCH_DEV=/dev/pmem1
export SCRATCH_MNT=/mnt/scratch
export RESULT_BASE=$out/results
CONF
uname -r >"$out"/kernel-release
./check generic/788 >"$out"/check.log 2>&1
rc=$?
if grep -q '^Not run: *generic/788' "$out"/check.log; then
	verdict=notrun
elif grep -q '^Failures: *generic/788' "$out"/check.log; then
	verdict=fail
elif [ $rc -eq 0 ] && grep -q '^Passed all 1 tests' "$out"/check.log; then
	verdict=pass
else
	verdict=error
fi
echo "$verdict" >"$out"/788.verdict
echo "check generic/788: $verdict (exit $rc)"
cat "$out"/check.log
exit 0
