# The matrix as markdown (matrix.md, report.md), from matrix.json.
include "render";
def esc: tostring | gsub("\\|"; "\\|");
"# Kernel matrix: \(.params.kver | join(", "))",
"",
"Every kernel line \(.params.kver | join(", ")) as \(.params.sides | join(", ")) (debian: Debian's stock linux-image of the line; stock: a small kernel built from Debian's linux-source of the line; fixed: the same with the patches of `scripts/kernel/fixes/KVER/series`), one boot each on emulated pmem and file system (\(.params.fs | join(", ")) -o dax\(fs_note // "" | if . == "" then "" else "; " + . end)): the \(.params.suite | join(",")) suite (\(.params.repeat | map(tostring) | join(",")) repeats a point), then every timed DAX scenario of daxstress, \(.params.duration_per_scenario | map(tostring + " s") | join(",")) each, then one run of the deterministic layout scenario.",
"",
"**Verdict: \(if .ok then "ok" else "NOT ok" end).**",
"",
(summary_lines | "- " + .),
"",
"## Kernels",
"",
"| kernel | release | accel | boot (s) | attempts | harness | suite | daxstress | layout | kernel log |",
"|---|---|---|---:|---:|---:|---:|---:|---:|---|",
(.kernels[] | "| \(.id) | \(.release // "?") | \(.accel // "?") | \(.seconds // "?") | \(.attempts) | \(.harness_status // "-") | \(.suite_status // "-") | \(.daxstress_status // "-") | \(.layout_status // "-") | \(if (.kernel_log | length) == 0 then "clean" else (.kernel_log | map(.line | .[0:100] | esc) | join("<br>")) end)\(if .rcu_stalls > 0 then " (\(.rcu_stalls) RCU stall lines)" else "" end) |"),
"",
(if ([.kernels[] | select(.error != null or .attempts > 1)] | length) > 0 then
  "",
  (.kernels[] | .id as $k | ((.earlier_attempts | to_entries[] | "- \($k), attempt \(.key + 1) (`\(.value.dir)/`, not counted): harness \(.value.harness_status): \(.value.error // "" | .[0:300] | esc)"),
                            (select(.error != null) | "- \($k): harness \(.harness_status): \(.error | .[0:300] | esc)")))
  else empty end),
"",
"## The matrix",
"",
"Counts: one repeat, every phase (~: the median of repeats that differ; daxstress: the whole scenario). Violations: all (late/missed/unflushed). fsync p50: fault points the first fsync, sync points the fsync calls, median of repeats. Kernel log: problems logged during the suite (suite rows) or daxstress (scenario rows). Differs: exact counts (equal in every repeat) that differ from another kernel's for the same point, with this kernel's value.",
"",
"| point | kernel | verdict | violations (l/m/u) | pte | pmd | fallback | mkwrite | wb entries | flushed | syncs | fsync p50 | kernel log | differs |",
"|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
(.points[] | .name as $n | .rows | to_entries[] | .key as $i | .value |
  "| \(if $i == 0 then "**\($n)**" else "" end) | \(.kernel) | \(if .verdict == "FAIL" or .verdict == "missing" then "**\(.verdict)**" else .verdict end) | \(cells | map(esc) | join(" | ")) | \(diffcell | esc) |"),
"",
"\(fail_star_note). Exact counts are compared between the kernels of one file system.",
"",
(if ([.points[].differences[]] | length) > 0 then
  "## Exact counts that differ between kernels", "",
  "| point | count | values |", "|---|---|---|",
  (.points[] | .name as $n | .differences[] | "| \($n) | \(.metric) | \(.groups | map("**\(.value)** on \(.kernels | join(", "))") | join("; ")) |"),
  "" else empty end),
(if ([.points[].rows[] | select(.why != null)] | length) > 0 then
  "## Notes", "",
  (.points[] | .name as $n | .rows[] | select(.why != null) | "- \(.kernel) \($n): \(.known as $k | .why | .[0:(if $k == "layout" or $k == "near" then 500 else 300 end)] | esc)"),
  "" else empty end),
"Machine-readable: `matrix.json`; per boot: `boots/LINE-SIDE/` (ext4) or `boots/LINE-SIDE-xfs/` (suite/, daxstress.json, daxstress.tap, layout.json, layout.tap, dmesg.txt, console.log)."
