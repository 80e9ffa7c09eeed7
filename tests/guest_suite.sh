#!/usr/bin/env bash
# Tests inside the emulated-pmem guest (stock Debian kernel, TCG or KVM):
# boots the guest once per configuration, runs tests/guest/*.sh there, and
# asserts on the JSON brought back.  Counts are exact, so they are asserted
# exactly: they are the ones the 6.1 guest gives for a 64 MiB file
# (16384 pages, 32 PMDs), see shared notes.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/tap.sh
. tests/lib/tap.sh
out=build/test-guest
fresh_dir "$out"
planned=41
echo "1..$planned"
# One boot, one job of the boot library (scripts/boot-job, one attempt):
# booted and ran when guest/run's status is 0 (the script's 0, a clean log).
boot() {	# boot NAME SCRIPT [harness options]
	local name=$1 script=$2
	shift 2
	n=$((n + 1))
	scripts/boot-job --quiet --attempts 1 --out "$out/$name" -- "$@" "$script" >/dev/null
	cp "$out/$name/harness.log" "$out/$name.log" 2>/dev/null || echo "scripts/boot-job left no harness.log" >"$out/$name.log"
	if [ "$(jq -r .harness_status "$out/$name/result.json" 2>/dev/null)" = 0 ]; then
		echo "ok $n - guest $name booted and ran $(basename "$script") ($(tail -1 "$out/$name.log"))"
	else
		echo "not ok $n - guest $name: $(tail -3 "$out/$name.log" | tr '\n' ' ')"
	fi
}

bins=(--bin bench/daxbench --bin tests/unit/test_env)
boot ext4-memmap tests/guest/fault_counts.sh --fs ext4 --pmem memmap "${bins[@]}"
d=$out/ext4-memmap
f=$d/fault-pmd.json
check_json "pmd: file is DAX" "$f" '.dax' true
check_json "pmd: no trace events lost" "$f" '.trace.lost_events' 0
check_json "pmd: extent is 2 MiB aligned" "$f" '.file.extents.pmd_aligned' true
check_json "pmd: first pass takes 32 PMD NOPAGE faults" "$f" '.summary[0].faults.pmd_nopage' 32
check_json "pmd: first pass takes no PTE fault" "$f" '.summary[0].faults.pte_nopage' 0
check_json "pmd: fsync flushes 32 entries" "$f" '.summary[1].flush.entries' 32
check_json "pmd: ... all of 512 pages" "$f" '.summary[1].flush.entries_pmd' 32
check_json "pmd: ... 64 MiB" "$f" '.summary[1].bytes_flushed' 67108864
check_json "pmd: rewrite faults again (write-protected by fsync)" "$f" '.summary[2].faults.pmd_nopage' 32
check_json "pmd: rewrite of 1/16 pages flushes 64 MiB: amplification 16" "$f" '.summary[3].flush_amplification' 16
check_json "pmd: idle fsync flushes 0 bytes" "$f" '.summary[4].bytes_flushed' 0
check_json "pmd: idle fsync figure at top level" "$f" '.idle_fsync_bytes_flushed' 0
check_json "pmd: 32 kernel fault service times, all paired" "$f" '[.runs[0][0].fault_ns.pmd.count, .runs[0][0].fault_ns.unpaired] | @text' '[32,0]'
n=$((n + 1))
if awk '$1 == "write" && $12 ~ /[0-9]/ { ok = 1 } END { exit !ok }' "$d/fault-pmd.txt"; then
	echo "ok $n - pmd: the table shows a kernel fault-p50 for the write phase"
else
	echo "not ok $n - pmd: no fault-p50 in the write row of $d/fault-pmd.txt"
fi
n=$((n + 1))
ev=$d/events-pmd.csv
got=$(awk -F, '$1 == "r1/fsync" && $5 == "dax_writeback_one" && $9 == 512 { n++ } END { print n + 0 }' "$ev" 2>/dev/null)
if [ "$got" = 32 ]; then
	echo "ok $n - pmd: --events CSV holds the 32 dax_writeback_one records of the fsync"
else
	echo "not ok $n - pmd: --events CSV has $got writeback records of 512 pages in r1/fsync (want 32)"
fi
n=$((n + 1))
got=$(awk -F, '$1 == "r1/write" && $5 == "dax_pmd_fault_done" { n++ } END { print n + 0 }' "$ev" 2>/dev/null)
if [ "$got" = 32 ]; then
	echo "ok $n - pmd: --events CSV holds the 32 PMD fault records of the write pass"
else
	echo "not ok $n - pmd: --events CSV has $got dax_pmd_fault_done records in r1/write (want 32)"
fi
f=$d/fault-pte.json
check_json "pte: first pass takes 16384 PTE faults" "$f" '.summary[0].faults.pte_nopage' 16384
check_json "pte: no PMD fault" "$f" '.summary[0].faults.pmd_nopage + .summary[0].faults.pmd_fallback' 0
check_json "pte: fsync flushes 16384 single pages" "$f" '.summary[1].flush.entries_pte' 16384
check_json "pte: ... and nothing else" "$f" '.summary[1].flush.entries' 16384
check_json "pte: rewrite of 1/16 faults 1024 pages" "$f" '.summary[2].faults.pte_nopage' 1024
check_json "pte: and flushes 1024 pages" "$f" '.summary[3].flush.pages' 1024
check_json "pte: amplification 1" "$f" '.summary[3].flush_amplification' 1
check_json "pte: idle fsync flushes 0 bytes" "$f" '.summary[4].bytes_flushed' 0
check_json "pte: 16384 kernel fault service times" "$f" '.runs[0][0].fault_ns.pte.count' 16384
f=$d/fault-misaligned.json
check_json "misaligned: 33 PMD FALLBACK faults" "$f" '.summary[0].faults.pmd_fallback' 33
check_json "misaligned: then 16384 PTE faults" "$f" '.summary[0].faults.pte_nopage' 16384
check_json "misaligned: fsync flushes 16384 single pages" "$f" '.summary[1].flush.entries_pte' 16384
check_json "misaligned: 33 timed PMD attempts, 16384 PTE faults" "$f" '[.runs[0][0].fault_ns.pmd.count, .runs[0][0].fault_ns.pte.count] | @text' '[33,16384]'
f=$d/fault-pmd-mapsync.json
check_json "map-sync: 32 PMD faults answered NEEDDSYNC" "$f" '.summary[0].faults.pmd_needdsync' 32
check_json "map-sync: 32 dax_insert_pfn_mkwrite" "$f" '.summary[0].faults.pfn_mkwrite' 32
f=$d/env.json
check_json "env: pmem kind is e820 (memmap=)" "$f" '.pmem.kind' e820
check_json "env: mount carries the dax option" "$f" '.target.dax_mount_option' true
n=$((n + 1))
tap=$d/test_env.tap
if [ -s "$tap" ] && ! grep -q '^not ok' "$tap" && [ "$(grep -c '^ok' "$tap")" -ge 26 ]; then
	echo "ok $n - test_env passes in the guest ($(grep -c '^ok' "$tap") points)"
else
	echo "not ok $n - test_env in the guest: $(grep '^not ok' "$tap" 2>/dev/null | head -3 | tr '\n' ' ')"
fi
n=$((n + 1))
if [ -s "$tap" ] && [ "$(grep -E '^ok (24|25|26) ' "$tap" | grep -vc SKIP)" -eq 3 ]; then
	echo "ok $n - test_env's pmem points ran (not skipped) on /mnt/pmem"
else
	echo "not ok $n - test_env's pmem points were skipped or missing in the guest"
fi

boot ext4-nvdimm tests/guest/nvdimm_env.sh --fs ext4 --pmem nvdimm
d=$out/ext4-nvdimm
f=$d/env-nvdimm.json
check_json "nvdimm: pmem kind is nvdimm" "$f" '.pmem.kind' nvdimm
check_json "nvdimm: libndctl sees an fsdax namespace" "$f" '.pmem.namespace.mode' fsdax
check_json "nvdimm: ... aligned 2 MiB" "$f" '.pmem.namespace.align' 2097152
check_json "nvdimm: PMD faults on the fsdax namespace" "$d/fault-nvdimm.json" '.summary[0].faults.pmd_nopage' 8
[ $n -eq $planned ] || echo "# planned $planned checks, made $n"
