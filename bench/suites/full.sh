# The full suite, executed inside the guest from the DAX mount (make run
# SUITE=full).  Each point writes NAME.json (full result) and NAME.txt
# (table); every point is repeated DAXBENCH_REPEAT times (default 5) for
# medians and spreads.
#   fault-*          the fault sequence in every mapping mode (as quick)
#   sync-race-*      2 writers and 2 syncers racing: stores during syncs,
#                    concurrent syncs, every kernel method, PTE/PMD/mixed
#   sync-mapsync     the user-space reference (MAP_SYNC + pmem_persist)
#   sync-seq/zipf    access patterns; sync-store8/2m: store sizes
#   sync-period      syncs by time with a rate-limited writer, methods mixed
#   sync-amp-pte/pmd flush amplification of 4 KiB random stores, lockstep
#   sync-w4          4 writers, 2 syncers
# Under TCG (2 vCPUs) on an otherwise idle host it takes about 4 minutes.
# settings (DAXBENCH_OUT, DAXBENCH_DIR, DAXBENCH_REPEAT) and point()
. "$(dirname "$0")/lib/point.sh"
fault_points

race="--writers 2 --syncers 2 --pattern rand --store-size 4K --stores 400 --every 100"
for page in pmd mixed; do
	for sync in fsync fdatasync msync msync-range sfr; do
		# shellcheck disable=SC2086
		point "sync-race-$page-$sync" sync --dir "$dir" --size 16M --page "$page" --sync "$sync" $race
	done
done
for sync in fsync msync-range; do
	# shellcheck disable=SC2086
	point "sync-race-pte-$sync" sync --dir "$dir" --size 16M --page pte --sync "$sync" $race
done
point sync-mapsync sync --dir "$dir" --size 64M --page pmd --sync mapsync --writers 2 \
	--stores 1000 --every 250
point sync-seq sync --dir "$dir" --size 64M --page pmd --sync fsync --writers 2 --pattern seq \
	--stores 1000 --every 250
point sync-zipf sync --dir "$dir" --size 64M --page pmd --sync fsync --writers 2 --pattern zipf \
	--stores 1000 --every 250
point sync-store8 sync --dir "$dir" --size 64M --page pmd --sync fsync --store-size 8 \
	--stores 4000 --every 1000
point sync-store2m sync --dir "$dir" --size 64M --page pmd --sync fsync --store-size 2M \
	--stores 64 --every 16
point sync-period sync --dir "$dir" --size 16M --page pte --writers 2 --syncers 2 \
	--sync sfr,fdatasync --rate 2000 --period 20ms --duration 0.3s
point sync-amp-pte sync --dir "$dir" --size 64M --page pte --sync fsync --stores 2048 \
	--every 1024 --lockstep
point sync-amp-pmd sync --dir "$dir" --size 64M --page pmd --sync fsync --stores 2048 \
	--every 1024 --lockstep
point sync-w4 sync --dir "$dir" --size 32M --page pmd --sync fsync --writers 4 --syncers 2 \
	--stores 400 --every 200
daxbench env --dir "$dir" >"$out/env.json"
verdicts
