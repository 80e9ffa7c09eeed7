# Runs inside the guest (sh, cwd /mnt/pmem on a DAX mount): the fault
# workload in each mapping mode; the host (tests/guest_suite.sh) checks the
# exact event counts in the JSON brought back.
set -e
out=${DAXBENCH_OUT:-/results}
for page in pmd pte misaligned; do
	daxbench fault --dir /mnt/pmem --size 64M --page $page \
		--output "$out/fault-$page.json" --events "$out/events-$page.csv" \
		>"$out/fault-$page.txt"
done
daxbench fault --dir /mnt/pmem --size 64M --page pmd --map-sync \
	--output "$out/fault-pmd-mapsync.json" >"$out/fault-pmd-mapsync.txt"
# The verdict's negative controls on the kernel's own records: each --inject
# fails its invariant alone (PMD entries: one rewritten page dirties each),
# and the run exits 1.
for inj in short-sync idle-flush outside lost-page; do
	st=0
	daxbench fault --dir /mnt/pmem --size 16M --page pmd --inject $inj \
		--output "$out/inject-$inj.json" >"$out/inject-$inj.txt" || st=$?
	echo $st >"$out/inject-$inj.status"
done
daxbench env --dir /mnt/pmem >"$out/env.json"
# The environment unit test against real (emulated) pmem: its pmem points
# only run where DAXBENCH_PMEM_DIR names a DAX mount.
if command -v test_env >/dev/null; then
	DAXBENCH_PMEM_DIR=/mnt/pmem test_env >"$out/test_env.tap" 2>&1 || true
fi
