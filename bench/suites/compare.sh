# The compare suite: the matrix used to compare two kernels, executed inside
# the guest from the DAX mount (make run SUITE=compare, or the A/B runner).
#   page size (pte, pmd, mixed) x sync method (fsync, msync, msync-range,
#   sfr) x writers (1, 2)
# 1024 random 4 KiB stores per writer in a 64 MiB file, one syncer calling
# every 256 stores in lockstep (the writers wait for its call), so that the
# counts (calls, entries, amplification) are the same on two correct kernels
# (exactly with one writer; with two they move a little with how the writers
# interleave) and the timings are what differs; plus the fault baseline in
# PTE and PMD mode.
# (Concurrent syncers and stores racing a sync are in the full suite.)  Each point writes NAME.json (full result)
# and NAME.txt (table); every point is repeated DAXBENCH_REPEAT times
# (default 5) for medians and spreads.  Under TCG (2 vCPUs) it takes about
# 4 minutes on a busy 2-core host (250 s measured at load 7), less idle.
# settings (DAXBENCH_OUT, DAXBENCH_DIR, DAXBENCH_REPEAT) and point()
. "$(dirname "$0")/lib/point.sh"
point fault-pmd fault --dir "$dir" --size 64M --page pmd
point fault-pte fault --dir "$dir" --size 64M --page pte
for page in pte pmd mixed; do
	for sync in fsync msync msync-range sfr; do
		for w in 1 2; do
			point "sync-$page-$sync-w$w" sync --dir "$dir" --size 64M --page "$page" \
				--writers "$w" --syncers 1 --sync "$sync" --pattern rand \
				--store-size 4K --stores 1024 --every 256 --lockstep
		done
	done
done
daxbench env --dir "$dir" >"$out/env.json"
verdicts
