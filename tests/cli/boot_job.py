#!/usr/bin/python3
"""TAP test: the boot library (scripts/lib/boot.py) and its CLI
(scripts/boot-job) on the stand-in guest (tests/lib/fake-guest-run), which
plays one planned outcome per boot.  Each status class from the boot that
makes it, with the lines that made it; the retry policy (which classes are
booted again, how many attempts, each set aside as OUT.attempt-K with its
own result.json); the result directory; the CLI's options and exit status.
"""
import json
import os
import shutil
import subprocess
import sys
import signal
import tempfile
import time

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import boot  # noqa: E402
import tap  # noqa: E402
from tap import point  # noqa: E402

FAKE = os.path.join(ROOT, "tests", "lib", "fake-guest-run")
work = tempfile.mkdtemp(prefix="daxbench-boot-job.")
script = os.path.join(work, "guest.sh")
with open(script, "w") as f:
    f.write("exit 0\n")


def plan(name, outcomes):
    p = os.path.join(work, name + ".plan")
    with open(p, "w") as f:
        f.write("\n".join(outcomes) + "\n")
    for stale in (p + ".n",):
        if os.path.exists(stale):
            os.remove(stale)
    os.environ["FAKE_GUEST_PLAN"] = p
    return p


def calls(p):
    with open(p + ".n") as f:
        return int(f.read())


def job(name, outcomes, **kw):
    p = plan(name, outcomes)
    policy = boot.Policy(kw.pop("attempts", 1), kw.pop("retry", ("emulator-fault",)))
    res = boot.Job(os.path.join(work, name), ["--fs", "ext4", script], policy,
                   guest_run=FAKE, **kw).run()
    return res, calls(p)


print("1..16")

# ---- each status class ----
cases = [  # outcome, options, status, script status, a word of the first line
    ("ok", {}, "ok", 0, None),
    ("warn", {}, "kernel-warning", 0, "WARNING: CPU: 1 PID: 99"),
    ("died", {}, "died", None, "kernel died at console.log:2"),
    ("hung", {}, "hung", None, "kernel hung at"),
    ("int3", {}, "emulator-fault", None, "Oops: int3"),
    ("int3-kvm", {}, "died", None, "Oops: int3"),
    ("timeout", {}, "timeout", None, "timeout (exit 124)"),
    ("harness", {}, "harness-failure", None, "harness (exit 125)"),
    ("fail", {}, "ok", 1, None),
    ("stall-tcg", {}, "ok", 0, None),
    ("stall-tcg", {"tcg_stall_is_emulator": True}, "emulator-fault", 0, "self-detected stall"),
    ("stall-kvm", {"tcg_stall_is_emulator": True}, "kernel-warning", 0, "self-detected stall"),
]
wrong = []
for i, (what, kw, want, sst, word) in enumerate(cases):
    res, _ = job(f"class{i}", [what], **kw)
    first = res["lines"][0] if res["lines"] else None
    if (res["status"], res["script_status"]) != (want, sst) or \
            (word is None and res["lines"]) or (word is not None and (first is None or word not in first)):
        wrong.append(f"{what} {kw}: {res['status']} script {res['script_status']} lines {res['lines']}"
                     f" (want {want}, script {sst}, a line with {word!r})")
point(not wrong, f"{len(cases)} boots, each of the seven status classes: the class, the script's status,"
      " the line that made it", *wrong)
res, _ = job("warnlines", ["warn"])
point(res["kernel_errors"] == ["WARNING: CPU: 1 PID: 99 at fs/dax.c:1234 dax_writeback_one+0x1/0x2"]
      and res["kernel_stalls"] == [] and res["accel"] == "tcg" and res["harness_status"] == 1,
      "result: the kernel's warning lines without their stamp, no stall, the accelerator, guest/run's status",
      json.dumps({k: res[k] for k in ("kernel_errors", "kernel_stalls", "accel", "harness_status")}))

# ---- the result directory ----
d = os.path.join(work, "class0")
have = sorted(os.listdir(d))
with open(os.path.join(d, "result.json")) as f:
    rj = json.load(f)
point({"result.json", "harness.log", "guest-script.sh", "console.log", "fault-pmd.json"} <= set(have)
      and rj["status"] == "ok" and rj["complete"] is True and rj["attempts"][0]["dir"] == "class0"
      and not [x for x in os.listdir(work) if x.startswith("class0.attempt")],
      "result directory: the guest's results, harness.log, guest-script.sh, result.json; nothing beside it",
      f"{have}", json.dumps(rj.get("attempts")))
with open(os.path.join(d, "harness.log")) as f:
    log = f.read()
point("guest/run: fake boot 1: ok (exit 0)" in log and rj["message"] == "fake boot 1: ok (exit 0)",
      "harness.log holds guest/run's output, message its last word", log.strip(), rj["message"])

# ---- the retry policy ----
res, k = job("retry", ["int3", "int3", "ok"], attempts=3)
asides = sorted(x for x in os.listdir(work) if x.startswith("retry.attempt-"))
point(k == 3 and res["status"] == "ok" and asides == ["retry.attempt-1", "retry.attempt-2"],
      "emulator faults are booted again: 3 boots, the first two set aside as retry.attempt-1 and -2",
      f"{k} boots, {res['status']}, {asides}")
st = []
for a in asides:
    with open(os.path.join(work, a, "result.json")) as f:
        st.append(json.load(f)["status"])
point(st == ["emulator-fault", "emulator-fault"]
      and [a["dir"] for a in res["attempts"]] == ["retry.attempt-1", "retry.attempt-2", "retry"]
      and [a["status"] for a in res["attempts"]] == ["emulator-fault", "emulator-fault", "ok"]
      and res["attempts"][0]["lines"][0].startswith("Oops: int3"),
      "each attempt set aside keeps its result.json; the last lists every attempt, where it lies and why",
      f"{st}", json.dumps(res["attempts"]))
res, k = job("cap", ["int3", "int3", "int3", "ok"], attempts=3)
point(k == 3 and res["status"] == "emulator-fault" and len(res["attempts"]) == 3,
      "no more than --attempts boots: the third emulator fault is the result", f"{k} boots, {res['status']}")
res, k = job("noretry", ["died", "ok"], attempts=3)
point(k == 1 and res["status"] == "died" and not res["complete"],
      "a class not in retry (died, with the default policy) is not booted again", f"{k} boots, {res['status']}")
res, k = job("incomplete", ["fail", "warn", "ok"], attempts=3, retry=("incomplete",),
             require=(".exit-status=0", "fault-pmd.json"))
point(k == 2 and res["status"] == "kernel-warning" and res["complete"]
      and [a["complete"] for a in res["attempts"]] == [False, True],
      "retry incomplete: a failed script (requirement .exit-status=0 unmet) is booted again;"
      " a kernel warning with its results is complete", f"{k} boots, {json.dumps(res['attempts'])}")
res, k = job("incomplete2", ["timeout", "harness", "died"], attempts=3, retry=("incomplete",))
point(k == 3 and [a["status"] for a in res["attempts"]] == ["timeout", "harness-failure", "died"],
      "retry incomplete takes every class but ok and kernel-warning", f"{json.dumps(res['attempts'])}")
# a job run again in the same place starts afresh
res, k = job("retry", ["ok"], attempts=3)
point(k == 1 and not [x for x in os.listdir(work) if x.startswith("retry.attempt-")]
      and len(res["attempts"]) == 1, "a job run again in its directory removes the earlier attempts first")
try:
    boot.Policy(3, ("emulator-fault", "flaky"))
    point(False, "a policy naming an unknown class is refused")
except ValueError as e:
    point("flaky" in str(e), "a policy naming an unknown class is refused", str(e))

# ---- the CLI ----
cli = os.path.join(ROOT, "scripts", "boot-job")


def run_cli(*args):
    return subprocess.run([cli, *args], env=dict(os.environ, DAXBENCH_GUEST_RUN=FAKE),
                          capture_output=True, text=True)


plan("cli", ["int3", "warn"])
r = run_cli("--out", os.path.join(work, "cli"), "--attempts", "2", "--", "--fs", "xfs", script)
with open(os.path.join(work, "cli", "result.json")) as f:
    rj = json.load(f)
point(r.returncode == 0 and r.stdout == "kernel-warning\n" and len(rj["attempts"]) == 2
      and os.path.isdir(os.path.join(work, "cli.attempt-1")) and "attempt 1: emulator-fault" in r.stderr,
      "boot-job: status on stdout, exit 0 when complete, progress on stderr, the attempt set aside",
      f"exit {r.returncode}", r.stdout, r.stderr)
plan("cli2", ["died"])
r = run_cli("--quiet", "--out", os.path.join(work, "cli2"), "--", script)
point(r.returncode == 1 and r.stdout == "died\n" and r.stderr == "",
      "boot-job: exit 1 when the result is not complete; --quiet says nothing on stderr",
      f"exit {r.returncode}", r.stdout, r.stderr)
bad = [(["--out"], "--out"), (["--attempts", "0", "--out", "x", "--", script], "--attempts"),
       (["--retry", "flaky", "--out", "x", "--", script], "--retry"), (["--", script], "--out"),
       (["--out", os.path.join(work, "nx")], "SCRIPT"), (["--fs", "ext4"], "--fs"),
       (["--out", os.path.join(work, "nx"), "--", "/nonexistent.sh"], "/nonexistent.sh"),
       (["--out", os.path.join(work, "keep"), "--", script], "not empty")]
os.makedirs(os.path.join(work, "keep"))
with open(os.path.join(work, "keep", "precious"), "w") as f:
    f.write("x\n")
wrong = []
for args, word in bad:
    r = run_cli(*args)
    if r.returncode != 2 or len(r.stderr.splitlines()) != 1 or word not in r.stderr or r.stdout:
        wrong.append(f"{args}: exit {r.returncode}, {r.stderr.strip()!r}")
point(not wrong and not os.path.exists(os.path.join(work, "nx")) and not os.path.exists("x")
      and os.path.exists(os.path.join(work, "keep", "precious")),
      f"{len(bad)} bad option sets (a directory not a job's among them, left as it was): exit 2,"
      " one line naming the option, nothing booted or made", *wrong)

# TERM for the job: passed on to guest/run, no attempt after it, exit 143
slow = os.path.join(work, "slow-guest-run")
with open(slow, "w") as f:
    f.write("#!/bin/sh\n[ \"$1\" = --out ] && mkdir -p \"$2\" && echo \"$$\" >\"$2.pid\"\n"
            "trap 'kill $!; echo guest/run: stopped >&2; exit 143' TERM\nsleep 30 & wait\n")
os.chmod(slow, 0o755)
p = subprocess.Popen([cli, "--quiet", "--attempts", "3", "--retry", "incomplete", "--out",
                      os.path.join(work, "term"), "--", script],
                     env=dict(os.environ, DAXBENCH_GUEST_RUN=slow), stdout=subprocess.PIPE, text=True)
for _ in range(100):
    if os.path.exists(os.path.join(work, "term.pid")):
        break
    time.sleep(0.05)
p.send_signal(signal.SIGTERM)
try:
    rc = p.wait(timeout=20)
except subprocess.TimeoutExpired:
    p.kill()
    rc = None
with open(os.path.join(work, "term", "result.json")) as f:
    rj = json.load(f)
point(rc == 143 and rj["harness_status"] == 143 and len(rj["attempts"]) == 1
      and "stopped" in rj["message"],
      "TERM for boot-job: passed on to guest/run, no second attempt, exit 143",
      f"exit {rc}", json.dumps(rj.get("attempts")))

shutil.rmtree(work)
sys.exit(1 if tap.failed() else 0)
