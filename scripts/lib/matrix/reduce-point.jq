# One daxbench result (a point of the suite), reduced (scripts/matrix-table):
# {name, command, started, dax, runs, metrics: [per run {metric: count}],
#  totals: [per run {pte, pmd, fallback, mkwrite, wb, bytes, syncs}],
#  sync_p50: [per run ns], checks: [failed checks], lost_events}.  $name: the point.
def phase_metrics: . as $p |
  [($p.faults // {} | to_entries[] | {key: "\($p.name).faults.\(.key)", value}),
   ($p.flush // {} | to_entries[] | {key: "\($p.name).flush.\(.key)", value}),
   {key: "\($p.name).bytes_dirtied", value: $p.bytes_dirtied},
   {key: "\($p.name).pages_stored", value: $p.pages_stored}]
  | map(select(.value | type == "number"));
def tot($f): {pte: ($f.faults.pte_nopage // 0), pmd: ($f.faults.pmd_nopage // 0),
              fallback: ($f.faults.pmd_fallback // 0), mkwrite: ($f.faults.pfn_mkwrite // 0),
              wb: ($f.flush.entries // 0), bytes: ($f.flush.bytes // 0)};
def add_tot: reduce .[] as $t ({pte: 0, pmd: 0, fallback: 0, mkwrite: 0, wb: 0, bytes: 0};
  with_entries(.value += $t[.key]));
{name: $name, command, started, dax, lost_events: (.trace.lost_events // 0),
 runs: (.runs | length)} +
if .command == "fault" then
  {metrics: [.runs[] | [.[] | phase_metrics[]] | from_entries],
   totals: [.runs[] | [.[] | tot(.)] | add_tot | . + {syncs: null}],
   sync_p50: [.runs[] | [.[] | select(.name == "fsync") | .sync_ns][0]] | map(select(. != null)),
   checks: [.runs | to_entries[] | .key as $r | .value[] |
     if .name == "fsync-idle" then
       select((.bytes_flushed // 0) > 0) | "repeat \($r + 1): the idle fsync flushed \(.bytes_flushed) bytes"
     elif (.name | startswith("fsync")) then
       select((.bytes_flushed // 0) < (.bytes_dirtied // 0))
       | "repeat \($r + 1): \(.name) flushed \(.bytes_flushed) of \(.bytes_dirtied) bytes dirtied"
     else empty end]}
elif .command == "sync" then
  {metrics: [.runs[] |
     ([(.faults // {} | to_entries[] | {key: "faults.\(.key)", value}),
       (.flush // {} | to_entries[] | {key: "flush.\(.key)", value}),
       {key: "sync.calls", value: .sync.overall.calls},
       {key: "sync.bytes_flushed", value: .sync.overall.bytes_flushed},
       {key: "idle_sync_bytes_flushed", value: .idle_sync_bytes_flushed}]
      | map(select(.value | type == "number")) | from_entries)],
   totals: [.runs[] | tot(.) + {syncs: .sync.overall.calls}],
   sync_p50: [.runs[] | (.sync.by_method.fsync // .sync.overall).sync_latency.p50 | select(. != null)],
   checks: [.runs | to_entries[] | .key as $r | .value |
     (select((.idle_sync_bytes_flushed // 0) > 0)
      | "repeat \($r + 1): the idle sync flushed \(.idle_sync_bytes_flushed) bytes"),
     (select((.no_store_syncs.bytes_flushed // 0) > 0)
      | "repeat \($r + 1): syncs with no store before them flushed \(.no_store_syncs.bytes_flushed) bytes"),
     (select(.pte_then_pmd.every_page_flushed == false)
      | "repeat \($r + 1): pte-then-pmd: a page dirtied was not flushed")]}
else {metrics: [], totals: [], sync_p50: [], checks: []} end
