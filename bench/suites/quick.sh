# The quick suite (what `make run` runs), executed inside the guest from the
# DAX mount.  Each point writes NAME.json (full result) and NAME.txt (table).
# Under TCG it takes well under two minutes.
set -e
out=${DAXBENCH_OUT:-/results}
dir=${DAXBENCH_DIR:-/mnt/pmem}
repeat=${DAXBENCH_REPEAT:-3}
point() {
	name=$1
	shift
	echo "== daxbench $*" >&2
	daxbench "$@" --repeat "$repeat" --output "$out/$name.json" | tee "$out/$name.txt"
}
point fault-pmd fault --dir "$dir" --size 64M --page pmd
point fault-pte fault --dir "$dir" --size 64M --page pte
point fault-misaligned fault --dir "$dir" --size 64M --page misaligned
point fault-pmd-mapsync fault --dir "$dir" --size 64M --page pmd --map-sync
point fault-pmd-2threads fault --dir "$dir" --size 64M --page pmd --threads 2
daxbench env --dir "$dir" >"$out/env.json"
