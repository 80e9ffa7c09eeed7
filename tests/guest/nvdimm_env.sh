# Runs inside the guest booted with --pmem nvdimm: the environment capture
# must carry the libndctl view of the fsdax namespace.
set -e
out=${DAXBENCH_OUT:-/results}
daxbench env --dir /mnt/pmem >"$out/env-nvdimm.json"
daxbench fault --dir /mnt/pmem --size 16M --page pmd --output "$out/fault-nvdimm.json" \
	>"$out/fault-nvdimm.txt"
