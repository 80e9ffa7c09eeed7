# Sourced by the suites of bench/suites/ (in the guest, or on a host's DAX
# mount): the settings every suite takes from the environment and point().
#   DAXBENCH_OUT     where results go (default /results, the guest's)
#   DAXBENCH_DIR     the directory under test (default /mnt/pmem)
#   DAXBENCH_REPEAT  repeats of each point (default 5; scripts/ab sets 1)
# point NAME COMMAND ARGS...: `daxbench COMMAND ARGS --repeat R` writing
# NAME.json (the full result) and NAME.txt (its table) into DAXBENCH_OUT.
# A point that exits non-zero does not stop the suite: one whose JSON says
# "verdict": "fail" (an invariant of daxbench fault or sync failed, its
# FAILED lines in the table) is listed by verdicts, any other as an error.
# verdicts: the suite's last line(s): every verdict passed, or the failed
# points with their FAILED lines; the status stays 0 (scripts/run-suite
# reads the verdicts from the JSON and exits 1).
set -e
out=${DAXBENCH_OUT:-/results}
dir=${DAXBENCH_DIR:-/mnt/pmem}
repeat=${DAXBENCH_REPEAT:-5}
failed_points=
errored_points=
point() {
	name=$1
	shift
	echo "== daxbench $*" >&2
	st=0
	daxbench "$@" --repeat "$repeat" --output "$out/$name.json" >"$out/$name.txt" || st=$?
	cat "$out/$name.txt"
	[ "$st" -eq 0 ] && return 0
	if grep -q '"verdict":"fail"' "$out/$name.json" 2>/dev/null; then
		failed_points="$failed_points $name"
	else
		errored_points="$errored_points $name(exit-$st)"
	fi
}
verdicts() {
	if [ -z "$failed_points$errored_points" ]; then
		echo "suite: every verdict passed"
		return 0
	fi
	for n in $failed_points; do
		grep '^FAILED' "$out/$n.txt" | sed "s/^/FAILED verdict of $n: /; s/: FAILED /: /"
	done
	[ -z "$errored_points" ] || echo "suite: points that failed without a verdict:$errored_points"
	return 0
}
# The fault sequence in every mapping mode (quick and full).
fault_points() {
	point fault-pmd fault --dir "$dir" --size 64M --page pmd
	point fault-pte fault --dir "$dir" --size 64M --page pte
	point fault-misaligned fault --dir "$dir" --size 64M --page misaligned
	point fault-pmd-mapsync fault --dir "$dir" --size 64M --page pmd --map-sync
	point fault-pmd-2threads fault --dir "$dir" --size 64M --page pmd --threads 2
}
