#!/usr/bin/env bash
# Debian's stock kernel of another line than the default booted in the
# emulated-pmem guest (scripts/guest/run --kver; ext4 -o dax on e820 pmem):
# the guest boots with that line's modules, the fs_dax events fire, and the
# fault counts are exact, as on 6.1: a 64 MiB file takes 32 PMD faults and its
# fsync flushes 32 entries, or 16384 PTE faults and 16384 single pages.
#   tests/guest_kver.sh [KVER]   (default 7.2, or env DAXBENCH_TEST_KVER)
# About 15 s under TCG once the kernel is fetched (a first fetch: 20 s more).
set -uo pipefail
cd "$(dirname "$0")/.."
kver=${1:-${DAXBENCH_TEST_KVER:-7.2}}
# shellcheck source=lib/tap.sh
. tests/lib/tap.sh
out=build/test-guest-kver-$kver
fresh_dir "$out"
need qemu-system-x86_64 bench/daxbench
echo "1..17"

kdir=$(scripts/guest/fetch-kernel --kver "$kver" 2>"$out/fetch.log"); st=$?
release=$(cat "$kdir/release" 2>/dev/null)
[ $st -eq 0 ] && [[ $release =~ ^${kver//./\\.}\. ]]
check "fetch-kernel --kver $kver: a stock $kver kernel (${release:-none})" $? "status $st" "$(tail -n1 "$out/fetch.log")"

scripts/guest/run --kver "$kver" --out "$out/guest" --bin bench/daxbench tests/guest/fault_pmd_pte.sh \
	>"$out/run.log" 2>&1; st=$?
check "guest booted $kver and ran tests/guest/fault_pmd_pte.sh ($(tail -n1 "$out/run.log"))" $st \
	"$(tail -n3 "$out/run.log" | tr '\n' ' ')"
d=$out/guest
[ -n "$release" ] && [ "$(cat "$d/uname-r" 2>/dev/null)" = "$release" ]
check "the guest ran $release (uname -r)" $? "uname -r: $(cat "$d/uname-r" 2>&1)"
! grep -a -q 'daxbench-guest: .*insmod' "$d/console.log" 2>/dev/null && grep -a -q 'modules loaded' "$d/console.log"
check "every module loaded (no insmod error on the console)" $? \
	"$(grep -a 'daxbench-guest: .*insmod' "$d/console.log" 2>/dev/null | head -n2 | tr '\n' ' ')"

f=$d/fault-pmd.json
check_json "pmd: the result carries the release" "$f" '.env.kernel.release' "$release"
check_json "pmd: file is DAX, no trace events lost" "$f" '[.dax, .trace.lost_events] | @text' '[true,0]'
check_json "pmd: first pass takes 32 PMD NOPAGE faults" "$f" '.summary[0].faults.pmd_nopage' 32
check_json "pmd: ... and no PTE fault, no fallback" "$f" \
	'.summary[0].faults.pte_nopage + .summary[0].faults.pmd_fallback' 0
check_json "pmd: fsync flushes 32 PMD entries, 64 MiB" "$f" \
	'[.summary[1].flush.entries_pmd, .summary[1].bytes_flushed] | @text' '[32,67108864]'
check_json "pmd: rewrite faults 32 PMDs again and flushes 64 MiB for 4 MiB (16x)" "$f" \
	'[.summary[2].faults.pmd_nopage, .summary[3].flush_amplification] | @text' '[32,16]'
check_json "pmd: idle fsync flushes 0 bytes" "$f" '.summary[4].bytes_flushed' 0
f=$d/fault-pte.json
check_json "pte: the result carries the release" "$f" '.env.kernel.release' "$release"
check_json "pte: first pass takes 16384 PTE faults" "$f" '.summary[0].faults.pte_nopage' 16384
check_json "pte: ... and no PMD fault" "$f" '.summary[0].faults.pmd_nopage + .summary[0].faults.pmd_fallback' 0
check_json "pte: fsync flushes 16384 single pages and nothing else" "$f" \
	'[.summary[1].flush.entries_pte, .summary[1].flush.entries] | @text' '[16384,16384]'
check_json "pte: rewrite of 1/16 faults and flushes 1024 pages (amplification 1)" "$f" \
	'[.summary[2].faults.pte_nopage, .summary[3].flush.pages, .summary[3].flush_amplification] | @text' '[1024,1024,1]'
check_json "pte: idle fsync flushes 0 bytes" "$f" '.summary[4].bytes_flushed' 0
[ $tap_failed -eq 0 ] || { echo "# $tap_failed of $n failed"; exit 1; }
exit 0
