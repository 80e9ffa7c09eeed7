# The hw suite (make hw, make run SUITE=hw): what a persistent-memory device
# costs through the two paths programs use, on one target:
#   flush-size     daxbench flush, 1 thread: every libpmem method (persist,
#                  flush_drain, memcpy_persist) and the memcpy ceiling, by
#                  size from 64 B to 2 MiB: GB/s and per-call latency
#   flush-threads  the same at 4 KiB and 2 MiB by thread count (1, 2, 4, ..
#                  all cpus)
#   fault-pmd      daxbench fault on the target's DAX file system: the
#   fault-pte      store+fault cost (first store to a page includes its
#   fault-mapsync  write fault) and the fsync cost, PMD, PTE and MAP_SYNC
#                  (skipped on a device-dax, which has no file system and
#                  no fsync: hw-skipped.txt says so)
#   env.json       daxbench env of the target (--dir, or --dev for a
#                  device-dax): kernel, cpu, pmem kind, libndctl namespace
#                  and region (persistence domain), libcxl region
# The target: DAXBENCH_TARGET (a DAX directory or /dev/daxN.M), else
# /dev/dax0.0 in a guest booted with --pmem devdax, else DAXBENCH_DIR.
# DAXBENCH_REPEAT (default 3 here) repeats each point; DAXBENCH_HW_DURATION
# (default 0.2s) is each flush point's time per repeat, DAXBENCH_HW_REGION
# (default 64M) the buffer each flush thread cycles through.
# Under TCG (2 vCPUs) about 1.5 minutes on e820 or NVDIMM pmem; CXL pmem is
# emulated as MMIO (every access a callback into QEMU) and takes longer.
# settings (DAXBENCH_OUT, DAXBENCH_DIR, DAXBENCH_REPEAT) and point()
. "$(dirname "$0")/lib/point.sh"
repeat=${DAXBENCH_REPEAT:-3}
dur=${DAXBENCH_HW_DURATION:-0.2s}
region=${DAXBENCH_HW_REGION:-64M}
target=${DAXBENCH_TARGET:-}
if [ -z "$target" ]; then
	if [ "${DAXBENCH_PMEM_KIND:-}" = devdax ]; then target=/dev/dax0.0; else target=$dir; fi
fi
if [ -c "$target" ]; then
	daxbench env --dev "$target" >"$out/env.json"
else
	daxbench env --dir "$target" >"$out/env.json"
fi
point flush-size flush --target "$target" --threads 1 --sizes 64,256,1K,4K,16K,64K,256K,2M \
	--duration "$dur" --region "$region"
point flush-threads flush --target "$target" --sizes 4K,2M --duration "$dur" --region "$region"
if [ -d "$target" ]; then
	point fault-pmd fault --dir "$target" --size 64M --page pmd
	point fault-pte fault --dir "$target" --size 64M --page pte
	point fault-mapsync fault --dir "$target" --size 64M --page pmd --map-sync
else
	echo "fault-pmd fault-pte fault-mapsync: skipped: $target is a device-dax (no file system: no write faults through a file, no fsync)" |
		tee "$out/hw-skipped.txt" >&2
fi
