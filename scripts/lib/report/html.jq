# The A/B report as HTML (report.html), from the model (model.jq).
include "common";
def h: tostring | @html;
def verdict_cell: if . == "slower" then "<td class=\"slower\">slower</td>"
  elif . == "faster" then "<td class=\"faster\">faster</td>"
  elif . == null then "<td>n/a</td>" else "<td class=\"same\">\(h)</td>" end;
.c as $c | .ab as $ab | ($c.totals) as $t
| "<!DOCTYPE html>",
  "<html><head><meta charset=\"utf-8\"><title>daxbench A/B: \($c.sides.a.label | h) vs \($c.sides.b.label | h)</title>",
  "<style>",
  "body{font-family:sans-serif;max-width:1200px;margin:1em auto;padding:0 1em;color:#222}",
  "table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ccc;padding:2px 8px;font-size:90%}",
  "th{background:#f0f0f0}td.n{text-align:right;font-family:monospace}",
  ".alert{color:#b00;background:#fee;border:2px solid #b00;padding:.5em 1em}.alert code{color:#b00}",
  ".ok{color:#060;background:#efe;border:1px solid #6a6;padding:.5em 1em}",
  "td.slower{color:#fff;background:#c33;font-weight:bold}td.faster{color:#fff;background:#393;font-weight:bold}td.same{color:#666}",
  "td.differs{color:#fff;background:#c33;font-weight:bold}td.varies{background:#fd8}",
  "img{max-width:100%;border:1px solid #ddd}.cap{font-style:italic;color:#555}",
  "</style></head><body>",
  "<h1>daxbench A/B report</h1>",
  "<p><b>A</b> = \($c.sides.a.label | h) &nbsp; <b>B</b> = \($c.sides.b.label | h)</p>",
  (if $ab != null then "<p>Suite <code>\($ab.suite_file | sub("^.*/(?<p>(results|bench|tests)/)"; "\(.p)") | if startswith("bench/suites/") then $ab.suite else . end | h)</code>, \($ab.boots_per_kernel) boots of each kernel in the order A B, B A, A B, ..., one run of every point per boot; \($ab.pmem | h) pmem \($ab.pmem_size | h), \($ab.accel | ascii_upcase | h), started \($ab.started | h).</p>"
   else "<p>Result directories: A = <code>\($c.sides.a.dir | h)</code>, B = <code>\($c.sides.b.dir | h)</code>.</p>" end),
  (if ($ab != null) then
     "<table><tr><th></th><th>A</th><th>B</th></tr>",
     "<tr><th>kernel image</th>\([$ab.a.kernel, $ab.b.kernel] | map("<td>\(if . == "stock" then "Debian stock (scripts/guest/fetch-kernel)" else "<code>\(h)</code>" end)</td>") | join(""))</tr>",
     "<tr><th>modules</th><td>\($ab.a.modules | h)</td><td>\($ab.b.modules | h)</td></tr>",
     (if ($ab.builds.a // $ab.builds.b) != null then
        "<tr><th>built from</th>\([$ab.builds.a, $ab.builds.b] | map("<td>\(built_txt($ab.builds.kver) | h)</td>") | join(""))</tr>"
      else empty end),
     "<tr><th>file system</th><td>\($ab.a.fs | h)</td><td>\($ab.b.fs | h)</td></tr>",
     (if (($ab.a.env // "") + ($ab.b.env // "")) != "" then "<tr><th>suite settings</th><td><code>\($ab.a.env // "" | h)</code></td><td><code>\($ab.b.env // "" | h)</code></td></tr>" else empty end),
     "</table>"
   else empty end),
  "<h2>Alerts</h2>",
  (if (.alerts | length) == 0 then
     "<p class=\"ok\">None: no kernel warning (WARNING, BUG, Oops, panic, RCU stall, soft lockup) in any boot&#39;s log, no stress failure, no failed boot, no oracle violation in the results of either side.</p>"
   else
     "<div class=\"alert\"><ul>", (.alerts[] | "<li><b>\(.side | h)</b> \(.where | h): \(.kind | h): <code>\(.text | h)</code></li>"), "</ul></div>"
   end),
  "<h2>Summary</h2><ul>",
  "<li><b>\($t.timings) timing metrics</b>: \($t.same) same, \($t.faster) faster, \($t.slower) slower (B against A).</li>",
  "<li><b>\($t.counts) exact counts</b>: \($t.counts_equal) equal, \($t.counts_differ) differ\(if $t.counts_vary > 0 then ", \($t.counts_vary) vary from run to run within a side (\($t.counts_vary_differ // 0) of them with different medians)" else "" end)\(if $t.counts_missing > 0 then ", \($t.counts_missing) present on one side only" else "" end).</li>",
  "</ul>",
  (if (.findings | length) > 0 then
     "<h3>Timings that changed</h3><table><tr><th>point</th><th>metric</th><th>A</th><th>B</th><th>change</th><th>95% CI</th><th>p</th><th>verdict</th></tr>",
     (.findings[] | "<tr><td>\(.point | h)</td><td>\(.label | h)</td><td class=\"n\">\(.text.a | h)</td><td class=\"n\">\(.text.b | h)</td><td class=\"n\">\(.text.change | h)</td><td class=\"n\">\(.text.ci | h)</td><td class=\"n\">\(.text.p | h)</td>\(.verdict | verdict_cell)</tr>"),
     "</table>"
   else empty end),
  (if (.count_diffs | length) > 0 then
     "<h3>Counts that differ</h3><table><tr><th>point</th><th>count</th><th>A</th><th>B</th></tr>",
     (.count_diffs[] | "<tr><td>\(.point | h)</td><td>\(.label | h)</td><td class=\"n\">\(.text.a | h)</td><td class=\"n\">\(.text.b | h)</td></tr>"),
     "</table>"
   else empty end),
  (if (.count_varies | length) > 0 then
     "<h3>Counts that vary between runs of one side</h3><p>Not exact on either kernel (threads race), so compared like timings: medians, the same interval, a verdict.</p>",
     "<table><tr><th>point</th><th>counts</th><th>largest change of the medians</th><th>verdicts</th></tr>",
     (.vary_by_point[] | "<tr><td>\(.point | h)</td><td class=\"n\">\(.n)</td><td>\(.top.label | h): \(.top.text.a | h) vs \(.top.text.b | h) (\(.top.text.change // "-" | h))</td><td>\(.verdicts | h)</td></tr>"),
     "</table>"
   else empty end),
  (if (.layout | length) + (.stress | length) > 0 then
     "<h2>Layout points and stress verdicts</h2>",
     (if (.layout | length) > 0 then
        "<p>\(layout_intro | h)</p>",
        "<table><tr><th>point</th><th>side</th><th>ops</th><th>per fsync</th><th>dirtied before each</th><th>op latency</th><th>written back by the op</th><th>(most in one op)</th><th>fsync</th><th>written back by it</th><th>unflushed pages</th><th>hole pages not zero</th></tr>",
        (.layout[] | "<tr><td>\(.point | h)</td><td>\(.side)</td><td class=\"n\">\(.ops)</td><td class=\"n\">\(.per_fsync)</td><td class=\"n\">\(.dirtied | fb)</td><td class=\"n\">\(.op_ns | ft)</td><td class=\"n\">\(.op_flushed | fb)</td><td class=\"n\">\(.op_flushed_max | fb)</td><td class=\"n\">\(.fsync_ns | ft)</td><td class=\"n\">\(.fsync_flushed | fb)</td><td class=\"n\(if .checked and (.unflushed // 0) > 0 then " differs" else "" end)\">\(unfl_txt)</td><td class=\"n\(if .hole_not_zero > 0 then " differs" else "" end)\">\(.hole_not_zero)</td></tr>"),
        "</table>"
      else empty end),
     (if (.stress | length) > 0 then
        "<p>\(stress_intro(.ab) | h)</p>",
        "<table><tr><th>scenario</th><th>A passed</th><th>A violations</th><th>A other failures</th><th>A calls / pairs</th><th>B passed</th><th>B violations</th><th>B other failures</th><th>B calls / pairs</th></tr>",
        (.stress[] | "<tr><td>\(.name | h)</td>\([.a, .b] | map("<td class=\"n\(if .passed < .boots - .skipped then " differs" else "" end)\">\(pass_txt | h)</td><td class=\"n\(if .violations > 0 then " differs" else "" end)\">\(viol_txt | h)</td><td class=\"n\(if .errors > 0 then " differs" else "" end)\">\(.errors)</td><td class=\"n\">\(.sync_calls) / \(.pairs)</td>") | join(""))</tr>"),
        "</table>",
        ([.stress[] | .name as $n | (.a, .b) | select(.first_error != null) | "<li>\($n | h): first failure other than a violation: <code>\(.first_error | h)</code></li>"]
         | if length > 0 then "<ul>" + join("") + "</ul>" else empty end)
      else empty end)
   else empty end),
  "<h2>How to read this</h2><ul>",
  "<li>A <b>timing</b> has one value per run (a run is one boot of the kernel under <code>make ab</code>): a sync call time, a percentile of the run&#39;s store-latency histogram. <i>change</i> = median(B) / median(A) &minus; 1; negative is faster.</li>",
  "<li>The <b>interval</b> is a \((100 * (1 - $c.statistics.alpha)) | round)% confidence interval of the change that holds for all \($c.statistics.timing_metrics) timing metrics together (Bonferroni: each at \(100 * $c.statistics.ci_level_each | . * 1000 | round / 1000)%), from a bootstrap over the runs (\($c.statistics.resamples) resamples, seed \($c.statistics.seed)), smoothed and widened for the few runs there are (see <code>include/compare_stats.h</code>). The <b>verdict</b> is <i>same</i> when the interval contains 0, else <i>faster</i> or <i>slower</i>.</li>",
  "<li>With fewer runs than a rank test needs to reach p &lt; 0.05 at all (3 against 3), the interval is unbounded: so few runs cannot tell a change from two boots that happened to land differently.</li>",
  "<li><b>p</b> is the two-sided Mann-Whitney U test; with \($c.points[0].runs_a) against \($c.points[0].runs_b) runs it cannot go below \($c.points[0].min_p * 10000 | round / 10000), so it is evidence beside the interval, not the verdict.</li>",
  "<li><b>Counts</b> (faults by kind, flush entries and pages, bytes flushed, sync calls) are exact and compared exactly.</li></ul>",
  (if (.figures | length) > 0 then
     "<h2>Figures</h2>",
     (.figures[] | "<p><a href=\"\(.).svg\"><img src=\"\(.).png\" alt=\"\(.)\"></a><br><span class=\"cap\">\(fig_caption | h)</span></p>")
   else empty end),
  "<h2>Points</h2>",
  (.c.points[] |
    "<h3 id=\"\(.name | h)\">\(.name | h)</h3>",
    "<p><code>daxbench \(.command | h)</code>: \(.params_text | h); A \(.runs_a) runs, B \(.runs_b) runs.\(if .params_differ then " <b>Parameters differ:</b> \(.params_differ | h)." else "" end)</p>",
    "<table><tr><th>timing</th><th>A</th><th>B</th><th>change</th><th>95% CI</th><th>p</th><th>verdict</th></tr>",
    (.timings[] | "<tr><td>\(.label | h)</td><td class=\"n\">\(.text.a | h)</td><td class=\"n\">\(.text.b | h)</td><td class=\"n\">\(.text.change // "-" | h)</td><td class=\"n\">\(.text.ci // "-" | h)</td><td class=\"n\">\(.text.p // "-" | h)</td>\(.verdict | verdict_cell)</tr>"),
    "</table>",
    ([.counts[] | select(.status == "equal")] | length) as $eq
    | "<p>Exact counts: \($eq) of \(.counts | length) equal\(if $eq == (.counts | length) then "." else "; the others:" end)</p>",
    (if $eq < (.counts | length) then
       "<table><tr><th>count</th><th>A</th><th>B</th><th>status</th></tr>",
       (.counts[] | select(.status != "equal") | "<tr><td>\(.label | h)</td><td class=\"n\">\(.text.a | h)</td><td class=\"n\">\(.text.b | h)</td><td class=\"\(.status)\">\(.status)</td></tr>"),
       "</table>"
     else empty end)
  ),
  (if (.boots | length) > 0 then
     "<h2>Boots</h2><table><tr><th>#</th><th>side</th><th>kernel</th><th>fs</th><th>result</th><th>time</th><th>kernel warnings</th></tr>",
     (.boots[] | "<tr><td class=\"n\">\(.boot)</td><td>\(.side)</td><td>\(.release | h)</td><td>\(.fs | h)</td><td\(if .result != "ok" then " class=\"slower\"" else "" end)>\(.result | h)</td><td class=\"n\">\(if .seconds then "\(.seconds) s" else "-" end)</td><td class=\"n\">\(.kernel_warnings | length)</td></tr>"),
     "</table>"
   else empty end),
  "<h2>Environment</h2><table><tr><th></th><th>A</th><th>B</th></tr>",
  ( [["kernel", (.c.sides.a.env.kernel.release // "?"), (.c.sides.b.env.kernel.release // "?")],
     ["build", (.c.sides.a.env.kernel.version // "?"), (.c.sides.b.env.kernel.version // "?")],
     ["file system", "\(.c.sides.a.env.target.fstype // "?") (\(.c.sides.a.env.target.super_options // ""))", "\(.c.sides.b.env.target.fstype // "?") (\(.c.sides.b.env.target.super_options // ""))"],
     ["pmem", "\(.c.sides.a.env.pmem.kind // "?") \(.c.sides.a.env.target.source // "")", "\(.c.sides.b.env.pmem.kind // "?") \(.c.sides.b.env.target.source // "")"],
     ["CPU", "\(.c.sides.a.env.cpu.model // "?"), \(.c.sides.a.env.cpu.ncpus // "?") CPUs", "\(.c.sides.b.env.cpu.model // "?"), \(.c.sides.b.env.cpu.ncpus // "?") CPUs"],
     ["command line", (.c.sides.a.env.kernel.cmdline // "?"), (.c.sides.b.env.kernel.cmdline // "?")]]
    | .[] | "<tr><th>\(.[0] | h)</th><td>\(.[1] | h)</td><td>\(.[2] | h)</td></tr>"),
  "</table>",
  "<h2>Files</h2><p><code>compare.json</code> (every value of every run, the statistics), <code>compare.txt</code>\(if .ab != null then ", <code>A/</code> and <code>B/</code> (each point&#39;s runs of all boots merged into one NAME.json), <code>boots/</code> (raw results, console.log, dmesg.txt per boot), <code>boots.json</code>, <code>ab.json</code>" else "" end); figures as PNG and SVG.</p>",
  "</body></html>"
