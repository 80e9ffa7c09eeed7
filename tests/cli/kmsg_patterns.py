#!/usr/bin/python3
"""TAP test: one kernel-log pattern table, read alike by C, Python and shell.

scripts/lib/kmsg-patterns.txt is the only source: lib/kmsg.c's table is
generated from it (build/kmsg_patterns.h), scripts/lib/kmsg.py and
scripts/lib/kmsg.sh read it.  For every line of tests/lib/kmsg-samples.txt
(its expected classes, then a kernel message) and every kernel line of the
stand-in guest's logs: Python's classes are the expected ones, C's
(tests/unit/test_kmsg --classify) equal Python's line for line, and so do
the shell's (grep -E with kmsg_re CLASS, one class at a time).  A pattern
that Python's re and POSIX ERE read differently fails here.  And no other
file of scripts/, lib/ or tests/ spells the patterns out again.
"""
import os
import subprocess
import sys

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import kmsg  # noqa: E402
import tap  # noqa: E402
from tap import point  # noqa: E402



def text_of(m):
    return ",".join(c for c in kmsg.CLASSES if c in m) or "-"


samples = []
with open(os.path.join(ROOT, "tests", "lib", "kmsg-samples.txt"), encoding="utf-8") as f:
    for line in f:
        line = line.rstrip("\n")
        if line and not line.startswith("#"):
            want, _, text = line.partition("\t")
            samples.append((want, text))
# more lines: a synthetic hung task, a console line with its timestamp
extra = ["[   33.123456] INFO: task kworker/0:1:12 blocked for more than 120 seconds.",
         "[    1.000000] random: crng init done",
         "daxbench-guest: [12.34] WARNING: the guest's own line, no printk stamp"]
texts = [t for _, t in samples] + extra

print(f"1..{5 + len(kmsg.CLASSES)}")
bad = [(w, t, text_of(kmsg.classes(t))) for w, t in samples if text_of(kmsg.classes(t)) != w]
point(not bad and len(samples) >= 20,
      f"Python (scripts/lib/kmsg.py) classifies the {len(samples)} samples as written",
      *[f"'{t}': {got}, want {w}" for w, t, got in bad])
point({w for w, _ in samples} >= {"-", "warning", "stall", "hung"}
      and all(any(c in w.split(",") for w, _ in samples) for c in kmsg.CLASSES),
      "the samples cover every class, and lines of none")

test_kmsg = os.path.join(ROOT, "tests", "unit", "test_kmsg")
if os.access(test_kmsg, os.X_OK):
    c = subprocess.run([test_kmsg, "--classify"], input="\n".join(texts) + "\n",
                       capture_output=True, text=True).stdout.splitlines()
    py = [text_of(kmsg.classes(t)) for t in texts]
    diff = [f"'{t}': C {a}, Python {b}" for t, a, b in zip(texts, c, py) if a != b]
    point(len(c) == len(texts) and not diff,
          f"C (lib/kmsg.c, the generated table) classifies all {len(texts)} lines as Python does",
          *diff, f"C printed {len(c)} lines for {len(texts)}")
else:
    point(False, "C classifies the lines as Python does", f"{test_kmsg} is not built (make)")

for cls in kmsg.CLASSES:
    re_sh = subprocess.run(["bash", "-c", f". scripts/lib/kmsg.sh && kmsg_re {cls}"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    g = subprocess.run(["grep", "-n", "-E", re_sh], input="\n".join(texts) + "\n",
                       capture_output=True, text=True).stdout
    hit_sh = {int(l.split(":", 1)[0]) - 1 for l in g.splitlines()}
    hit_py = {i for i, t in enumerate(texts) if cls in kmsg.classes(t)}
    point(re_sh == kmsg.regex(cls) and hit_sh == hit_py and hit_py,
          f"shell (kmsg_re {cls}, grep -E) picks the same {len(hit_py)} lines as Python",
          f"shell regex {re_sh!r}, Python {kmsg.regex(cls)!r}",
          f"shell lines {sorted(hit_sh)}, Python {sorted(hit_py)}")

# The stand-in guest's console lines, through kernel_lines(): the stamp stripped.
log = os.path.join(ROOT, "build", "test-kmsg-console.log")
os.makedirs(os.path.dirname(log), exist_ok=True)
with open(log, "w") as f:
    f.write("[    0.000000] Linux version 6.1.0-test (fake)\r\n"
            "[   12.345678] WARNING: CPU: 1 PID: 99 at fs/dax.c:1234 x\r\n"
            "[   12.345678] WARNING: CPU: 1 PID: 99 at fs/dax.c:1234 x\r\n"
            "daxbench-guest: [12.34] WARNING: not the kernel's\n"
            "[   27.285463] rcu: INFO: rcu_preempt self-detected stall on CPU\n")
got = kmsg.kernel_lines([log, log + ".missing"], ("warning",))
got_exact = kmsg.kernel_lines([log], ("warning", "stall"), exact=True)
point(got == ["WARNING: CPU: 1 PID: 99 at fs/dax.c:1234 x", "WARNING: not the kernel's"]
      and got_exact == ["WARNING: CPU: 1 PID: 99 at fs/dax.c:1234 x",
                        "rcu: INFO: rcu_preempt self-detected stall on CPU"],
      "kernel_lines: stamped lines only (exact: printk's six decimals, not /init's two), each once,"
      " stamp and CR stripped, missing files skipped",
      f"got {got}", f"exact {got_exact}")
os.remove(log)

# No copy of the table elsewhere: the patterns' distinctive spellings.
spell = ["kernel BUG at|", "|blocked for more than", '"bad pmd", "general protection']
hits = []
for top in ("scripts", "lib", "tests", "stress", "bench"):
    for d, _, files in os.walk(os.path.join(ROOT, top)):
        for name in files:
            p = os.path.join(d, name)
            if p.endswith((".o", ".a")) or "kmsg-patterns" in name or name == "kmsg_patterns.py":
                continue
            try:
                with open(p, encoding="utf-8") as f:
                    body = f.read()
            except (UnicodeDecodeError, OSError):
                continue
            hits += [f"{os.path.relpath(p, ROOT)}: {s}" for s in spell if s in body]
point(not hits, "no file spells the pattern list out again (scripts/, lib/, tests/, stress/, bench/)", *hits)
sys.exit(1 if tap.failed() else 0)
