# The matrix (scripts/matrix-table): every boot's reduced object (jq -s),
# sorted by line, file system and side, into kernels, points with their
# rows, the differences of exact counts (between the kernels of one file
# system), totals, the verdict.  $created: the time.
def vkey: split(".") | map(tonumber? // 0);
def sidx: {"debian": 0, "stock": 1, "fixed": 2}[.] // 3;
def median: sort | if length == 0 then null else .[(length - 1) / 2 | floor] end;
def fsidx: {"ext4": 0, "xfs": 1}[.] // 2;
# The known failures of an unfixed kernel: the reduced scenario's known,
# scripts/lib/daxstress.jq's known_failure($side; $line) ("race", "layout"
# or null), judged when the boot was reduced.
def known_note($s):
  if $s.known == "layout" then
    "the known layout bug of 6.15+ (results/finding/: dax_break_layout() deletes dirty entries unwritten)" +
    (if $s.layout != null then ": \($s.layout.fail // "?") of \($s.layout.runs // "?") runs lost \($s.layout.missing) stored page(s): \($s.layout.lost | join(" "))" else "" end)
  elif $s.known == "near" then
    "the known near class of 6.1/6.12 (results/finding/layout/: a truncate that cuts a dirty 2 MiB entry deletes it unwritten)" +
    (if $s.layout != null then ": \($s.layout.fail // "?") of \($s.layout.runs // "?") runs lost \($s.layout.missing) near page(s): \($s.layout.lost | join(" "))" else "" end)
  else null end;
# the per-metric summary of a point: exact counts (equal in every repeat, 2
# repeats or more) and the others (min, median, max)
def metric_summary:
  (.metrics // []) as $m | ($m | length) as $n |
  ([$m[] | keys[]] | unique) as $keys |
  reduce $keys[] as $k ({exact: {}, varies: {}};
    [$m[] | .[$k] | select(. != null)] as $v |
    if ($v | length) == $n and $n >= 2 and ($v | unique | length) == 1 then .exact[$k] = $v[0]
    else .varies[$k] = {min: ($v | min), median: ($v | median), max: ($v | max)} end);
def totals_of:
  (.totals // []) as $t |
  if ($t | length) == 0 then {pte: null, pmd: null, fallback: null, mkwrite: null, wb: null, bytes: null, syncs: null, approx: false}
  else (reduce ($t[0] | keys[]) as $k ({}; .[$k] = ([$t[] | .[$k] | select(. != null)] | median)))
       + {approx: ([$t[] | tostring] | unique | length > 1)} end;

map(.fs //= "ext4") | sort_by((.line | vkey), (.fs | fsidx), (.side | sidx)) as $boots |
[$boots[] | {id: "\(.line) \(.side) \(.fs)", line, side, image, release, accel, seconds, duration, seed, repeat, suite, fs,
   harness_status, error, attempts: (.attempts // 1), earlier_attempts: (.earlier_attempts // []),
   suite_status, daxstress_status, layout_status, script_status, kernel_log, rcu_stalls,
   points: (.points | length), scenarios: ((.stress // []) | length),
   complete: ((.harness_status == 0 or (.harness_status == 1 and (.kernel_log | length) > 0))
              and .suite_status == 0 and (.daxstress_status == 0 or .daxstress_status == 1)
              and (((.scenarios // []) | index(["layout"])) == null or .layout_status == 0 or .layout_status == 1)
              and .stress != null)}] as $kernels |
# the points in the order the suite ran them, then the scenarios
([$boots[] | .points[] | {name, started: (.started // "")}] | group_by(.name)
   | map({name: .[0].name, started: (map(.started) | min)}) | sort_by(.started, .name) | map(.name)) as $pnames |
([$boots[] | (.stress // [])[] | .name] | reduce .[] as $s ([]; if index([$s]) then . else . + [$s] end)) as $snames |
def klog_for($b; $phase): [$b.kernel_log[] | select(.phase == $phase or .phase == "boot") | .line];
def row($b; $name; $kind):
  {kernel: "\($b.line) \($b.side) \($b.fs)", line: $b.line, side: $b.side, fs: $b.fs} +
  if $kind == "suite" then
    ([$b.points[] | select(.name == $name)][0]) as $p |
    if $p == null then {verdict: "missing", why: (if $b.suite_status == null then "the suite did not finish" else "no result (suite status \($b.suite_status))" end)}
    else ($p | metric_summary) as $ms |
      {verdict: (if $p.dax == false then "no-dax" elif ($p.checks | length) > 0 then "FAIL" else "pass" end),
       why: ($p.checks[0] // null), checks: $p.checks, command: $p.command, repeats: $p.runs,
       counts: ($p | totals_of), fsync_p50_ns: ($p.sync_p50 | median),
       exact: $ms.exact, varies: $ms.varies, lost_events: $p.lost_events}
    end + {kernel_log: klog_for($b; "suite")}
  else
    ([($b.stress // [])[] | select(.name == $name)][0]) as $s |
    if $s == null then {verdict: "missing", why: (if $b.stress == null then "no daxstress result" else "scenario not run" end)}
    else {verdict: (if $s.verdict == "fail" then (if $s.known != null then "fail*" else "FAIL" end)
                    else $s.verdict end),
          known: (if $s.verdict == "fail" then $s.known else null end),
          known_race: ($s.verdict == "fail" and $s.known == "race"),
          why: ($s.errors[0] // known_note($s) // (if $s.verdict == "fail" and $s.known == null then $s.first_failure else null end)),
          errors: $s.errors, violations: $s.violations, by_class: $s.by_class,
          sync_calls: $s.sync_calls, pages_checked: $s.pages_checked, seed: $s.seed,
          duration_ns: $s.duration_ns, counts: ($s.totals + {approx: false}), fsync_p50_ns: null,
          exact: {}, varies: {}, lost_events: $s.lost_events, reproduce: $s.reproduce, layout: $s.layout}
    end + {kernel_log: klog_for($b; "stress")}
  end;
def differences_of:
  . as $rows |
  ([$rows[] | (.exact // {}) | keys[]] | unique) as $keys |
  [$keys[] as $k |
   [$rows[] | select(.exact // {} | has($k)) | {kernel, value: .exact[$k]}] as $v |
   select(($v | map(.value) | unique | length) > 1) |
   {metric: $k, fs: $rows[0].fs, groups: ($v | group_by(.value) | map({value: .[0].value, kernels: map(.kernel)})
                         | sort_by(-(.kernels | length)))}];
# exact counts are compared between the kernels of one file system
def differences: [group_by(.fs | fsidx)[] | differences_of[]];
([($pnames[] | {name: ., kind: "suite"}), ($snames[] | {name: ., kind: "stress"})] |
 map(. as $p | {name: $p.name, kind: $p.kind, rows: [$boots[] | row(.; $p.name; $p.kind)]}
     | .differences = (.rows | differences)
     | .differences as $d
     | .rows |= map(.kernel as $k | . + {differs: [$d[] | .metric as $m | .groups[] | select(.kernels | index([$k])) | {metric: $m, value}]}))) as $points |
($boots[0] // {}) as $b0 |
{suite: "daxbench", kind: "matrix", created: $created,
 params: {kver: ($kernels | map(.line) | unique | sort_by(vkey)), sides: ($kernels | map(.side) | unique | sort_by(sidx)),
          suite: ([$kernels[] | .suite] | unique), duration_per_scenario: ([$kernels[] | .duration] | unique),
          repeat: ([$kernels[] | .repeat] | unique), seed: ([$kernels[] | .seed] | unique), fs: ([$kernels[] | .fs] | unique)},
 kernels: $kernels, points: $points} |
.totals = {
  kernels: (.kernels | length), boots_incomplete: [.kernels[] | select(.complete | not) | .id],
  rows: ([.points[].rows[]] | length),
  pass: ([.points[].rows[] | select(.verdict == "pass")] | length),
  known_race: ([.points[].rows[] | select(.verdict == "fail*" and .known == "race")] | length),
  known_layout: ([.points[].rows[] | select(.verdict == "fail*" and .known == "layout")] | length),
  known_near: ([.points[].rows[] | select(.verdict == "fail*" and .known == "near")] | length),
  failed: [.points[] | .name as $n | .rows[] | select(.verdict == "FAIL") | "\(.kernel) \($n)"],
  missing: [.points[] | .name as $n | .rows[] | select(.verdict == "missing") | "\(.kernel) \($n)"],
  skipped: ([.points[].rows[] | select(.verdict == "skip")] | length),
  differences: ([.points[].differences[]] | length),
  kernel_log: [.kernels[] | select(.kernel_log | length > 0) | .id],
  fixed_rows: ([.points[].rows[] | select(.side == "fixed")] | length),
  fixed_pass: ([.points[].rows[] | select(.side == "fixed" and (.verdict == "pass" or .verdict == "skip"))] | length)} |
.ok = (.totals | (.boots_incomplete | length) == 0 and (.failed | length) == 0 and (.missing | length) == 0
       and (.kernel_log | length) == 0)
