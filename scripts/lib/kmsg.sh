# shellcheck shell=bash
# The kernel-log patterns of scripts/lib/kmsg-patterns.txt (the one table,
# shared with lib/kmsg.c and scripts/lib/kmsg.py) for shell scripts.  Source
# this file.
#   kmsg_re CLASS...   the patterns of those classes as one extended regex
#                      (grep -E, awk): warning, died, hung, stall, emulator
#   kmsg_bad           kmsg_re warning died hung: the lines that make a
#                      run's log unclean (scripts/finding, matrix-table)
#   emulator_fault DIR       true when the guest of scripts/guest/run --out
#                      DIR ran under TCG and its console shows an emulator
#                      fault (an "Oops: int3" when the kernel live-patches
#                      code another vCPU runs: QEMU's multi-threaded TCG,
#                      stock and fixed kernels alike)
#   emulator_fault_line DIR  prints that line
kmsg_table=$(dirname "${BASH_SOURCE[0]}")/kmsg-patterns.txt
kmsg_re() {
	awk -F '\t' -v want=" $* " '!/^#/ && NF == 2 && index(want, " " $1 " ") {
		printf "%s%s", (n++ ? "|" : ""), $2 } END { print "" }' "$kmsg_table"
}
kmsg_bad=$(kmsg_re warning died hung)
emulator_fault() {
	[ "$(cat "$1/.accel" 2>/dev/null || echo tcg)" = tcg ] &&
		grep -a -q -E "$(kmsg_re emulator)" "$1/console.log" 2>/dev/null
}
emulator_fault_line() { grep -a -m1 -E "$(kmsg_re emulator)" "$1/console.log" 2>/dev/null | sed 's/^ *//'; }
