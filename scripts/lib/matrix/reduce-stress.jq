# daxstress.json (or the layout scenario's layout.json), reduced
# (scripts/matrix-table): one object a scenario.  $side, $line: the boot's
# kernel, for the known failures of scripts/lib/daxstress.jq.
include "daxstress";
[.scenarios[]? | {known: known_failure($side; $line), name, verdict, seed, duration_ns, sync_calls, pages_checked,
  violations: (.violations // 0),
  by_class: (.violations_by_class // .violation_samples_by_kind // {}),
  totals: {pte: (.events.faults.pte_nopage // null), pmd: (.events.faults.pmd_nopage // null),
           fallback: (.events.faults.pmd_fallback // null), mkwrite: (.events.faults.pfn_mkwrite // null),
           wb: (.events.flush.entries // null), bytes: (.events.flush.bytes // null), syncs: .sync_calls},
  errors: (if known_layout($side; $line) or known_near($side; $line) then [] else other_failures end),
  first_failure: ((.failures // [])[0]),
  # the layout scenario: its runs (operation x PTE/PMD) and the operations
  # that lost pages
  layout: (if .name == "layout" and .info.operations then
    {runs: (.info.runs // (.info.operations | length)), fail: (.info.fail // null),
     lost: ([.info.operations[] | select(.verdict == "fail") | .operation] | unique),
     missing: ([.info.operations[] | .missing // 0] | add)} else null end),
  lost_events: (.lost_events // 0), flush_time, reproduce}]
