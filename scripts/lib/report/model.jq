# Everything the A/B report says, gathered once (scripts/report): from
# $c (compare.json), $ab (ab.json or null), $boots (boots.json or []), $pa and
# $pb (punch.jq of A/ and B/), $figs (figures.txt); markdown.jq and html.jq are
# its two renderings, summary.jq its lines for the terminal.
  ($c[0]) as $c | ($ab[0]) as $ab | ($boots[0] // []) as $boots
  | def side_label($s): $c.sides[$s].label;
    def agg: {boots: length, passed: (map(select(.verdict == "pass")) | length),
              skipped: (map(select(.verdict == "skip")) | length),
              sync_calls: (map(.sync_calls // 0) | add), pairs: (map(.pages_checked // 0) | add),
              violations: (map(.violations // 0) | add),
              late: (map(.by_class.late // 0) | add), missed: (map(.by_class.missed // 0) | add),
              unflushed: (map(.by_class.unflushed // 0) | add),
              unflushed_checked: all(.[]; .unflushed_rule != false),
              errors: (map(.errors // 0) | add),
              first_error: (map(.first_error | select(. != null))[0] // null)};
  {
    c: $c, ab: $ab, boots: $boots,
    layout: ([$pa[] | . + {side: "A"}] + [$pb[] | . + {side: "B"}] | sort_by(.point, .side)),
    stress: ([ $boots[] | select(.usable and .daxstress != null) | . as $b
               | .daxstress.scenarios[] | . + {side: $b.side} ]
             | group_by(.name)
             | map({name: .[0].name, a: (map(select(.side == "A")) | agg),
                    b: (map(select(.side == "B")) | agg)})),
    stress_boots: { a: ([ $boots[] | select(.side == "A" and .usable and .daxstress != null) ] | length),
                    b: ([ $boots[] | select(.side == "B" and .usable and .daxstress != null) ] | length) },
    figures: ($figs | split("\n") | map(select(length > 0))),
    alerts: (
      [ $boots[] | . as $b | .kernel_warnings[]
        | {side: $b.side, where: "boot \($b.boot) (\($b.dir))", kind: "kernel", text: .} ]
      + [ $boots[] | . as $b | .stress_failures[]
        | {side: $b.side, where: "boot \($b.boot) (\($b.dir))", kind: "stress", text: .} ]
      + [ $boots[] | select(.usable | not)
        | {side: .side, where: "boot \(.boot) (\(.dir))", kind: "boot",
           text: "\(.result): left out of the comparison (\(.message))"} ]
      + [ $c.alerts[] | {side: (.side | ascii_upcase), where: .point, kind: "result", text: .text} ]
    ),
    findings: [ $c.points[] | .name as $n | .timings[]
                | select(.verdict == "faster" or .verdict == "slower")
                | . + {point: $n} ]
              | sort_by(-((.change // 0) | fabs)),
    count_diffs: [ $c.points[] | .name as $n | .counts[] | select(.status == "differs") | . + {point: $n} ],
    count_varies: [ $c.points[] | .name as $n | .counts[] | select(.status == "varies") | . + {point: $n} ],
    vary_by_point: [ $c.points[] | .name as $n | [.counts[] | select(.status == "varies")]
                     | select(length > 0)
                     | {point: $n, n: length,
                        top: (sort_by(-((.change // 0) | fabs)) | .[0]),
                        verdicts: (group_by(.verdict) | map("\(length) \(.[0].verdict // "n/a")") | join(", "))} ]
  }
