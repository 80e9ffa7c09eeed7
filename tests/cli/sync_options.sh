#!/usr/bin/env bash
# daxbench sync on the host: bad input to every option exits 2 with exactly
# one line on stderr naming the option and leaves no --output file; then
# short real runs on the host page cache (labelled dax: false): the JSON's
# per-call flushed bytes add up to the attributed total, every method
# runs, --no-trace and --repeat work, and every call's times lie within its
# run even when the run's time origin is taken late.
# About 12 s.
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=bench/daxbench
work=$(mktemp -d /tmp/daxbench-sync.XXXXXX)
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
# shellcheck source=../lib/bad_input.sh
. tests/lib/bad_input.sh
ro=$work/readonly
trap 'readonly_dir_cleanup; rm -rf "$work"' EXIT
readonly_dir "$ro"
nnodes=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)

d="--dir $work"
bad=(
	"--dir|--size 64M"
	"--dir|--dir /nonexistent"
	"--dir|--dir $ro"
	"--size|$d --size 0"
	"--size|$d --size 12Q"
	"--size|$d --size 3M"
	"--size|$d --size 6K --page pte"
	"--size|$d --size 2M --page mixed"
	"--page|$d --page huge"
	"--writers|$d --writers 0"
	"--writers|$d --writers -1"
	"--writers|$d --writers 257"
	"--syncers|$d --syncers 0"
	"--syncers|$d --writers 2 --syncers 3"
	"--pattern|$d --pattern zigzag"
	"--zipf-theta|$d --pattern zipf --zipf-theta 0"
	"--zipf-theta|$d --zipf-theta 11"
	"--zipf-theta|$d --zipf-theta 0.5x"
	"--store-size|$d --store-size 4"
	"--store-size|$d --store-size 3000"
	"--store-size|$d --store-size 4M"
	"--working-set|$d --working-set 128M"
	"--working-set|$d --working-set 4K --writers 2"
	"--working-set|$d --working-set 0"
	"--rate|$d --rate 0"
	"--rate|$d --rate fast"
	"--sync|$d --sync fsinc"
	"--sync|$d --sync fsync,,msync"
	"--sync|$d --sync fsync,fsync"
	"--sync|$d --sync mapsync,fsync"
	"--sync|$d --sync mapsync"
	"--sync|$d --sync ''"
	"--every|$d --every 0"
	"--every|$d --every 1x"
	"--period|$d --every 10 --period 1ms"
	"--period|$d --period 1ns"
	"--period|$d --period soon"
	"--lockstep|$d --lockstep --period 1ms"
	"--duration|$d --duration 0"
	"--duration|$d --duration 10x"
	"--stores|$d --stores 0"
	"--stores|$d --stores 10 --duration 1s"
	"--cpus|$d --cpus 9999"
	"--cpus|$d --cpus x"
	"--cpus|$d --cpus 3-1"
	"--numa|$d --numa near"
	"--numa|$d --numa local --cpus 0"
	"--repeat|$d --repeat 0"
	"--seed|$d --seed -1"
	"--trace-buffer|$d --trace-buffer 1K"
	"--output|$d --output /nonexistent/x.json"
	"--bogus|$d --bogus"
	"extra|$d extra"
)
# Only meaningful where there is a single NUMA node (this host).
[ "$nnodes" -le 1 ] && bad+=("--numa|$d --numa remote")
nrun=14
echo "1..$(( ${#bad[@]} + nrun ))"
for c in "${bad[@]}"; do
	opt=${c%%|*}
	args=${c#*|}
	out=$work/out-$n.json
	# shellcheck disable=SC2086
	eval "$bin sync --output $out --quiet --stores 10 $args" >/dev/null 2>"$work/err" </dev/null
	check_refused "sync $args: exit 2, one line naming $opt" "$opt" $? "$work/err" "$out"*
done

if ! command -v jq >/dev/null; then
	for _ in $(seq $nrun); do ok "# SKIP jq is not installed"; done
	exit 0
fi

# A real run on the host page cache: 2 writers, 2 syncers (fsync, msync-range).
out=$work/run.json
$bin sync --dir "$work" --size 16M --writers 2 --syncers 2 --sync fsync,msync-range \
	--stores 3000 --every 500 --output "$out" >"$work/table" 2>"$work/err"
st=$?
check_cmd "page-cache run: exit 0, one stderr line saying it is not DAX ($(head -c 200 "$work/err"))" \
	test $st -eq 0 -a "$(wc -l <"$work/err")" -eq 1
check_cmd "... labelled dax: false, no lost events" jq -e '.dax == false and .trace.lost_events == 0' "$out"
check_cmd "... 6000 stores, both methods report calls" \
	jq -e '.runs[0].stores == 6000 and (.runs[0].sync.by_method | keys == ["fsync", "msync-range"])' "$out"
check_cmd "... per-call flushed bytes add up to the attributed total, nothing unattributed" \
	jq -e '.runs[0] | ([.calls[].flushed_bytes] | add) == .attribution.calls_bytes and
		.attribution.calls_bytes == .attribution.total_bytes and .attribution.exact' "$out"
# (0 idle bytes is a DAX guarantee, asserted in the guest; the page cache
# may write a page back late, so only the fields are checked here)
check_cmd "... idle-sync and flush amplification fields, 2 idle calls" \
	jq -e '(.idle_sync_bytes_flushed | type) == "number" and (.flush_amplification | type) == "number" and
		([.runs[0].calls[] | select(.kind == "idle")] | length) == 2' "$out"
check_cmd "... the table is printed" grep -q '^fsync ' "$work/table"
check_cmd "... no file left in the directory" test -z "$(ls -A "$work" | grep -v -e '^readonly$' -e '^run.json$' -e '^table$' -e '^err$' -e '^out-')"

# Every kernel method, one at a time, rand/seq/zipf, --period, --lockstep.
ok_all=1
for m in fsync fdatasync msync msync-range sfr; do
	$bin sync --dir "$work" --size 8M --writers 1 --sync $m --stores 500 --every 100 \
		--lockstep --pattern seq --quiet --output "$work/$m.json" 2>/dev/null || ok_all=0
	jq -e '.runs[0].sync.overall.calls == 5 and .attribution_exact' "$work/$m.json" >/dev/null || ok_all=0
done
check_cmd "fsync, fdatasync, msync, msync-range, sfr: --lockstep --every 100 of 500 stores makes 5 calls each" \
	test $ok_all -eq 1
$bin sync --dir "$work" --size 8M --writers 2 --syncers 1 --pattern zipf --period 20ms \
	--duration 0.3s --cpus 0 --repeat 2 --quiet --output "$work/zipf.json" >"$work/zipf.out" 2>&1
check "--pattern zipf --period 20ms --duration 0.3s --cpus 0 --repeat 2" $? "$(tail -n 4 "$work/zipf.out")"
check_cmd "... two runs, medians, threads pinned to cpu 0" \
	jq -e '(.runs | length) == 2 and .summary.overall.sync_p50_ns.median > 0 and
		([.runs[0].threads[].cpu] | unique) == [0]' "$work/zipf.json"
check_cmd "--no-trace: runs, says why, no flush figures" \
	bash -c "$bin sync --dir $work --size 8M --stores 200 --no-trace --quiet --output $work/nt.json 2>/dev/null &&
		jq -e '.trace.available == false and .trace.reason == \"--no-trace\" and .flush_amplification == null' $work/nt.json"
# The time origin of a run is taken before any writer or syncer starts:
# DAXBENCH_SYNC_START_DELAY_MS delays it (as a descheduled main thread
# would) and no call may then start before it (a wrapped t_start_ns of
# about 1.8e19 before the fix) or after the run's end; each syncer's calls
# in order.  The same check runs in the guest (tests/guest_sync.sh).
DAXBENCH_SYNC_START_DELAY_MS=300 $bin sync --dir "$work" --size 8M --page mixed --writers 2 --syncers 2 \
	--sync fsync,msync-range --stores 1000 --every 250 --repeat 2 --quiet --output "$work/late.json" \
	2>"$work/late.err"
st=$?
check_cmd "mixed, time origin 300 ms late (DAXBENCH_SYNC_START_DELAY_MS): exit 0, the delay said on stderr" \
	bash -c '[ "$1" -eq 0 ] && grep -q "DAXBENCH_SYNC_START_DELAY_MS=300:" "$2"' _ "$st" "$work/late.err"
check_cmd "... every call's start and end lie in [0, run duration] in both runs, each syncer's calls in order" \
	jq -e '(.runs | length) == 2 and ([.runs[] | .duration_with_final_and_idle_ns as $d | .calls as $c |
		($c | length) > 0 and ([$c[].syncer] | . == sort) and
		($c | all(.t_start_ns >= 0 and .duration_ns >= 0 and .t_start_ns < $d and .t_start_ns + .duration_ns <= $d)) and
		([range(1; $c | length) | select($c[.].syncer == $c[. - 1].syncer) |
		  $c[.].t_start_ns >= $c[. - 1].t_start_ns + $c[. - 1].duration_ns] | all)] | all)' "$work/late.json"
help=$($bin sync --help)
missing=
for o in --dir --size --page --writers --syncers --pattern --zipf-theta --store-size \
	--working-set --rate --sync --every --period --lockstep --duration --stores --cpus \
	--numa --repeat --seed --output --trace-buffer --no-trace --allow-lost-events --quiet; do
	grep -qe "^  $o " <<<"$help" || missing="$missing $o"
done
check_cmd "--help lists every option${missing:+ (missing:$missing)}" test -z "$missing"
