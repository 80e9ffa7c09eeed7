#!/usr/bin/env bash
# daxbench compare and scripts/compare on synthetic result directories (no
# guest): each directory holds a fault point (runs[5][5 phases]) and a sync
# point (runs[5] objects) written by tests/lib/synthetic-results.sh, with timings jittered by a
# fixed pattern so that two directories drawn alike are not identical.
#   same distribution        every timing "same", every count equal
#   one count changed        flagged "differs", timings still "same"
#   timings x2               every timing "slower", the interval excludes 0
#   kernel WARNING in a log  scripts/compare puts it first in the reports
#   bad input                exit 2, one line on stderr, no compare.json
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=bench/daxbench
work=$(mktemp -d /tmp/daxbench-compare.XXXXXX)
trap 'rm -rf "$work"' EXIT
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh

# shellcheck source=../lib/synthetic-results.sh
. tests/lib/synthetic-results.sh

gen "$work/a" 1 1
gen "$work/a2" 1 2            # the same distribution, other jitter
gen "$work/cnt" 1 2 4194304   # fsync-rewrite flushed 4 MiB instead of 64
gen "$work/x2" 2 3            # every timing doubled
gen "$work/a3" 1 1 67108864 3 # 3 runs a side: too few to call anything
gen "$work/x3" 2 3 67108864 3
cp -r "$work/a2" "$work/warn"
printf '[    1.000000] boot\n[   12.345678] WARNING: CPU: 1 PID: 99 at fs/dax.c:1234 dax_writeback_one+0x1/0x2\n' >"$work/warn/console.log"

echo "1..31"

# ---- identical and same-distribution directories ----
$bin compare "$work/a" "$work/a" --output "$work/o1" >"$work/o1.txt" 2>"$work/o1.err"; st=$?
check "identical directories: exit 0" $st "$(head -3 "$work/o1.err")"
t=$(jq -r '.totals | "\(.timings) \(.same) \(.counts) \(.counts_equal)"' "$work/o1/compare.json" 2>/dev/null)
read -r nt ns nc ne <<<"$t"
[ "${nt:-0}" -gt 10 ] && [ "$nt" = "$ns" ] && [ "${nc:-0}" -gt 10 ] && [ "$nc" = "$ne" ]
check "identical directories: all $nt timings same, all $nc counts equal" $? "totals: $t"
$bin compare "$work/a" "$work/a2" --output "$work/o2" >"$work/o2.txt" 2>&1; st=$?
t=$(jq -r '.totals | "\(.timings) \(.same) \(.counts) \(.counts_equal) \(.alerts)"' "$work/o2/compare.json" 2>/dev/null)
read -r nt ns nc ne na <<<"$t"
[ $st -eq 0 ] && [ "$nt" = "$ns" ] && [ "$nc" = "$ne" ] && [ "$na" = 0 ]
check "same distribution, other jitter: all $nt timings same, all $nc counts equal, no alert" $? "totals: $t"
jq -e '[.points[].timings[] | select(.change == 0)] | length < 5' "$work/o2/compare.json" >/dev/null
check "... and the medians really differ (it is not the identical case)" $?
jq -e '[.points[] | select(.name == "sync-pmd-fsync-w1") | .timings[].metric] as $m
       | ($m | index("sync.overall.sync_latency.p50")) and ($m | index("store_latency.p99"))
       and ($m | index("write_fault_latency.pmd.p50")) and ($m | index("duration_ns"))' \
	"$work/o1/compare.json" >/dev/null
check "sync point: sync-call, store and fault percentiles and the run time are timings" $?
jq -e '[.points[] | select(.name == "sync-pmd-fsync-w1") | .counts[].metric] as $m
       | ($m | index("sync.calls")) and ($m | index("sync.bytes_flushed")) and ($m | index("flush.entries"))
       and ($m | index("idle_sync_bytes_flushed"))' "$work/o1/compare.json" >/dev/null
check "sync point: calls, bytes flushed, entries, idle bytes are exact counts" $?
jq -e '[.points[] | select(.name == "fault-pmd") | .timings[].metric]
       == ["write.store_latency.p50", "write.store_latency.p99", "write.duration_ns", "fsync.sync_ns",
           "rewrite.store_latency.p50", "rewrite.store_latency.p99", "rewrite.duration_ns",
           "fsync-rewrite.sync_ns", "fsync-idle.sync_ns"]' "$work/o1/compare.json" >/dev/null
check "fault point: per-phase store p50/p99, pass time and sync time, in phase order" $?
[ -s "$work/o1/compare.txt" ] && cmp -s "$work/o1/compare.txt" "$work/o1.txt"
check "--output writes compare.txt, the same table as stdout" $?
$bin compare "$work/a" "$work/a2" --quiet --output "$work/o2b" >"$work/o2b.txt" 2>&1
cmp -s <(jq -S 'del(.started, .argv)' "$work/o2/compare.json") <(jq -S 'del(.started, .argv)' "$work/o2b/compare.json") &&
	[ ! -s "$work/o2b.txt" ]
check "deterministic: a second run gives the same JSON (fixed seed); --quiet prints nothing" $?
jq -e '.statistics | .timing_metrics > 10 and (.ci_level_each | . > 0.99 and . < 1) and .resamples >= 2000' \
	"$work/o1/compare.json" >/dev/null
check "intervals are simultaneous: each at 1 - alpha/m, at least 2000 resamples" $?

# ---- a changed count ----
$bin compare "$work/a2" "$work/cnt" --output "$work/o3" >"$work/o3.txt" 2>&1; st=$?
jq -e '[.points[].counts[] | select(.status == "differs") | .metric] | sort
       == ["fsync-rewrite.bytes_flushed", "fsync-rewrite.flush.bytes", "fsync-rewrite.flush.entries", "fsync-rewrite.flush.entries_pmd", "fsync-rewrite.flush.pages"]' \
	"$work/o3/compare.json" >/dev/null
check "changed flush volume: exactly the fsync-rewrite counts differ" $? "$(grep -c DIFFERS "$work/o3.txt") DIFFERS lines"
grep -q 'fsync-rewrite bytes_flushed .* 64.0M .* 4.00M .*COUNT DIFFERS' "$work/o3.txt"
check "... and the table flags it: 64.0M vs 4.00M, COUNT DIFFERS" $?
jq -e '.totals | .timings == .same' "$work/o3/compare.json" >/dev/null
check "... while every timing stays same" $?

# ---- timings doubled ----
$bin compare "$work/a" "$work/x2" --output "$work/o4" >"$work/o4.txt" 2>&1; st=$?
jq -e '.totals | .timings > 10 and .slower == .timings and .counts == .counts_equal' "$work/o4/compare.json" >/dev/null
check "timings x2: every timing slower, every count equal" $? "$(jq -c .totals "$work/o4/compare.json")"
jq -e '[.points[].timings[] | .ci[0] > 0.5 and .ci[1] < 1.6 and (.change | . > 0.8 and . < 1.2)] | all' \
	"$work/o4/compare.json" >/dev/null
check "... each interval excludes 0 and brackets the +100% change" $?
$bin compare "$work/x2" "$work/a" --quiet --output "$work/o5" 2>/dev/null
jq -e '.totals | .faster == .timings' "$work/o5/compare.json" >/dev/null
check "... and B/A swapped: every timing faster" $?

$bin compare "$work/a3" "$work/x3" --quiet --output "$work/o6" 2>/dev/null
jq -e '.totals.same == .totals.timings and ([.points[].timings[] | .ci[1] == null and (.ci_note | test("too few runs"))] | all)' \
	"$work/o6/compare.json" >/dev/null
check "... but with 3 runs a side: every interval unbounded, every timing same" $? "$(jq -c .totals "$work/o6/compare.json")"

# ---- scripts/compare: figures, report, kernel warning first ----
scripts/compare "$work/a" "$work/warn" --out "$work/r1" >"$work/r1.txt" 2>&1; st=$?
check "scripts/compare: exit 0" $st "$(tail -3 "$work/r1.txt")"
figs=$(cat "$work/r1/figures.txt" 2>/dev/null | tr '\n' ' ')
good=0
for f in $(cat "$work/r1/figures.txt" 2>/dev/null); do
	[ "$(head -c 4 "$work/r1/$f.png" | od -An -c | tr -d ' ')" = '211PNG' ] && grep -q '<svg' "$work/r1/$f.svg" &&
		good=$((good + 1))
done
[ $good -ge 4 ] && [ "$good" -eq "$(wc -l <"$work/r1/figures.txt")" ]
check "scripts/compare: $good figures as PNG and SVG ($figs)" $?
awk '/^## /{print; exit}' "$work/r1/report.md" | grep -q '^## Alerts' &&
	grep -A3 '^## Alerts' "$work/r1/report.md" | grep -q 'WARNING: CPU: 1 PID: 99 at fs/dax.c:1234'
check "report.md: the kernel WARNING of B comes first, under Alerts" $?
grep -q 'class="alert"' "$work/r1/report.html" &&
	[ "$(grep -n 'WARNING: CPU: 1' "$work/r1/report.html" | head -1 | cut -d: -f1)" -lt \
	  "$(grep -n '<h2>Summary' "$work/r1/report.html" | cut -d: -f1)" ]
check "report.html: the warning in the red alert box, before the summary" $?
grep -q '<img src="sync-latency-cdf.png"' "$work/r1/report.html" && grep -q '](sync-latency-cdf.png)' "$work/r1/report.md"
check "reports embed the figures by relative path" $?

# ---- bad input: exit 2, one line, no compare.json ----
touch "$work/file"
mkdir -p "$work/empty" "$work/badjson"
echo '{"command": "fault", "runs": [' >"$work/badjson/fault-pmd.json"
bad=(
	"DIR_A|$work/nonexistent $work/a"
	"DIR_B|$work/a $work/file"
	"both|$work/a $work/empty"
	"badjson/fault-pmd.json: truncated|$work/a $work/badjson"
	"--alpha|$work/a $work/a --alpha 2"
	"--seed|$work/a $work/a --seed -1"
	"--resamples|$work/a $work/a --resamples 10"
	"two result directories|$work/a"
	"--bogus|$work/a $work/a --bogus"
)
for c in "${bad[@]}"; do
	want=${c%%|*} args=${c#*|}
	rm -rf "$work/ob"
	# shellcheck disable=SC2086
	$bin compare $args --output "$work/ob" >/dev/null 2>"$work/err"; st=$?
	lines=$(wc -l <"$work/err")
	[ $st -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$want" "$work/err" && [ ! -e "$work/ob/compare.json" ]
	check "compare ${args//$work\//}: exit 2, one line naming '$want'" $? "exit $st, $lines lines: $(head -c 200 "$work/err")"
done
[ $n -eq 31 ] || echo "# planned 31, ran $n"
