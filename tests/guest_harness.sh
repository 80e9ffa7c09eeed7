#!/usr/bin/env bash
# TAP test of scripts/guest/run and scripts/guest/fetch-kernel: three boots
# (about 35 s under TCG).
#   boot 1 (memmap, ext4): a file written to $DAXBENCH_OUT comes back intact,
#          /mnt/pmem is mounted with dax on /dev/pmem0, exit status 3 returned
#   boot 2 (nvdimm, xfs):  a fake WARNING written to /dev/kmsg makes run fail
#          with status 1 and name that line; results still come back
#   boot 3: a script sleeping past --timeout 20 gives status 124
# Exit status: 0 when all pass, 1 otherwise.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
run=$root/scripts/guest/run
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh

need qemu-system-x86_64 /usr/share/qemu/qboot.rom
echo "1..17"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/guest_harness.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# ---- no boot: options ----
"$run" --pmem bogus --out "$tmp/x" /dev/null 2>"$tmp/err"; st=$?
check "bad --pmem exits 2 with a one-line reason" $(( st == 2 ? 0 : 1 )) \
	"status $st" "$(head -n1 "$tmp/err")"
echo 'true' >"$tmp/t.sh"
"$run" "$tmp/t.sh" 2>"$tmp/err"; st=$?
grep -q -- '--out' "$tmp/err"; g=$?
check "missing --out exits 2 and says so" $(( st == 2 && g == 0 ? 0 : 1 )) \
	"status $st" "$(head -n1 "$tmp/err")"
"$run" --fs xfs --pmem-size 256M --out "$tmp/x" "$tmp/t.sh" 2>"$tmp/err"; st=$?
check "--fs xfs with a too small --pmem-size exits 2" $(( st == 2 ? 0 : 1 )) "status $st"

# ---- fetch-kernel: cached, prints the kernel directory ----
kdir=$("$root/scripts/guest/fetch-kernel" 2>"$tmp/err"); st=$?
[ $st -eq 0 ] && [ -f "$kdir/vmlinux" ] && [ -d "$kdir/lib/modules/$(cat "$kdir/release")" ] &&
	[ "$(head -c 4 "$kdir/vmlinux" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]
check "fetch-kernel prints a directory with an ELF vmlinux and its modules" $? \
	"status $st, dir '$kdir'" "$(tail -n1 "$tmp/err")"
t0=$EPOCHREALTIME
"$root/scripts/guest/fetch-kernel" >/dev/null 2>&1
fast=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print (b - a < 0.5) ? 0 : 1 }')
check "fetch-kernel is instant when cached" "$fast"

# ---- boot 1: results, dax mount, exit status ----
token="daxbench-$$-$RANDOM-$RANDOM"
cat >"$tmp/one.sh" <<EOF
printf '%s\n' '$token' >"\$DAXBENCH_OUT/token.txt"
mkdir -p "\$DAXBENCH_OUT/sub"
dd if=/dev/urandom of=/mnt/pmem/blob bs=64k count=4 2>/dev/null
cp /mnt/pmem/blob "\$DAXBENCH_OUT/sub/blob"
md5sum /mnt/pmem/blob | cut -d' ' -f1 >"\$DAXBENCH_OUT/blob.md5"
cp /proc/mounts "\$DAXBENCH_OUT/mounts"
cat /sys/kernel/tracing/options/record-cmd >"\$DAXBENCH_OUT/record-cmd" 2>&1
[ -e /sys/block/pmem0 ] && echo present >"\$DAXBENCH_OUT/sys-block-pmem0"
echo "\$DAXBENCH_PMEM_KIND \$DAXBENCH_FS \$(pwd)" >"\$DAXBENCH_OUT/env"
exit 3
EOF
"$run" --timeout 120 --out "$tmp/o1" "$tmp/one.sh" 2>"$tmp/err1"; st=$?
check "boot 1: the script's exit status (3) is returned" $(( st == 3 ? 0 : 1 )) \
	"status $st" "$(tail -n1 "$tmp/err1")"
[ "$(cat "$tmp/o1/token.txt" 2>/dev/null)" = "$token" ]
check "boot 1: a file written to \$DAXBENCH_OUT comes back with the same content" $? \
	"token.txt: $(head -c 80 "$tmp/o1/token.txt" 2>&1)"
[ -f "$tmp/o1/sub/blob" ] && [ "$(md5sum <"$tmp/o1/sub/blob" | cut -d' ' -f1)" = "$(cat "$tmp/o1/blob.md5")" ]
check "boot 1: a binary file in a subdirectory comes back intact" $?
awk '$2 == "/mnt/pmem" && $1 == "/dev/pmem0" && $3 == "ext4" && ("," $4 ",") ~ /,dax(=always)?,/ { f = 1 } END { exit !f }' \
	"$tmp/o1/mounts" 2>/dev/null
check "boot 1: /mnt/pmem is /dev/pmem0, ext4, mounted with dax" $? \
	"$(grep pmem "$tmp/o1/mounts" 2>&1 | head -n1)"
[ "$(cat "$tmp/o1/record-cmd" 2>/dev/null)" = 0 ]
check "boot 1: tracefs comm recording is off (no live patching of __schedule under TCG)" $? \
	"record-cmd: $(cat "$tmp/o1/record-cmd" 2>&1)"
[ "$(cat "$tmp/o1/sys-block-pmem0" 2>/dev/null)" = present ] && [ "$(cat "$tmp/o1/env")" = "memmap ext4 /mnt/pmem" ]
check "boot 1: /sys/block/pmem0 exists; DAXBENCH_PMEM_KIND, DAXBENCH_FS and the cwd are right" $? \
	"env: $(cat "$tmp/o1/env" 2>&1)"
[ -s "$tmp/o1/console.log" ] && [ -s "$tmp/o1/dmesg.txt" ] && [ "$(cat "$tmp/o1/.exit-status")" = 3 ] &&
	grep -q 'EXT4-fs (pmem0): mounted' "$tmp/o1/dmesg.txt"
check "boot 1: console.log, dmesg.txt and .exit-status land in --out" $?

# ---- boot 2: kernel WARNING is a failure (nvdimm + xfs) ----
cat >"$tmp/two.sh" <<'EOF'
cp /proc/mounts "$DAXBENCH_OUT/mounts"
echo "WARNING: CPU: 0 PID: 1 at fake" >/dev/kmsg
echo written
EOF
"$run" --pmem nvdimm --fs xfs --timeout 120 --out "$tmp/o2" "$tmp/two.sh" 2>"$tmp/err2"; st=$?
check "boot 2: a WARNING in the kernel log makes run exit 1" $(( st == 1 ? 0 : 1 )) \
	"status $st" "$(tail -n1 "$tmp/err2")"
grep -q 'console.log:[0-9]*: .*WARNING: CPU: 0 PID: 1 at fake' "$tmp/err2"
check "boot 2: the message names the offending console line" $? "$(tail -n1 "$tmp/err2")"
awk '$2 == "/mnt/pmem" && $3 == "xfs" && ("," $4 ",") ~ /,dax(=always)?,/ { f = 1 } END { exit !f }' \
	"$tmp/o2/mounts" 2>/dev/null && [ "$(cat "$tmp/o2/.exit-status")" = 0 ]
check "boot 2: nvdimm fsdax namespace mounted as xfs with dax; results kept" $? \
	"$(grep pmem "$tmp/o2/mounts" 2>&1 | head -n1)"

# ---- boot 3: timeout ----
printf 'echo sleeping\nsleep 100\necho never\n' >"$tmp/three.sh"
t0=$EPOCHREALTIME
"$run" --timeout 20 --out "$tmp/o3" "$tmp/three.sh" 2>"$tmp/err3"; st=$?
secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", b - a }')
check "boot 3: a script sleeping past --timeout 20 gives 124" $(( st == 124 ? 0 : 1 )) \
	"status $st" "$(tail -n1 "$tmp/err3")"
[ "$secs" -le 30 ] && ! grep -q never "$tmp/o3/console.log"
check "boot 3: the run ends within the timeout and the script was stopped" $? "took $secs s"

[ $tap_failed -eq 0 ] || { echo "# $tap_failed of $n failed"; exit 1; }
exit 0
