# The suite of the example A/B report (results/examples/ab-pte-vs-pmd/):
# the same points on both sides, mapped through 4 KiB PTEs on one side and
# 2 MiB PMDs on the other (DAXBENCH_PAGE, set per side by scripts/ab
# --env-a/--env-b).  Small enough for 10 boots in a few minutes under TCG.
set -e
out=${DAXBENCH_OUT:-/results}
dir=${DAXBENCH_DIR:-/mnt/pmem}
repeat=${DAXBENCH_REPEAT:-1}
page=${DAXBENCH_PAGE:-pmd}
point() {
	name=$1
	shift
	echo "== daxbench $*" >&2
	daxbench "$@" --repeat "$repeat" --output "$out/$name.json" | tee "$out/$name.txt"
}
point fault fault --dir "$dir" --size 32M --page "$page"
point fault-2threads fault --dir "$dir" --size 32M --page "$page" --threads 2
for sync in fsync msync; do
	for w in 1 2; do
		point "sync-$sync-w$w" sync --dir "$dir" --size 32M --page "$page" \
			--writers "$w" --syncers "$w" --sync "$sync" --pattern rand \
			--store-size 4K --stores 512 --every 128 --lockstep
	done
done
daxbench env --dir "$dir" >"$out/env.json"
