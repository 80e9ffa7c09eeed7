# shellcheck shell=sh
# Runs inside the guest (sh, cwd /mnt/pmem on a DAX mount); the host
# (tests/guest_stress.sh) asserts on what it leaves in $DAXBENCH_OUT:
#   all.{json,tap,rc}   every scenario, short runs (defaults), seed 1
#   pc.{json,tap,rc}    page-cache on the same device remounted dax=never
#   ps.*, async.*       negative controls (--inject partial-sync / async)
#   unflushed.*         negative control of the unflushed rule (--inject
#                       unflushed: the dax_flush records of every second
#                       writeback dropped; needs kprobe events)
#   bad-N.{rc,err}      bad options
#   nodax.{json,tap,rc} DAX scenarios on a non-DAX directory (/tmp)
# Statuses are recorded, not acted on: the script itself exits 0.
out=${DAXBENCH_OUT:-/results}
mnt=${DAXBENCH_MNT:-/mnt/pmem}
dev=${DAXBENCH_PMEM_DEV:-/dev/pmem0}
cd /
t0=$(cut -d' ' -f1 /proc/uptime)
run() {	# NAME ARGS...: daxstress ARGS, TAP to NAME.tap, status to NAME.rc
	name=$1
	shift
	daxstress "$@" >"$out/$name.tap" 2>"$out/$name.err"
	echo $? >"$out/$name.rc"
}
run all --dir "$mnt" --seed 1 --output "$out/all.json"

# The page cache: the same pmem device, mounted without DAX.
if umount "$mnt" && mount -t "$DAXBENCH_FS" -o dax=never "$dev" "$mnt"; then
	run pc --dir "$mnt" --scenario page-cache --seed 1 --output "$out/pc.json"
	umount "$mnt"
else
	echo "remount without dax failed" >"$out/pc.err"
	echo 125 >"$out/pc.rc"
fi
mount -t "$DAXBENCH_FS" -o dax "$dev" "$mnt"

# Negative controls: the oracle must fire and name exactly these pages
# (8M: 2048 pages; partial-sync flushes the first half only).
run ps --dir "$mnt" --scenario concurrent-fsync --inject partial-sync --size 8M \
	--syncers 1 --iterations 2 --round 500ms --seed 2 --max-report 2 --output "$out/ps.json"
run async --dir "$mnt" --scenario concurrent-fsync --inject async --size 8M \
	--iterations 2 --round 500ms --seed 3 --max-report 2 --output "$out/async.json"
# The unflushed rule: every robbed writeback (and nothing else) reported
# (violations_by_class {late 0, missed 0, unflushed N}, N ==
# unflushed_rule.injected > 0) on a scenario that passes on stock.
run unflushed --dir "$mnt" --scenario rewrite-after-flush --inject unflushed \
	--iterations 2 --seed 4 --max-report 2 --output "$out/unflushed.json"

# Bad options: status 2, one line, no results file.
n=0
for args in "--scenario nope" "--size 3M" "--writers 0" "--duration soon" "--inject bogus" \
	"--inject partial-sync --scenario page-cache" "--round 1ms"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	daxstress --dir "$mnt" $args --output "$out/bad-$n.json" >/dev/null 2>"$out/bad-$n.err"
	echo $? >"$out/bad-$n.rc"
	echo "$args" >"$out/bad-$n.args"
done

# DAX scenarios on a directory that is not DAX: every one skipped, status 4.
mkdir -p /tmp/nodax
run nodax --dir /tmp/nodax --scenario concurrent-fsync,rewrite-after-flush --output "$out/nodax.json"
t1=$(cut -d' ' -f1 /proc/uptime)
echo "$t0 $t1" | awk '{ printf "%.1f\n", $2 - $1 }' >"$out/seconds"
exit 0
