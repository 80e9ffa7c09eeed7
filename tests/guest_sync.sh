#!/usr/bin/env bash
# daxbench sync in the emulated-pmem guest (stock Debian 6.1 kernel, ext4 -o
# dax on e820 pmem): boots the guest once, runs tests/guest/sync_counts.sh,
# and asserts with jq on the JSON brought back.  The flush accounting is
# exact, so it is asserted exactly: the per-call flushed bytes add up to the
# dax_writeback_one total, idle and no-store syncs flush 0 bytes, PTE
# mappings flush what was dirtied (amplification 1) and PMD ones 2 MiB per
# 4 KiB store (about 16x for 1024 random stores in 64 MiB), and the
# pte-then-pmd sequence flushes every page dirtied.  Every call's times lie
# within its run (one origin per run, taken before any thread starts), also
# with the origin delayed as a descheduled main thread would delay it
# (DAXBENCH_SYNC_START_DELAY_MS, one extra mixed run).  About 30 s under TCG.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/tap.sh
. tests/lib/tap.sh
out=build/test-guest-sync
fresh_dir "$out"
planned=48
echo "1..$planned"
check_true() { check_json "$1" "$2" "$3" true; }	# NAME FILE JQ-EXPR
# Every call of every run lies within the run: 0 <= t_start_ns <= t_start_ns
# + duration_ns <= duration_with_final_and_idle_ns (and t_start_ns below it),
# and the calls array, grouped by syncer, holds each syncer's calls in order
# (one thread: a call starts after the previous one ended).  A call before
# the origin wraps to about 1.8e19 and fails.
calls_in_run='[.runs[] | .duration_with_final_and_idle_ns as $d | .calls as $c |
	($c | length) > 0 and ([$c[].syncer] | . == sort) and
	($c | all(.t_start_ns >= 0 and .duration_ns >= 0 and .t_start_ns < $d and .t_start_ns + .duration_ns <= $d)) and
	([range(1; $c | length) | select($c[.].syncer == $c[. - 1].syncer) |
	  $c[.].t_start_ns >= $c[. - 1].t_start_ns + $c[. - 1].duration_ns] | all)] | length > 0 and all'

# sync_counts.sh and one more mixed run whose time origin run_once takes
# 3 s after the threads are ready, as a descheduled main thread would take
# it late (before the fix the threads ran, stored and synced before it: the
# calls wrapped).  The delay must not count in the run either: the first
# call (after 250 stores, 10 to 200 ms under TCG) starts well within 3 s of
# the origin.
delay_ms=3000
{
	cat tests/guest/sync_counts.sh
	echo "DAXBENCH_SYNC_START_DELAY_MS=$delay_ms daxbench sync --dir /mnt/pmem --page mixed --writers 2 --syncers 2 \\"
	echo "	--sync fsync,msync-range --stores 1000 --every 250 --output \"\$out/mixed-late-origin.json\" \\"
	echo "	>\"\$out/mixed-late-origin.txt\" 2>\"\$out/mixed-late-origin.err\""
} >"$out/sync_counts_origin.sh"

n=$((n + 1))
if scripts/guest/run --out "$out/ext4" --fs ext4 --pmem memmap "$out/sync_counts_origin.sh" >"$out/ext4.log" 2>&1; then
	echo "ok $n - guest booted and ran sync_counts.sh ($(tail -1 "$out/ext4.log"))"
else
	echo "not ok $n - guest: $(tail -3 "$out/ext4.log" | tr '\n' ' ')"
fi
d=$out/ext4

f=$d/pmd-fsync.json
check_true "pmd-fsync: the file is DAX, no trace event lost" "$f" '.dax and .trace.lost_events == 0'
check_true "pmd-fsync: 2 writers stored 4000 times, 2 syncers called fsync" "$f" \
	'.runs[0].stores == 4000 and ([.runs[0].threads[] | select(.role == "syncer")] | length) == 2'
check_true "pmd-fsync: per-call flushed bytes add up exactly to the dax_writeback_one total" "$f" \
	'.runs[0] | ([.calls[].flushed_bytes] | add) == .flush.bytes and .flush.bytes == .attribution.total_bytes'
check_true "pmd-fsync: ... and entries to the dax_writeback_one count" "$f" \
	'.runs[0] | ([.calls[].entries] | add) == .flush.entries'
check_true "pmd-fsync: nothing unattributed, the identity holds" "$f" \
	'.runs[0].attribution.unattributed_bytes == 0 and .attribution_exact'
check_true "pmd-fsync: every entry flushed is a 2 MiB one" "$f" '.runs[0].flush.entries == .runs[0].flush.entries_pmd'
check_true "pmd-fsync: the idle syncs (one per syncer) flush 0 bytes" "$f" \
	'[.runs[0].calls[] | select(.kind == "idle") | .flushed_bytes] == [0, 0]'
check_true "pmd-fsync: every no-store sync flushes 0 bytes" "$f" \
	'.no_store_sync_bytes_flushed == 0 and .runs[0].no_store_syncs.calls >= 2'
check_true "pmd-fsync: the kernel dirty set is empty at the end" "$f" '.runs[0].dirty_set.kernel_dirty_bytes_at_end == 0'
check_true "pmd-fsync: PMD amplification above 1" "$f" '.flush_amplification > 1'
check_true "pmd-fsync: sync latency and write-fault latency histograms" "$f" \
	'.runs[0].sync.overall.sync_latency.p50 > 0 and .runs[0].write_fault_latency.pmd.count > 0'

p=$d/pte-lockstep.json
q=$d/pmd-lockstep.json
check_true "pte-lockstep: 2 calls, exact, idle 0" "$p" \
	'.runs[0].sync.overall.calls == 2 and .attribution_exact and .idle_sync_bytes_flushed == 0'
check_true "pte-lockstep: only 4 KiB entries flushed" "$p" '.runs[0].flush.entries == .runs[0].flush.entries_pte'
check_true "pte-lockstep: flushed exactly what was dirtied (flush_amplification 1)" "$p" '.flush_amplification == 1'
dp=$(jq .runs[0].sync.overall.bytes_dirtied "$p")
check_true "pmd-lockstep: the same seed dirties the same pages as pte ($dp bytes)" "$q" \
	".runs[0].sync.overall.bytes_dirtied == $dp"
check_true "pmd-lockstep: each fsync flushes all 32 PMDs: 128 MiB for 2 calls" "$q" \
	'.runs[0].flush.entries_pmd == 64 and .runs[0].sync.overall.bytes_flushed == 134217728'
check_true "pmd-lockstep: flush_amplification between 15 and 18 (2 MiB per ~16 distinct 4 KiB stores)" "$q" \
	'.flush_amplification > 15 and .flush_amplification < 18'
check_true "pmd vs pte: the amplification field differs by more than 15x" "$q" \
	"(.flush_amplification / $(jq .flush_amplification "$p")) > 15"

for m in mixed-fsync mixed-msync-range; do
	f=$d/$m.json
	check_true "$m: pte-then-pmd: 32 stores through the 4K mapping, 32 through the 2M one" "$f" \
		'.runs[0].pte_then_pmd | .pte_step.stores == 32 and .pmd_step.stores == 32'
	check_true "$m: pte-then-pmd: the 2M mapping's PMD fault falls back (PTE entries there)" "$f" \
		'.runs[0].pte_then_pmd.pmd_step.counts.faults.pmd_fallback >= 1'
	check_true "$m: pte-then-pmd: every page dirtied is flushed (oracle: 64 pairs, 0 violations)" "$f" \
		'.runs[0].pte_then_pmd | .every_page_flushed and .oracle.pairs_checked == 64 and .oracle.violations == 0'
	check_true "$m: per-call flushed bytes add up to the total, idle 0" "$f" \
		'.runs[0] | ([.calls[].flushed_bytes] | add) == .flush.bytes and .attribution.exact and .idle_sync_bytes_flushed == 0'
	check_true "$m: both PTE and PMD entries were flushed" "$f" \
		'.runs[0].flush.entries_pte > 0 and .runs[0].flush.entries_pmd > 0'
	check_true "$m: every call's start and end lie in [0, run duration], each syncer's calls in order" "$f" "$calls_in_run"
done

f=$d/mapsync.json
check_true "mapsync: the stores fault PMDs, the kernel flushes nothing during the syncers' calls" "$f" \
	'.params.sync == ["mapsync"] and .file.map_sync and (.runs[0].faults.pmd_nopage + .runs[0].faults.pmd_needdsync) > 0 and .runs[0].sync.overall.bytes_flushed == 0'
check_true "mapsync: exact attribution" "$f" '.attribution_exact'

f=$d/pte-period.json
check_true "pte-period: sfr, fdatasync and msync each made calls" "$f" \
	'[.runs[0].sync.by_method[] | .calls > 0] == [true, true, true]'
# pte-period runs three sync methods concurrently on PTE entries.  On the
# stock 6.1 kernel a sync can skip an entry another thread holds locked (the
# "missed" race of dax_writeback_one, see README and tests/guest_stress.sh);
# the entry stays dirty and the next, idle, sync flushes it.  A stray flush
# of less than one 2 MiB entry with exact attribution is that known bug:
# TODO.  A missing write-protect or a never-cleaned entry re-flushes the
# whole dirty set (megabytes) and still fails here.
n=$((n + 1))
if jq -e '.attribution_exact and .idle_sync_bytes_flushed == 0 and .no_store_sync_bytes_flushed == 0' "$f" >/dev/null 2>&1; then
	echo "ok $n - pte-period: exact, idle and no-store syncs flush 0 bytes"
elif jq -e '.attribution_exact and .idle_sync_bytes_flushed < 2097152 and .no_store_sync_bytes_flushed < 2097152' "$f" >/dev/null 2>&1; then
	echo "not ok $n - pte-period: idle/no-store syncs flushed $(jq -c '[.idle_sync_bytes_flushed, .no_store_sync_bytes_flushed]' "$f") bytes # TODO stock 6.1 dax_writeback_one race (a locked entry skipped by an earlier sync), fixed by scripts/kernel/fixes/6.1/dax-writeback-wait.patch"
else
	echo "not ok $n - pte-period: exact, idle and no-store syncs flush 0 bytes: $(jq -c '{attribution_exact, idle_sync_bytes_flushed, no_store_sync_bytes_flushed}' "$f" 2>&1)"
fi
check_true "pte-period: threads pinned near the pmem device, topology recorded" "$f" \
	'.params.cpus != null and ([.runs[0].threads[].cpu] | all(. != null)) and .topology.pus > 0'
# (not exactly 1 here: racing syncs may flush a page twice, and a page
# stored twice between two syncs of one syncer is dirtied once)
check_true "pte-period: amplification of PTE mappings near 1 (0.5 to 1.5)" "$f" \
	'.flush_amplification > 0.5 and .flush_amplification < 1.5'

for m in pmd-fsync pte-lockstep pmd-lockstep mapsync pte-period; do
	check_true "$m: every call's start and end lie in [0, run duration], each syncer's calls in order" "$d/$m.json" "$calls_in_run"
done

# The verdict: exact where a per-call count is (one syncer, lockstep: both
# run calls checked), and the exit status follows it in every run.
for m in pte-lockstep pmd-lockstep; do
	check_json "$m: verdict passes, covers-dirtied checked on both run calls" "$d/$m.json" \
		'[.verdict, (.checks[] | select(.name == "sync-covers-dirtied") | "\(.checked)/\(.failed)")] | join(" ")' 'pass 2/0'
done
bad=
for m in pmd-fsync pte-lockstep pmd-lockstep mixed-fsync mixed-msync-range mapsync pte-period; do
	v=$(jq -r .verdict "$d/$m.json" 2>&1) st=$(cat "$d/$m.status" 2>&1)
	{ [ "$v" = pass ] && [ "$st" = 0 ]; } || { [ "$v" = fail ] && [ "$st" = 1 ]; } || bad="$bad $m($v, exit $st)"
done
check "every run's exit status follows its verdict (pass 0, fail 1)" "$([ -z "$bad" ]; echo $?)" "$bad"
f=$d/mixed-late-origin.json
n=$((n + 1))
if grep -q "DAXBENCH_SYNC_START_DELAY_MS=$delay_ms:" "$d/mixed-late-origin.err" 2>/dev/null; then
	echo "ok $n - mixed-late-origin: the time origin was delayed $delay_ms ms"
else
	echo "not ok $n - mixed-late-origin: the time origin was delayed $delay_ms ms: $(head -3 "$d/mixed-late-origin.err" 2>&1 | tr '\n' ' ')"
fi
check_true "mixed-late-origin: with the origin late, every call still lies in [0, run duration], in order" "$f" "$calls_in_run"
check_true "mixed-late-origin: the delay is not part of the run (first call within $delay_ms ms of the origin)" "$f" \
	"[.runs[] | ([.calls[].t_start_ns] | min) < $delay_ms * 1000000 and .stores == 2000] | all"
[ $n -eq $planned ] || echo "# planned $planned checks, made $n"
