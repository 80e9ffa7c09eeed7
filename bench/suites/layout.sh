# The layout suite: what a small layout change costs a file with a large
# dirty set, and whether the dirty set survives it (daxbench punch: per
# operation the bytes the kernel writes back during it, its latency, the
# next fsync's latency and bytes, the pages no writeback covered).  For the
# A/B of the dax_break_layout() fixes of scripts/kernel/fixes/7.2/ (their
# layout-variants/), with daxstress after it in every boot:
#   make ab KVER=7.2 PATCH_A=a-writeback-whole PATCH_B=c-op-range \
#           SUITE=layout STRESS=dax REPEAT=2
# Points (each: 8 times a store to every page, then the operation of 4 KiB
# in a 2 MiB region of its own; an fsync after each operation, or in the
# -batch points after the eighth only):
#   punch-pmd        256 MiB file mapped with PMDs, fallocate(PUNCH_HOLE)
#   punch-pte        64 MiB file mapped with PTEs only, fallocate(PUNCH_HOLE)
#   zero-pmd         256 MiB file mapped with PMDs, fallocate(ZERO_RANGE)
#   punch-pmd-batch  punch-pmd with one fsync for the 8 punches
#   punch-pte-batch  punch-pte with one fsync for the 8 punches
# Under TCG (2 vCPUs) about 40 s; every point is repeated DAXBENCH_REPEAT
# times (default 5; scripts/ab sets 1).
# settings (DAXBENCH_OUT, DAXBENCH_DIR, DAXBENCH_REPEAT) and point()
. "$(dirname "$0")/lib/point.sh"
point punch-pmd punch --dir "$dir" --size 256M --page pmd --hole 4K --ops 8
point punch-pte punch --dir "$dir" --size 64M --page pte --hole 4K --ops 8
point zero-pmd punch --dir "$dir" --size 256M --page pmd --op zero --hole 4K --ops 8
point punch-pmd-batch punch --dir "$dir" --size 256M --page pmd --hole 4K --ops 8 --sync-every 8
point punch-pte-batch punch --dir "$dir" --size 64M --page pte --hole 4K --ops 8 --sync-every 8
daxbench env --dir "$dir" >"$out/env.json"
verdicts
