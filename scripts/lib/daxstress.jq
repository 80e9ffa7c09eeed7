# What the host scripts read of a daxstress result, one definition each.
#   jq -L scripts/lib 'include "daxstress"; ...'
# (scripts/finding, scripts/ab, scripts/matrix-table, tests/guest_*.sh)

# The failures of a scenario (.failures[] of daxstress.json) that are not
# the flush oracle's violations: failed calls, failed checks.
def other_failures:
  [(.failures // [])[] | select(test("pairs not flushed|claim a flush they never made") | not)];

# The scenarios that fail on an unfixed kernel by the known bugs
# (results/finding/): the writeback race of every line (concurrent-fsync,
# pte-then-pmd) and on 7.2 dax_break_layout() deleting dirty entries
# (truncate-punch "missed").
def race_scenarios: ["concurrent-fsync", "pte-then-pmd", "truncate-punch"];

# A scenario's failure is the known race: a race scenario failed by
# late or missed violations only (no unflushed one, no other failure), with
# a clean kernel log during it.
def race_failure:
  (.name as $n | race_scenarios | index([$n]) != null)
  and .verdict == "fail" and (.violations // 0) > 0
  and (other_failures | length) == 0
  and ((.kmsg // []) | length) == 0
  and (((.violations_by_class // .violation_samples_by_kind // {}) | .unflushed // 0) == 0);

# ... on a kernel of this side (debian, stock or fixed): never on a fixed one.
def known_race($side): $side != "fixed" and race_failure;

# The known layout bug of 6.15 and later (results/finding/): dax_break_layout()
# ends with dax_delete_mapping_range() over the whole file, deleting dirty
# entries unwritten, so the fsync after a layout change misses pages stored
# outside it.  A failure of the deterministic layout scenario is of that
# kind when every failing operation completed (status done), no stored
# data came back wrong, and it lost stored pages (missing > 0) that no
# writeback covered: no late or unflushed violation, a clean kernel log.
def layout_failure:
  .name == "layout" and .verdict == "fail"
  and ((.kmsg // []) | length) == 0
  and ((.violations_by_class // {}) | (.unflushed // 0) == 0 and (.late // 0) == 0)
  and ([(.info.operations // [])[] | select(.verdict == "fail")]
       | length > 0 and all(.status == "done" and .data_mismatch == 0 and .missing > 0));

# The kernel lines with that bug: 6.15 and later (the line "7.2", "6.15").
def layout_bug_line($line): ($line | tostring | split(".") | map(tonumber? // 0)) >= [6, 15];

# ... on a kernel of this side and line: never on a fixed kernel, nor on a
# line before 6.15 (6.1, 6.12: a layout failure there is a real one).
def known_layout($side; $line): $side != "fixed" and layout_bug_line($line) and layout_failure;

# The near class of the lines before 6.15 (6.1, 6.12; results/finding/layout/):
# a truncate that cuts a dirty 2 MiB entry deletes it whole, unwritten
# (truncate_pagecache_range() -> dax_delete_mapping_entry() whatever its
# tags), and ext4 zero-range, punch-hole and truncate-down, xfs truncate-down
# write nothing back first.  A failure of the layout scenario is of that kind
# when every failing run is a PMD run that completed, read its data back
# intact and lost near pages only, all of them inside the cut 2 MiB entry;
# no far page lost in any run; no late or unflushed violation, a clean log.
def near_failure:
  .name == "layout" and .verdict == "fail"
  and ((.kmsg // []) | length) == 0
  and ((.violations_by_class // {}) | (.unflushed // 0) == 0 and (.late // 0) == 0)
  and ((.info.far.missing // 1) == 0)
  and ([(.info.operations // [])[] | select(.verdict == "fail")]
       | length > 0 and all(.page == "pmd" and .status == "done" and .data_mismatch == 0
                            and (.far.missing // 1) == 0 and (.near.missing // 0) > 0
                            and .near.in_pmd_entry == .near.stored));

# ... on a kernel of this side and line: an unfixed kernel of a line before
# 6.15 (fixed by scripts/kernel/fixes/KVER/dax-truncate-writeback-cut.patch).
def known_near($side; $line): $side != "fixed" and (layout_bug_line($line) | not) and near_failure;

# The known failure a scenario result is, on a kernel of this side and line:
# "race", "layout", "near", or null (none: a failure is a real one).
def known_failure($side; $line):
  if known_race($side) then "race" elif known_layout($side; $line) then "layout"
  elif known_near($side; $line) then "near" else null end;
