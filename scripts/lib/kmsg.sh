# shellcheck shell=bash
# The kernel-log lines that make a run's log unclean, as an extended regex,
# for the scripts that list them from a guest's dmesg.txt (scripts/finding,
# scripts/matrix-table): warnings, BUGs, Oopses, panics, bad page tables,
# general protection faults, lockups and hung tasks.  Also the emulator's
# own faults (below).  Source this file.
kmsg_bad='WARNING:|BUG:|Oops|kernel BUG at|Kernel panic|general protection fault|bad pmd|soft lockup|hard LOCKUP|hung_task|blocked for more than'

# An emulator fault, not the kernel's: under QEMU's multi-threaded TCG, an
# "Oops: int3" when the kernel live-patches code another vCPU runs (stock
# and fixed kernels alike; scripts/guest/run boots TCG guests with
# tsc=unstable, which removed the usual trigger).  emulator_fault DIR: true
# when the guest of scripts/guest/run --out DIR ran under TCG and its
# console shows such an Oops; emulator_fault_line DIR prints that line.
emulator_fault() {
	[ "$(cat "$1/.accel" 2>/dev/null || echo tcg)" = tcg ] &&
		grep -a -q 'Oops: int3' "$1/console.log" 2>/dev/null
}
emulator_fault_line() { grep -a -m1 'Oops: int3' "$1/console.log" 2>/dev/null | sed 's/^ *//'; }
