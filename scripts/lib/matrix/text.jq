# The matrix as the terminal table (matrix.txt), from matrix.json.
include "render";
def hdr: ["point", "kernel", "verdict", "violations (l/m/u)", "pte", "pmd", "fallbk", "mkwr", "wb", "flushed", "syncs", "fsync-p50", "kernel-log", "differs"];
def widths: [22, 16, 8, 19, 9, 7, 7, 6, 9, 9, 7, 10, 11, 0];
def right: [false, false, false, true, true, true, true, true, true, true, true, true, false, false];
def line($c): [$c, widths, right] | transpose | map(. as [$s, $w, $r] | if $w == 0 then $s elif $r then ($s | lpad($w)) else ($s | rpad($w)) end) | join(" ") | sub(" +$"; "");
"daxbench matrix: \(.params.kver | join(", ")) x \(.params.sides | join(", ")); suite \(.params.suite | join(",")), " +
"\(.params.duration_per_scenario | map(tostring + " s") | join(",")) a timed daxstress scenario and one run of layout, \(.params.fs | join(",")) -o dax on emulated pmem\(fs_note // "" | if . == "" then "" else "; " + . end)",
"",
(.kernels[] | "  \(.id | rpad(17)) \(.release // "?" | rpad(36)) \(.accel // "?") \(.seconds // "?") s, harness \(.harness_status // "-"), suite \(.suite_status // "-"), daxstress \(.daxstress_status // "-"), layout \(.layout_status // "-")\(if .attempts > 1 then ", attempt \(.attempts) (before: \(.earlier_attempts | map("harness \(.harness_status)") | join(", ")))" else "" end)\(if .rcu_stalls > 0 then ", \(.rcu_stalls) RCU stall line(s)" else "" end)\(if (.kernel_log | length) > 0 then ", log: \(.kernel_log[0].line | .[0:70])" else "" end)"),
"",
line(hdr),
(.points[] | .name as $n | .rows | to_entries[] | .key as $i | .value |
  line([(if $i == 0 then $n else "" end), kname, .verdict] + cells + [diffcell])),
"",
(if ([.points[].differences[]] | length) > 0 then
  "exact counts that differ between kernels:",
  (.points[] | .name as $n | .differences[] | "  \($n) \(.metric): \(.groups | map("\(.value) on \(.kernels | join(", "))") | join("; "))"),
  "" else empty end),
(if ([.points[].rows[] | select(.why != null)] | length) > 0 or ([.kernels[] | select(.error != null or .attempts > 1)] | length) > 0 then
  "notes:",
  (.kernels[] | .id as $k | ((.earlier_attempts | to_entries[] | "  \($k) attempt \(.key + 1) (\(.value.dir)): harness \(.value.harness_status): \(.value.error // "" | .[0:140])"),
                            (select(.error != null) | "  \($k) boot: harness \(.harness_status): \(.error | .[0:140])"))),
  (.points[] | .name as $n | .rows[] | select(.why != null) | "  \(.kernel) \($n): \(.known as $k | .why | .[0:(if $k == "layout" or $k == "near" then 400 else 160 end)])"),
  "" else empty end),
"* \(fail_star_note); violations late/missed/unflushed; ~ the median of repeats that differ; exact counts compared between the kernels of one file system",
summary_lines
