# The quick suite (what `make run` runs), executed inside the guest from the
# DAX mount.  Each point writes NAME.json (full result) and NAME.txt (table).
# Under TCG it takes well under two minutes.
# settings (DAXBENCH_OUT, DAXBENCH_DIR, DAXBENCH_REPEAT) and point()
. "$(dirname "$0")/lib/point.sh"
fault_points
# daxbench sync: 2 writers and 2 syncers racing on PMD mappings; PTE against
# PMD flush amplification (4 KiB random stores, lockstep); mixed mappings
# with the pte-then-pmd sequence
point sync-pmd-race sync --dir "$dir" --size 64M --page pmd --writers 2 --syncers 2 \
	--sync fsync --stores 1000 --every 250
point sync-amp-pte sync --dir "$dir" --size 64M --page pte --sync fsync --stores 2048 \
	--every 1024 --lockstep
point sync-amp-pmd sync --dir "$dir" --size 64M --page pmd --sync fsync --stores 2048 \
	--every 1024 --lockstep
point sync-mixed sync --dir "$dir" --size 32M --page mixed --writers 2 --syncers 2 \
	--sync msync-range,fsync --stores 500 --every 125
daxbench env --dir "$dir" >"$out/env.json"
verdicts
