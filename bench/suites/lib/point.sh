# Sourced by the suites of bench/suites/ (in the guest, or on a host's DAX
# mount): the settings every suite takes from the environment and point().
#   DAXBENCH_OUT     where results go (default /results, the guest's)
#   DAXBENCH_DIR     the directory under test (default /mnt/pmem)
#   DAXBENCH_REPEAT  repeats of each point (default 5; scripts/ab sets 1)
# point NAME COMMAND ARGS...: `daxbench COMMAND ARGS --repeat R` writing
# NAME.json (the full result) and NAME.txt (its table) into DAXBENCH_OUT.
set -e
out=${DAXBENCH_OUT:-/results}
dir=${DAXBENCH_DIR:-/mnt/pmem}
repeat=${DAXBENCH_REPEAT:-5}
point() {
	name=$1
	shift
	echo "== daxbench $*" >&2
	daxbench "$@" --repeat "$repeat" --output "$out/$name.json" | tee "$out/$name.txt"
}
# The fault sequence in every mapping mode (quick and full).
fault_points() {
	point fault-pmd fault --dir "$dir" --size 64M --page pmd
	point fault-pte fault --dir "$dir" --size 64M --page pte
	point fault-misaligned fault --dir "$dir" --size 64M --page misaligned
	point fault-pmd-mapsync fault --dir "$dir" --size 64M --page pmd --map-sync
	point fault-pmd-2threads fault --dir "$dir" --size 64M --page pmd --threads 2
}
