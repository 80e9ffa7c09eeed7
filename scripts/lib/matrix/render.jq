# What matrix.txt and matrix.md share (scripts/matrix-table): cell formats,
# the summary lines, the note on fail* and on the file systems.
def lpad($n): tostring | if length >= $n then . else ([range($n - length)] | map(" ") | join("")) + . end;
def rpad($n): tostring | if length >= $n then . else . + ([range($n - length)] | map(" ") | join("")) end;
def sig3: if . >= 100 then (. + 0.5 | floor | tostring)
  elif . >= 10 then ((. * 10 + 0.5 | floor) / 10 | tostring | if test("\\.") then . else . + ".0" end)
  else ((. * 100 + 0.5 | floor) / 100 | tostring | if test("\\.") then (if test("\\.[0-9]$") then . + "0" else . end) else . + ".00" end) end;
def hbytes: if . == null then "-" else
  . as $v | if $v < 1024 then "\($v)B" else
  [$v, 0] | until(.[0] < 1024 or .[1] == 4; [.[0] / 1024, .[1] + 1])
  | "\(.[0] | sig3)\(["B", "K", "M", "G", "T"][.[1]])" end end;
def htime: if . == null then "-" elif . < 1000 then "\(.)ns" elif . < 1e6 then "\(. / 1e3 | sig3)us"
  elif . < 1e9 then "\(. / 1e6 | sig3)ms" else "\(. / 1e9 | sig3)s" end;
def cnt($c; $k): if $c == null or $c[$k] == null then "-" else (if $c.approx then "~" else "" end) + ($c[$k] | tostring) end;
def viol: if .violations == null then "-" else
  "\(.violations) (\(.by_class.late // 0)/\(.by_class.missed // 0)/\(.by_class.unflushed // 0))" end;
def klogcell: if (.kernel_log | length) == 0 then "clean" else "\(.kernel_log | length) problem\(if (.kernel_log | length) > 1 then "s" else "" end)" end;
def short: sub("\\.faults\\."; ".") | sub("^faults\\."; "") | sub("\\.flush\\."; ".flush_") | sub("^flush\\."; "flush_");
def diffcell: if (.differs | length) == 0 then "" else
  (.differs[0:2] | map("\(.metric | short)=\(.value)") | join(" ")) + (if (.differs | length) > 2 then " (+\(.differs | length - 2))" else "" end) end;
def kname: .kernel;
def cells: [viol, cnt(.counts; "pte"), cnt(.counts; "pmd"), cnt(.counts; "fallback"), cnt(.counts; "mkwrite"),
            cnt(.counts; "wb"), (if .counts == null or .counts.bytes == null then "-" else (if .counts.approx then "~" else "" end) + (.counts.bytes | hbytes) end),
            cnt(.counts; "syncs"), (.fsync_p50_ns | htime), klogcell];
def summary_lines:
  .totals as $t |
  "\($t.rows) rows on \($t.kernels) kernels: \($t.pass) pass, \($t.known_race + ($t.known_layout // 0) + ($t.known_near // 0)) fail* (known findings of unfixed kernels: \($t.known_race) the fsync race, \($t.known_layout // 0) the layout bug of 6.15+, \($t.known_near // 0) the near class of 6.1/6.12), " +
  "\($t.failed | length) FAIL, \($t.missing | length) missing, \($t.skipped) skipped; " +
  "\($t.differences) exact count\(if $t.differences == 1 then " differs" else "s differ" end) between kernels",
  (if $t.fixed_rows > 0 then "fixed kernels: \($t.fixed_pass) of \($t.fixed_rows) rows pass" else empty end),
  (if ($t.boots_incomplete | length) > 0 then "boots that did not complete: \($t.boots_incomplete | join(", "))" else empty end),
  (if ($t.failed | length) > 0 then "FAIL: \($t.failed | join(", "))" else empty end),
  (if ($t.missing | length) > 0 then "missing: \($t.missing | join(", "))" else empty end),
  (if ($t.kernel_log | length) > 0 then "kernel log problems on: \($t.kernel_log | join(", "))" else empty end),
  "verdict: \(if .ok then "ok" else "NOT ok" end)";
# what fail* means (both renderings)
def fail_star_note: "fail*: a known finding of an unfixed (debian or stock) kernel, results/finding/: concurrent-fsync, pte-then-pmd or truncate-punch failing by the fsync race (late/missed violations only, clean log), or the layout scenario on 6.15 and later (7.2) failing by dax_break_layout() deleting dirty entries unwritten (every failing operation done, its stored pages missed, no late or unflushed violation, no data mismatch, clean log); or the layout scenario on 6.1 and 6.12 failing by the near class (a truncate that cuts a dirty 2 MiB entry deletes it unwritten: only PMD runs fail, only near pages inside the cut entry lost, no far page); any other layout failure, and any on a fixed kernel, is a FAIL";
def fs_note: if (.params.fs | index("xfs")) then "xfs made with reflink=1, as scripts/guest/run --fs xfs-reflink" else null end;
