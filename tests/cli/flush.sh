#!/usr/bin/env bash
# daxbench flush on anonymous DRAM: every method x size x threads point is in
# the JSON with a positive GB/s, the no-flush memcpy ceiling is there, the
# table is printed; a non-DAX directory runs labelled dax: false and leaves
# no file; PMEM_NO_CLWB=1 is reported; bad input exits 2 with one stderr
# line naming the option and leaves no --output file.
# About 5 s of measuring on 2 cores (40 points x 2 repeats x 50 ms).
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=bench/daxbench
work=$(mktemp -d /tmp/daxbench-flush.XXXXXX)
trap 'rm -rf "$work"' EXIT

methods='["persist","flush_drain","memcpy_persist","memcpy"]'
sizes='[64,256,4096,65536,2097152]'
threads='[1,2]'
npoints=$((4 * 5 * 2))

bad=(
	"--sizes|--sizes 0"
	"--sizes|--sizes 3M"
	"--sizes|--sizes 4K,,2M"
	"--threads|--threads 0"
	"--threads|--threads 2-1"
	"--methods|--methods foo"
	"--methods|--methods persist,"
	"--cpus|--cpus 9-1"
	"--cpus|--cpus 4000"
	"--cpus|--cpus x"
	"--duration|--duration 10x"
	"--repeat|--repeat 0"
	"--region|--region 1M"
	"--target|--target /nonexistent"
	"--target|--target /dev/null"
	"--output|--output /nonexistent/x.json"
)
echo "1..$(( 14 + ${#bad[@]} ))"
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
# shellcheck source=../lib/bad_input.sh
. tests/lib/bad_input.sh

if ! command -v jq >/dev/null; then
	for _ in $(seq $(( 14 + ${#bad[@]} ))); do n=$((n + 1)); echo "ok $n - # SKIP jq is not installed"; done
	exit 0
fi

out=$work/anon.json
start=$(date +%s)
$bin flush --target anon --threads 1,2 --duration 50ms --repeat 2 --region 16M \
	--output "$out" >"$work/table" 2>"$work/err"
st=$?
secs=$(( $(date +%s) - start ))
check_cmd "flush --target anon: exit 0 in ${secs}s, nothing on stderr ($(head -c 200 "$work/err"))" \
	test $st -eq 0 -a ! -s "$work/err"
check_cmd "JSON has $npoints points (4 methods x 5 sizes x 2 thread counts)" \
	jq -e --argjson n $npoints '.points | length == $n' "$out"
check_cmd "every method x size x threads combination is there exactly once" \
	jq -e --argjson m "$methods" --argjson s "$sizes" --argjson t "$threads" \
	'[.points[] | [.method, .size, .threads]] | sort ==
	 ([$m[] as $a | $s[] as $b | $t[] as $c | [$a, $b, $c]] | sort)' "$out"
check_cmd "every point has a positive gbps median, min <= median <= max" \
	jq -e '[.points[] | select((.gbps_median > 0 and .gbps_min > 0 and
	        .gbps_min <= .gbps_median and .gbps_median <= .gbps_max) | not)] | length == 0' "$out"
check_cmd "every point has 2 repeats and a latency histogram with samples" \
	jq -e '[.points[] | select((.gbps_repeats | length) == 2 and .latency.count > 0 and
	        (.latency.bins | length) > 0)] | length == 40' "$out"
check_cmd "the memcpy no-flush ceiling is present for every size and thread count" \
	jq -e '[.points[] | select(.method == "memcpy" and .ceiling == true and .gbps_median > 0)] | length == 10' "$out"
check_cmd "threads are pinned: 1 thread on one cpu, 2 threads on 2 distinct cpus" \
	jq -e '[.points[] | select((.cpus | length) == .threads and (.cpus | unique | length) == .threads)] | length == 40' "$out"
check_cmd "target anon: env null, dax null; topology pus = $(nproc); flush instruction named" \
	jq -e --argjson pus "$(nproc)" '.env == null and .target.kind == "anon" and .target.dax == null and
	        .topology.pus == $pus and (.cpu_flush.instruction | IN("clwb", "clflushopt", "clflush"))' "$out"
check_cmd "params recorded (sizes, threads, methods, duration, repeat, region)" \
	jq -e '.params.sizes == [64,256,4096,65536,2097152] and .params.threads == [1,2] and
	        (.params.methods | length) == 4 and .params.duration_ns == 50000000 and
	        .params.repeat == 2 and .params.region == 16777216 and .command == "flush"' "$out"
rows=$(grep -cE '^ +[0-9]+ +[0-9.]+[BKM] ' "$work/table")
check_cmd "the table on stdout has $npoints rows (got $rows) and names the ceiling" \
	test "$rows" -eq $npoints -a "$(grep -c 'no flush, ceiling' "$work/table")" -eq 10

# A directory without DAX: runs, says so in one line, labels dax: false and
# leaves no file behind.
dir=$work/nodax
mkdir "$dir"
$bin flush --target "$dir" --threads 1 --sizes 4K --methods persist --duration 5ms \
	--repeat 1 --region 1M --output "$work/nodax.json" --quiet >/dev/null 2>"$work/err"
st=$?
check_cmd "non-DAX directory: exit 0, one stderr line saying not DAX, dax: false, no file left" \
	test $st -eq 0 -a "$(wc -l <"$work/err")" -eq 1 -a -z "$(ls -A "$dir")" -a \
	"$(grep -c 'not DAX' "$work/err")" -eq 1 -a \
	"$(jq -r '.target.dax, .target.kind, (.env | type)' "$work/nodax.json" | tr '\n' ' ')" = "false dir object "

# --region as small as the largest size: each point starts where the last
# one (of another size) left its cursor, which must wrap, not overrun.
$bin flush --threads 1 --sizes 64,2M --methods memcpy,persist --duration 5ms --repeat 2 \
	--region 2M --output "$work/small.json" --quiet >/dev/null 2>"$work/err"
st=$?
check_cmd "--region 2M with --sizes 64,2M: exit 0, 4 points, positive GB/s" \
	jq -e '(.points | length) == 4 and ([.points[] | select(.gbps_min > 0)] | length) == 4' \
	"$work/small.json"

# The flush instruction libpmem is told to avoid is reported as forced.
PMEM_NO_CLWB=1 $bin flush --threads 1 --sizes 4K --methods persist --duration 5ms \
	--repeat 1 --region 1M --output "$work/noclwb.json" --quiet >/dev/null 2>&1
if jq -e '.cpu_flush.cpu_flags.clwb' "$work/noclwb.json" >/dev/null 2>&1; then
	check_cmd "PMEM_NO_CLWB=1: instruction is not clwb, forced_by names PMEM_NO_CLWB" \
		jq -e '.cpu_flush.instruction != "clwb" and (.cpu_flush.forced_by | test("PMEM_NO_CLWB")) and
		        .cpu_flush.env.PMEM_NO_CLWB == "1"' "$work/noclwb.json"
else
	n=$((n + 1)); echo "ok $n - # SKIP this cpu has no clwb"
fi
# remote on one node / anything else: one line, exit 2
if [ "$(jq '.topology.numa_nodes' "$out")" -eq 1 ]; then
	$bin flush --cpus remote --output "$work/remote.json" >/dev/null 2>"$work/err"
	st=$?
	check_cmd "--cpus remote on a single-node machine: exit 2, one line saying there is no remote node" \
		test $st -eq 2 -a "$(wc -l <"$work/err")" -eq 1 -a ! -e "$work/remote.json" -a \
		"$(grep -c 'no remote NUMA node' "$work/err")" -eq 1
else
	n=$((n + 1)); echo "ok $n - # SKIP more than one NUMA node"
fi

i=0
for c in "${bad[@]}"; do
	opt=${c%%|*}
	args=${c#*|}
	i=$((i + 1))
	o=$work/bad-$i.json
	# shellcheck disable=SC2086
	# our defaults first: a later value in $args wins (--output included)
	$bin flush --output "$o" --duration 5ms --repeat 1 $args >/dev/null 2>"$work/err"
	st=$?
	if [ "$opt" = "--output" ]; then o=/nonexistent/x.json; fi
	check_refused "flush $args: exit 2, one line naming $opt" "$opt" $st "$work/err" \
		"$o" "$work"/bad-$i.json*
done
