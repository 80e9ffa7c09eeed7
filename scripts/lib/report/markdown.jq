# The A/B report as markdown (report.md), from the model (model.jq).
include "common";
def esc: tostring | gsub("\\|"; "\\|");
.c as $c | .ab as $ab
| ($c.sides.a.label) as $la | ($c.sides.b.label) as $lb
| ($c.totals) as $t
| "# daxbench A/B report",
  "",
  "**A** = \($la) \u00a0\u00a0 **B** = \($lb)",
  "",
  (if ($ab != null) then "Suite `\($ab.suite_file | sub("^.*/(?<p>(results|bench|tests)/)"; "\(.p)") | if startswith("bench/suites/") then $ab.suite else . end)`, \($ab.boots_per_kernel) boots of each kernel in the order A B, B A, A B, ..., one run of every point per boot; \($ab.pmem) pmem \($ab.pmem_size), \($ab.accel | ascii_upcase), started \($ab.started)." else "Result directories: A = `\($c.sides.a.dir)`, B = `\($c.sides.b.dir)`." end),
  "",
  (if ($ab != null) then
     "| | A | B |", "|---|---|---|",
     "| kernel image | \($ab.a.kernel | if . == "stock" then "Debian stock (scripts/guest/fetch-kernel)" else "`\(.)`" end) | \($ab.b.kernel | if . == "stock" then "Debian stock (scripts/guest/fetch-kernel)" else "`\(.)`" end) |",
     "| modules | \($ab.a.modules) | \($ab.b.modules) |",
     (if ($ab.builds.a // $ab.builds.b) != null then
        "| built from | \([$ab.builds.a, $ab.builds.b] | map(built_txt($ab.builds.kver) | esc) | join(" | ")) |"
      else empty end),
     "| file system | \($ab.a.fs) | \($ab.b.fs) |",
     (if (($ab.a.env // "") + ($ab.b.env // "")) != "" then "| suite settings | `\($ab.a.env // "")` | `\($ab.b.env // "")` |" else empty end),
     ""
   else empty end),
  "## Alerts",
  "",
  (if (.alerts | length) == 0 then
     "None: no kernel warning (WARNING, BUG, Oops, panic, RCU stall, soft lockup) in any boot\u0027s log, no stress failure, no failed boot, no oracle violation in the results of either side."
   else
     (.alerts[] | "- **\(.side)** \(.where): \(.kind): `\(.text | esc)`")
   end),
  "",
  "## Summary",
  "",
  "- **\($t.timings) timing metrics**: \($t.same) same, \($t.faster) faster, \($t.slower) slower (B against A).",
  "- **\($t.counts) exact counts**: \($t.counts_equal) equal, \($t.counts_differ) differ\(if $t.counts_vary > 0 then ", \($t.counts_vary) vary from run to run within a side (\($t.counts_vary_differ // 0) of them with different medians)" else "" end)\(if $t.counts_missing > 0 then ", \($t.counts_missing) present on one side only" else "" end).",
  (if ($c.only_in_a | length) + ($c.only_in_b | length) > 0 then "- Points only in A: \($c.only_in_a | join(", ") | if . == "" then "none" else . end); only in B: \($c.only_in_b | join(", ") | if . == "" then "none" else . end)." else empty end),
  (if ($c.not_compared // [] | length) > 0 then "- Not compared (compare compares fault and sync results): \([$c.not_compared[] | "\(.file) in \(.side | ascii_upcase) (\(.command))"] | join(", "))." else empty end),
  "",
  (if (.findings | length) > 0 then
     "### Timings that changed", "",
     "| point | metric | A | B | change | 95% CI | p | verdict |",
     "|---|---|--:|--:|--:|--:|--:|---|",
     (.findings[] | "| \(.point) | \(.label) | \(.text.a) | \(.text.b) | \(.text.change) | \(.text.ci) | \(.text.p) | **\(.verdict)** |"),
     ""
   else empty end),
  (if (.count_diffs | length) > 0 then
     "### Counts that differ", "",
     "| point | count | A | B |", "|---|---|--:|--:|",
     (.count_diffs[] | "| \(.point) | \(.label) | \(.text.a) | \(.text.b) |"),
     ""
   else empty end),
  (if (.count_varies | length) > 0 then
     "### Counts that vary between runs of one side", "",
     "Not exact on either kernel (threads race), so compared like timings: medians, the same interval, a verdict.", "",
     "| point | counts | largest change of the medians | verdicts |", "|---|--:|---|---|",
     (.vary_by_point[] | "| \(.point) | \(.n) | \(.top.label): \(.top.text.a) vs \(.top.text.b) (\(.top.text.change // "-")) | \(.verdicts) |"),
     ""
   else empty end),
  (if (.layout | length) + (.stress | length) > 0 then
     "## Layout points and stress verdicts", "",
     (if (.layout | length) > 0 then
        layout_intro, "",
        "| point | side | ops | per fsync | dirtied before each | op latency | written back by the op | (most in one op) | fsync | written back by it | unflushed pages | hole pages not zero |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        (.layout[] | "| \(.point) | \(.side) | \(.ops) | \(.per_fsync) | \(.dirtied | fb) | \(.op_ns | ft) | \(.op_flushed | fb) | \(.op_flushed_max | fb) | \(.fsync_ns | ft) | \(.fsync_flushed | fb) | \(unfl_txt) | \(.hole_not_zero) |"),
        ""
      else empty end),
     (if (.stress | length) > 0 then
        stress_intro(.ab), "",
        "| scenario | A passed | A violations | A other failures | A calls / pairs | B passed | B violations | B other failures | B calls / pairs |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
        (.stress[] | "| \(.name) | \(.a | pass_txt) | \(.a | viol_txt) | \(.a.errors) | \(.a.sync_calls) / \(.a.pairs) | \(.b | pass_txt) | \(.b | viol_txt) | \(.b.errors) | \(.b.sync_calls) / \(.b.pairs) |"),
        "",
        (.stress[] | .name as $n | (.a, .b) | select(.first_error != null) | "- \($n): first failure other than a violation: `\(.first_error | esc)`"),
        ""
      else empty end)
   else empty end),
  "## How to read this",
  "",
  "- A **timing** has one value per run (a run is one boot of the kernel under `make ab`): a sync call time, a percentile of the run\u0027s store-latency histogram. *change* = median(B) / median(A) \u2212 1; negative is faster.",
  "- The **interval** is a \((100 * (1 - $c.statistics.alpha)) | round)% confidence interval of the change that holds for all \($c.statistics.timing_metrics) timing metrics together (Bonferroni: each at \(100 * $c.statistics.ci_level_each | . * 1000 | round / 1000)%), from a bootstrap over the runs (\($c.statistics.resamples) resamples, seed \($c.statistics.seed)), smoothed and widened for the few runs there are (see `include/compare_stats.h`). The **verdict** is *same* when the interval contains 0, else *faster* or *slower*. A single interval at 95% would call about one metric in twenty different between two identical kernels; the simultaneous one keeps the whole table honest.",
  "- With fewer runs than a rank test needs to reach p < 0.05 at all (3 against 3), the interval is unbounded: so few runs cannot tell a change from two boots that happened to land differently.",
  "- **p** is the two-sided Mann-Whitney U test. With \(($c.points[0].runs_a)) against \(($c.points[0].runs_b)) runs it cannot go below \($c.points[0].min_p * 10000 | round / 10000), so it is evidence to read beside the interval, not the verdict.",
  "- **Counts** (faults by kind, flush entries and pages, bytes flushed, sync calls) are exact and compared exactly: any difference is listed above.",
  "",
  (if (.figures | length) > 0 then
     "## Figures", "",
     (.figures[] | "![\(.)](\(.).png)", "", "*\(fig_caption)* ([SVG](\(.).svg))", "")
   else empty end),
  "## Points",
  "",
  (.c.points[] |
    "### \(.name)", "",
    "`daxbench \(.command)`: \(.params_text); A \(.runs_a) runs, B \(.runs_b) runs.\(if .params_differ then " **Parameters differ:** \(.params_differ)." else "" end)",
    "",
    "| timing | A | B | change | 95% CI | p | verdict |",
    "|---|--:|--:|--:|--:|--:|---|",
    (.timings[] | "| \(.label) | \(.text.a) | \(.text.b) | \(.text.change // "-") | \(.text.ci // "-") | \(.text.p // "-") | \(if .verdict == "same" or .verdict == null then (.verdict // "n/a") else "**\(.verdict)**" end) |"),
    "",
    ([.counts[] | select(.status == "equal")] | length) as $eq
    | "Exact counts: \($eq) of \(.counts | length) equal\(if $eq == (.counts | length) then "." else "; the others:" end)",
    "",
    (if $eq < (.counts | length) then
       "| count | A | B | status |", "|---|--:|--:|---|",
       (.counts[] | select(.status != "equal") | "| \(.label) | \(.text.a) | \(.text.b) | **\(.status)** |"),
       ""
     else empty end)
  ),
  (if (.boots | length) > 0 then
     "## Boots", "",
     "| # | side | kernel | fs | result | time | kernel warnings |", "|--:|---|---|---|---|--:|---|",
     (.boots[] | "| \(.boot) | \(.side) | \(.release) | \(.fs) | \(.result) | \(if .seconds then "\(.seconds) s" else "-" end) | \(.kernel_warnings | length) |"),
     ""
   else empty end),
  "## Environment",
  "",
  "| | A | B |", "|---|---|---|",
  ( [["kernel", (.c.sides.a.env.kernel.release // "?"), (.c.sides.b.env.kernel.release // "?")],
     ["build", (.c.sides.a.env.kernel.version // "?"), (.c.sides.b.env.kernel.version // "?")],
     ["file system", "\(.c.sides.a.env.target.fstype // "?") (\(.c.sides.a.env.target.super_options // ""))", "\(.c.sides.b.env.target.fstype // "?") (\(.c.sides.b.env.target.super_options // ""))"],
     ["pmem", "\(.c.sides.a.env.pmem.kind // "?") \(.c.sides.a.env.target.source // "")", "\(.c.sides.b.env.pmem.kind // "?") \(.c.sides.b.env.target.source // "")"],
     ["CPU", "\(.c.sides.a.env.cpu.model // "?"), \(.c.sides.a.env.cpu.ncpus // "?") CPUs", "\(.c.sides.b.env.cpu.model // "?"), \(.c.sides.b.env.cpu.ncpus // "?") CPUs"],
     ["command line", (.c.sides.a.env.kernel.cmdline // "?"), (.c.sides.b.env.kernel.cmdline // "?")]]
    | .[] | "| \(.[0]) | \(.[1] | esc) | \(.[2] | esc) |"),
  "",
  "## Files",
  "",
  "`compare.json` (every value of every run, the statistics), `compare.txt` (the same as text)\(if .ab != null then ", `A/` and `B/` (each point\u0027s runs of all boots merged into one NAME.json), `boots/` (each boot\u0027s raw results, console.log and dmesg.txt), `boots.json`, `ab.json`" else "" end); figures as PNG and SVG."
