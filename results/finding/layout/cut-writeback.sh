#!/usr/bin/env bash
# Boot one kernel twice (ext4, then xfs made with reflink=1) running
# cut-writeback (cut-writeback.c, built here with cc -O2 -static) and write
# its output, headed by the kernel, the file system, its exit status and the
# tracefs instances left, to cut-writeback/NAME-ext4.txt and NAME-xfs.txt.
#   results/finding/layout/cut-writeback.sh NAME --kver KVER
#   results/finding/layout/cut-writeback.sh NAME --kernel BZIMAGE --modules none
# About 20 s a boot under TCG.  Exit: 0, 1 a boot failed, 2 bad usage.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
if [ $# -lt 2 ] || ! [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]]; then
	echo "usage: cut-writeback.sh NAME --kver KVER | --kernel BZIMAGE --modules none" >&2
	exit 2
fi
name=$1
shift
work=$root/build/cut-writeback
mkdir -p "$work" "$here/cut-writeback"
cc -O2 -Wall -Wextra -static -o "$work/cut-writeback" "$here/cut-writeback.c" || exit 1
cat >"$work/guest.sh" <<'GUEST'
# shellcheck shell=sh
out=${DAXBENCH_OUT:-/results}
cut-writeback "${DAXBENCH_MNT:-/mnt/pmem}" >"$out/cut-writeback.txt" 2>&1
echo $? >"$out/cut-writeback.rc"
ls -A /sys/kernel/tracing/instances >"$out/instances.txt" 2>&1
exit 0
GUEST
st=0
for fs in ext4 xfs-reflink; do
	d=$work/$name-${fs%-reflink}
	rm -rf "$d"
	if ! "$root/scripts/guest/run" "$@" --fs "$fs" --timeout 300 --bin "$work/cut-writeback" \
		--out "$d" "$work/guest.sh" >"$d.log" 2>&1; then
		echo "cut-writeback.sh: the $fs boot failed: $(tail -n 1 "$d.log")" >&2
		st=1
		continue
	fi
	g=$d/.guest-info
	{
		echo "# $(sed -n 's/^kernel=//p' "$g"), $(sed -n 's/^fs=//p' "$g")$(grep -q '^xfs_reflink=1' "$g" && echo ', reflink=1');" \
			"exit $(cat "$d/cut-writeback.rc"); tracefs instances left: $(grep -c . "$d/instances.txt")"
		cat "$d/cut-writeback.txt"
	} >"$here/cut-writeback/$name-${fs%-reflink}.txt"
	cat "$here/cut-writeback/$name-${fs%-reflink}.txt"
done
exit $st
