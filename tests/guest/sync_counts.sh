# Runs inside the guest (sh, cwd /mnt/pmem on a DAX mount): daxbench sync in
# the configurations tests/guest_sync.sh checks on the host with jq.
set -e
out=${DAXBENCH_OUT:-/results}
run() {
	name=$1
	shift
	st=0
	daxbench sync --dir /mnt/pmem "$@" --output "$out/$name.json" >"$out/$name.txt" 2>"$out/$name.err" || st=$?
	echo $st >"$out/$name.status"	# 1 when a verdict failed: the host says
}
# the acceptance run: 2 writers and 2 syncers calling fsync concurrently
run pmd-fsync --page pmd --writers 2 --syncers 2 --sync fsync --stores 2000 --every 256
# PTE against PMD, 4 KiB random stores, one fsync every 1024 stores (lockstep)
run pte-lockstep --page pte --writers 1 --syncers 1 --sync fsync --stores 2048 --every 1024 --lockstep
run pmd-lockstep --page pmd --writers 1 --syncers 1 --sync fsync --stores 2048 --every 1024 --lockstep
# mixed 4K/2M mappings with the pte-then-pmd sequence, synced by fsync and by msync-range
run mixed-fsync --page mixed --writers 2 --syncers 2 --sync fsync,msync-range --stores 1000 --every 250
run mixed-msync-range --page mixed --writers 2 --syncers 2 --sync msync-range,msync --stores 1000 --every 250
# the user-space reference: MAP_SYNC + pmem_persist, no kernel sync
run mapsync --page pmd --writers 2 --syncers 1 --sync mapsync --stores 1000 --every 250
# the other methods, by time, zipf, pinned near the pmem device
run pte-period --page pte --writers 2 --syncers 3 --sync sfr,fdatasync,msync --pattern zipf \
	--period 20ms --duration 0.5s --numa local
