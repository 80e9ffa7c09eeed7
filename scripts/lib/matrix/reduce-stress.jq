# daxstress.json, reduced (scripts/matrix-table): one object a scenario.
include "daxstress";
[.scenarios[]? | {race_failure: race_failure, name, verdict, seed, duration_ns, sync_calls, pages_checked,
  violations: (.violations // 0),
  by_class: (.violations_by_class // .violation_samples_by_kind // {}),
  totals: {pte: (.events.faults.pte_nopage // null), pmd: (.events.faults.pmd_nopage // null),
           fallback: (.events.faults.pmd_fallback // null), mkwrite: (.events.faults.pfn_mkwrite // null),
           wb: (.events.flush.entries // null), bytes: (.events.flush.bytes // null), syncs: .sync_calls},
  errors: other_failures,
  first_failure: ((.failures // [])[0]),
  lost_events: (.lost_events // 0), flush_time, reproduce}]
