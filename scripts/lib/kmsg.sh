# shellcheck shell=bash
# The kernel-log lines that make a run's log unclean, as an extended regex,
# for the scripts that list them from a guest's dmesg.txt (scripts/finding,
# scripts/matrix-table): warnings, BUGs, Oopses, panics, bad page tables,
# general protection faults, lockups and hung tasks.  Source this file.
kmsg_bad='WARNING:|BUG:|Oops|kernel BUG at|Kernel panic|general protection fault|bad pmd|soft lockup|hard LOCKUP|hung_task|blocked for more than'
