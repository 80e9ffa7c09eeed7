# Runs inside the guest booted with --pmem cxl (tests/guest_hw.sh): the
# environment of the DAX mount on the CXL pmem region, daxbench flush there
# (small) and the fault sequence on a 16 MiB file (exact counts: 8 PMDs).
set -e
out=${DAXBENCH_OUT:-/results}
cxl list -M -D -R >"$out/cxl-list.json" 2>&1 || true
ndctl list -R -N -b CXL >"$out/ndctl-list.json" 2>&1 || true
daxbench env --dir /mnt/pmem >"$out/env.json"
daxbench flush --target /mnt/pmem --threads 1,2 --sizes 4K,2M --duration 20ms --repeat 1 \
	--region 16M --output "$out/flush.json" >"$out/flush.txt"
daxbench fault --dir /mnt/pmem --size 16M --page pmd --output "$out/fault.json" >"$out/fault.txt"
