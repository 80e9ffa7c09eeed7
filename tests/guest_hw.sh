#!/usr/bin/env bash
# The hardware-evaluation path on the kinds of pmem the guest can have
# besides e820 and the fsdax NVDIMM (those are in guest_suite.sh):
#   devdax  QEMU NVDIMM, namespace0.0 made devdax: daxbench env --dev and
#           daxbench flush --target /dev/dax0.0
#   cxl     QEMU cxl-type3 pmem behind pxb-cxl and cxl-rp, a region made
#           with cxl create-region, an fsdax namespace on it, ext4 -o dax:
#           env, flush on the mount, the fault sequence (one boot a line of
#           DAXBENCH_TEST_HW_KVERS, default "6.1 7.2"; a line after 6.1 is
#           skipped under QEMU before 8: since 6.3 cxl_pci needs an event-log
#           interrupt that QEMU 7.2's cxl-type3 does not have, so mem0 never
#           appears: measured on 6.12 and 7.2)
# Invariants, exact: the target is what env says it is (device-dax name,
# pmem kind, namespace mode, libcxl region = the one the guest made), every
# flush point (4 methods x 2 sizes x 2 thread counts) is present with a
# positive GB/s and latency samples, the flush result's region summary names
# the region env names, and the fault counts of a 16 MiB file (8 PMD
# faults, 8 entries of 2 MiB flushed) are those of e820 pmem.  Timings are
# never asserted.  A line whose kernel lacks a CXL piece would be skipped
# with the reason (the stock 6.1, 6.12 and 7.2 have them all: CXL_BUS=y,
# CXL_PORT=y, CXL_REGION=y, CXL_ACPI, CXL_PCI, CXL_MEM, CXL_PMEM as modules).
# About 15 s a boot under TCG (CXL pmem is MMIO to QEMU: slower stores).
# timeout: 600
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/tap.sh
. tests/lib/tap.sh
need qemu-system-x86_64 jq bench/daxbench
out=build/test-guest-hw
fresh_dir "$out"
kvers=${DAXBENCH_TEST_HW_KVERS:-6.1 7.2}
nk=$(wc -w <<<"$kvers")
devdax_checks=11 cxl_checks=14
echo "1..$((devdax_checks + nk * cxl_checks))"

# every flush point: 4 methods x sizes 4096, 2097152 x threads 1, 2
points_ok='[.points[] | select(.gbps_median > 0 and .calls > 0 and .latency.count > 0)] | length'
grid_ok='[.points[] | [.method, .size, .threads]] | sort ==
	([["persist","flush_drain","memcpy_persist","memcpy"][] as $m | [4096, 2097152][] as $s |
	  [1, 2][] as $t | [$m, $s, $t]] | sort)'

# ---- devdax ----
d=$out/devdax
scripts/guest/run --pmem devdax --out "$d" --bin bench/daxbench tests/guest/hw_devdax.sh \
	>"$out/devdax.log" 2>&1; st=$?
check "devdax: guest booted and ran hw_devdax.sh ($(tail -n1 "$out/devdax.log"))" $st \
	"$(tail -n3 "$out/devdax.log" | tr '\n' ' ')"
e=$d/env.json f=$d/flush.json
check_json "devdax: env names the device-dax instance" "$e" '.target.devdax' dax0.0
check_json "devdax: env: NVDIMM pmem (ACPI.NFIT), emulated" "$e" '[.pmem.kind, .pmem.emulated, .pmem.namespace.bus_provider] | @text' '["nvdimm",true,"ACPI.NFIT"]'
check_json "devdax: env: the namespace is namespace0.0 in devdax mode, 2 MiB aligned" "$e" \
	'[.pmem.namespace.dev, .pmem.namespace.mode, .pmem.namespace.align] | @text' '["namespace0.0","devdax",2097152]'
check_json "devdax: env: device size = the namespace's usable size, and > 0" "$e" \
	'.target.size == .pmem.namespace.size and .target.size > 0' true
check_json "devdax: env: the region is named, with its size and a persistence verdict" "$e" \
	'(.pmem.namespace.region | test("^region[0-9]+$")) and .pmem.namespace.region_size > 0 and (.pmem.namespace.flush_needed | type) == "boolean"' true
check_json "devdax: flush ran on /dev/dax0.0 as a device-dax" "$f" '[.target.kind, .target.path, .target.dax, .target.devdax.dev] | @text' \
	'["devdax","/dev/dax0.0",true,"dax0.0"]'
check_json "devdax: flush: 16 points, every method x size x threads once" "$f" "$grid_ok" true
check_json "devdax: flush: every point has a positive GB/s, calls and latency samples" "$f" "$points_ok" 16
got=$(jq -c --slurpfile e "$e" '[.target.region.kind, .target.region.name, .target.region.namespace, .target.region.mode] ==
	[$e[0].pmem.kind, $e[0].pmem.namespace.region, $e[0].pmem.namespace.dev, "devdax"]' "$f" 2>&1)
[ "$got" = true ]
check "devdax: flush: its region summary names env's region and namespace (kind, region, namespace, mode)" $? \
	"$(jq -c '.target.region' "$f" 2>&1)"
got=$(cat "$d/toobig.status" 2>/dev/null)
[ "$got" = 2 ] && [ "$(wc -l <"$d/toobig.err")" -eq 1 ] && grep -q -- '--region' "$d/toobig.err" && [ ! -e "$d/toobig.json" ]
check "devdax: flush with regions larger than the device: exit 2, one line naming --region, no result" $? \
	"status '$got': $(head -c 300 "$d/toobig.err" 2>&1)"

# ---- cxl, one boot a kernel line ----
for kver in $kvers; do
	d=$out/cxl-$kver
	kdir=$(scripts/guest/fetch-kernel --kver "$kver" 2>"$out/fetch-$kver.log")
	cfg=$(ls "$kdir"/boot/config-* "$kdir"/lib/modules/*/config "$kdir"/usr/lib/modules/*/config 2>/dev/null | head -n1)
	missing='' qemu_why=''
	for o in CXL_BUS CXL_PCI CXL_ACPI CXL_MEM CXL_PMEM CXL_PORT CXL_REGION LIBNVDIMM BLK_DEV_PMEM; do
		grep -Eq "^CONFIG_$o=[ym]" "$cfg" 2>/dev/null || missing="$missing $o"
	done
	qemu_major=$(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([0-9]*\).*/\1/p')
	if [ "$kver" != 6.1 ] && [ "${qemu_major:-0}" -lt 8 ]; then
		# measured on 6.12 and 7.2: cxl_pci (since 6.3) asks for an interrupt
		# for the event logs, which QEMU 7.2's cxl-type3 lacks, and fails
		# the probe
		qemu_why="QEMU $qemu_major's cxl-type3 has no event-log interrupt and $kver's cxl_pci fails its probe ('Failed to get interrupt for event Info log'): no mem0"
	fi
	if [ -z "$kdir" ] || [ -n "$missing" ] || [ -n "$qemu_why" ]; then
		why=${missing:+"its config lacks$missing"}
		why=${why:-$qemu_why}
		why=${why:-"no stock $kver kernel: $(tail -n1 "$out/fetch-$kver.log")"}
		for _ in $(seq $cxl_checks); do skip "cxl on $kver" "$why"; done
		continue
	fi
	scripts/guest/run --kver "$kver" --pmem cxl --pmem-size 256M --out "$d" --bin bench/daxbench \
		tests/guest/hw_cxl.sh >"$out/cxl-$kver.log" 2>&1; st=$?
	check "cxl $kver: guest booted and ran hw_cxl.sh ($(tail -n1 "$out/cxl-$kver.log"))" $st \
		"$(tail -n3 "$out/cxl-$kver.log" | tr '\n' ' ')"
	e=$d/env.json f=$d/flush.json
	region=$(sed -n 's/^cxl_region=//p' "$d/.guest-info" 2>/dev/null)
	[[ $region =~ ^region[0-9]+$ ]]
	check "cxl $kver: the guest made a CXL region with cxl create-region (${region:-none})" $? \
		"$(grep -a 'cxl\|daxbench-guest' "$d/console.log" 2>/dev/null | tail -n3 | tr '\n' ' ')"
	check_json "cxl $kver: env: pmem kind cxl, emulated, libnvdimm bus CXL" "$e" \
		'[.pmem.kind, .pmem.emulated, (.pmem.namespace.bus_provider | ascii_upcase)] | @text' '["cxl",true,"CXL"]'
	check_json "cxl $kver: env names the CXL region the guest made (libcxl)" "$e" '.pmem.cxl_region.region' "$region"
	check_json "cxl $kver: env: the region is pmem, 1 way, committed, on root decoder decoder0.0" "$e" \
		'[.pmem.cxl_region.mode, .pmem.cxl_region.interleave_ways, .pmem.cxl_region.committed, .pmem.cxl_region.root_decoder] | @text' \
		'["pmem",1,true,"decoder0.0"]'
	check_json "cxl $kver: env: the region maps memdev mem0, 256 MiB of pmem" "$e" \
		'[.pmem.cxl_region.memdevs[] | [.memdev, .pmem_size]] | @text' '[["mem0",268435456]]'
	check_json "cxl $kver: env: the CXL region's size is the libnvdimm region's" "$e" \
		'.pmem.cxl_region.size == .pmem.namespace.region_size and .pmem.cxl_region.size == 268435456' true
	check_json "cxl $kver: env: fsdax namespace, ext4 mounted with dax" "$e" \
		'[.pmem.namespace.mode, .target.fstype, .target.dax_mount_option] | @text' '["fsdax","ext4",true]'
	check_json "cxl $kver: flush ran on a DAX file on the CXL region" "$f" \
		'[.target.kind, .target.dax, .target.region.kind, .target.region.name] | @text' "[\"dir\",true,\"cxl\",\"$region\"]"
	check_json "cxl $kver: flush: 16 points, every method x size x threads once" "$f" "$grid_ok" true
	check_json "cxl $kver: flush: every point has a positive GB/s, calls and latency samples" "$f" "$points_ok" 16
	g=$d/fault.json
	check_json "cxl $kver: fault: the file is DAX, no trace events lost" "$g" '[.dax, .trace.lost_events] | @text' '[true,0]'
	check_json "cxl $kver: fault: 8 PMD faults in the first pass (16 MiB)" "$g" '.summary[0].faults.pmd_nopage' 8
	check_json "cxl $kver: fault: the fsync flushes 8 entries, 16 MiB" "$g" \
		'[.summary[1].flush.entries, .summary[1].bytes_flushed] | @text' '[8,16777216]'
done
