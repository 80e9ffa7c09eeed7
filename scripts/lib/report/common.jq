# What the two renderings of the A/B report share (scripts/report): number and
# byte formats, the texts of the stress and layout tables, figure captions.
def fb: if . == null then "-" elif . >= 1073741824 then "\(. / 1073741824 * 100 | round / 100)G"
  elif . >= 1048576 then "\(. / 1048576 * 100 | round / 100)M" elif . >= 1024 then "\(. / 1024 * 100 | round / 100)K"
  else "\(. | round)B" end;
def ft: if . == null then "-" elif . >= 1e9 then "\(. / 1e9 * 100 | round / 100)s" elif . >= 1e6 then "\(. / 1e6 * 100 | round / 100)ms"
  elif . >= 1e3 then "\(. / 1e3 * 10 | round / 10)us" else "\(. | round)ns" end;
def pass_txt: if .boots == 0 then "-" elif .skipped == .boots then "skipped"
  else "\(.passed) of \(.boots - .skipped)\(if .passed < .boots - .skipped then " FAIL" else "" end)" end;
def viol_txt: if .boots == 0 then "-" else "\(.violations) (\(.late) / \(.missed) / \(if .unflushed_checked then .unflushed else "not checked" end))" end;
def built_txt($k): if . == null then "-" else "Debian linux-source-\($k) + \([.base[].file, .patches[].file] | map(split("/") | last) | join(" + ")) (\(.build_seconds) s to build)" end;
def unfl_txt: if .checked then (.unflushed // 0 | tostring) else "not checked" end;
def layout_intro: "Per operation (`daxbench punch`; an fsync after every *per fsync* of them), medians over every operation of every run of the side: the operation\u0027s latency and the bytes the kernel wrote back during it (its own dax_writeback_one events); over every fsync, its latency and bytes; and in all, the pages stored since the last fsync, outside the holes, that no writeback covered by the time the next fsync returned (unflushed: must be 0).";
def stress_intro($ab): "daxstress after the suite in every usable boot (A: \(.stress_boots.a) boots, B: \(.stress_boots.b)), \($ab.stress.seconds_per_scenario // "?") s a scenario, one seed for A and B of each pair: boots passed, violations by class (late / missed / unflushed), failures other than violations (failed calls and checks), sync calls and (call, page) pairs checked.";
def fig_caption:
  {"sync-latency-cdf": "Sync-call latency, CDF (log x). daxbench sync: every call of every run, per page mode and sync method; daxbench fault: the fsync phases, one value per run.",
   "fault-latency-cdf": "Write-fault latency, CDF (log x): the first store to each page (daxbench fault, write pass; includes the fault) and the kernel fault service time (daxbench sync).",
   "flush-per-call": "Bytes flushed by each sync call in call order, median over runs: the dirty set the kernel tracked between two calls.",
   "flush-amplification": "Flush amplification (bytes flushed / bytes dirtied) by page size and sync method, median over runs, log y.",
   "throughput-threads": "Throughput against writer threads: median, bars from the slowest to the fastest run."}[.] // .;
