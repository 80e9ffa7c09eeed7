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
