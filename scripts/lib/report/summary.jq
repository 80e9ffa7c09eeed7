# The report's lines for the terminal, from the model (model.jq).
  "report: A = \(.c.sides.a.label), B = \(.c.sides.b.label): \(.c.totals.timings) timings (\(.c.totals.same) same, \(.c.totals.faster) faster, \(.c.totals.slower) slower), \(.c.totals.counts) counts (\(.c.totals.counts_equal) equal, \(.c.totals.counts_differ) differ, \(.c.totals.counts_vary) vary), \(.alerts | length) alerts",
  (.alerts[] | "ALERT \(.side) \(.where): \(.kind): \(.text)")
