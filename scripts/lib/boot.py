"""One guest boot as a self-contained job: kernel, guest script and options
in, one result directory out.  Python 3 standard library only.

A job wraps scripts/guest/run (the single-boot primitive; DAXBENCH_GUEST_RUN
or Job.guest_run puts a stand-in in its place) and adds what every caller
needs and used to write for itself: the status class of the boot, the
kernel-log lines that made it, and one retry policy.

The result directory OUT holds what the guest brought back (guest/run
--out), and beside it:
  harness.log       guest/run's output (stdout and stderr)
  guest-script.sh   the script the guest ran
  result.json       status (one of STATUSES), script_status (the guest
                    script's exit status, or null), harness_status
                    (guest/run's), complete, lines (the log lines that made
                    the status), kernel_errors and kernel_stalls (every
                    warning and stall line of console.log and dmesg.txt),
                    message (guest/run's last word), accel, seconds, and
                    attempts: every attempt of the job, this one last
An earlier attempt is set aside, whole, as OUT.attempt-K (K its number:
1, 2, ...), its own result.json in it.  No state is shared between jobs:
two jobs with two OUT directories can run anywhere at once.

Status classes (classify()), the first that holds:
  harness-failure  guest/run could not boot the guest (its status 125, or 2
                   before the guest ran: bad options)
  emulator-fault   under TCG, the console shows the emulator's fault
                   ("emulator" patterns: an int3 Oops); with
                   tcg_stall_is_emulator also a TCG boot whose log holds a
                   stall or lockup and no warning and whose script exited 0
  died, hung       the kernel died or hung (guest/run's status 123: which
                   one by the first such line)
  timeout          the run or the guest script hit the time limit (124)
  kernel-warning   the kernel log holds a "warning" line (guest/run's
                   status 1), or under KVM a stall
  ok               none of these: the script ran; its own exit status is
                   script_status
Complete: the status is ok or kernel-warning and every requirement holds (a
file of OUT exists and is not empty, or its first line is one of some
values).  Retry policy (Policy): an attempt is booted again, up to attempts
in all, when its status is in retry, or when "incomplete" is in retry and
it is not complete.
"""
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kmsg  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATUSES = ("ok", "kernel-warning", "died", "hung", "emulator-fault", "timeout", "harness-failure")
RETRYABLE = STATUSES + ("incomplete",)
LINES_MAX = 50


class Policy:
    """How many attempts a job has and which of them are booted again."""

    def __init__(self, attempts=3, retry=("emulator-fault",)):
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        bad = [r for r in retry if r not in RETRYABLE]
        if bad:
            raise ValueError(f"not a status class: {', '.join(bad)} (one of {', '.join(RETRYABLE)})")
        self.attempts = attempts
        self.retry = frozenset(retry)

    def again(self, result):
        """Is this attempt's result one to boot again (attempts left aside)?"""
        if result["status"] in self.retry:
            return True
        return "incomplete" in self.retry and not result["complete"]


def attempt_dir(out, k):
    """Where attempt k of the job whose result directory is out is set aside."""
    return f"{out}.attempt-{k}"


def _first_line(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.readline().strip()
    except OSError:
        return None


def _int_or_none(s):
    try:
        return int(s)
    except (TypeError, ValueError):
        return None


def _emulator_line(out):
    """The console's emulator-fault line, when the guest ran under TCG."""
    accel = _first_line(os.path.join(out, ".accel")) or "tcg"
    if accel != "tcg":
        return None
    try:
        with open(os.path.join(out, "console.log"), "rb") as f:
            data = f.read().decode("utf-8", "replace")
    except OSError:
        return None
    for line in data.splitlines():
        if "emulator" in kmsg.classes(line):
            return line.strip()
    return None


def _harness_message(log):
    """guest/run's last word: its last 'guest/run: ' line, without the prefix."""
    try:
        with open(log, encoding="utf-8", errors="replace") as f:
            lines = [l.rstrip("\n") for l in f if l.startswith("guest/run: ")]
    except OSError:
        return ""
    return lines[-1][len("guest/run: "):] if lines else ""


def requirement_holds(out, req):
    """req is FILE (exists, not empty) or FILE=V1,V2 (first line one of them)."""
    name, sep, values = req.partition("=")
    path = os.path.join(out, name)
    if not sep:
        return os.path.isfile(path) and os.path.getsize(path) > 0
    return _first_line(path) in values.split(",")


def classify(out, harness_status, tcg_stall_is_emulator=False, message=""):
    """The status class of the boot whose guest/run --out was out and whose
    guest/run exited with harness_status, and the lines that made it."""
    logs = [os.path.join(out, "console.log"), os.path.join(out, "dmesg.txt")]
    errors = kmsg.kernel_lines(logs, ("warning",), limit=LINES_MAX)
    stalls = kmsg.kernel_lines(logs, ("stall", "hung"), limit=LINES_MAX)
    accel = _first_line(os.path.join(out, ".accel")) or "unknown"
    script = _int_or_none(_first_line(os.path.join(out, ".exit-status")))
    st = harness_status
    res = {"harness_status": st, "script_status": script, "accel": accel,
           "kernel_errors": errors, "kernel_stalls": stalls, "message": message}

    def done(status, lines):
        res.update(status=status, lines=lines)
        return res

    ran = script is not None or os.path.exists(os.path.join(out, "console.log"))
    if st == 125 or (st == 2 and not ran):
        return done("harness-failure", [message] if message else [])
    emu = _emulator_line(out)
    if emu:
        return done("emulator-fault", [kmsg.message(emu)])
    if st == 123:
        died = _first_line(os.path.join(out, ".kernel-died")) or ""
        fatal = kmsg.kernel_lines(logs, ("died", "hung"), exact=True, limit=1)
        hung = died.startswith("kernel hung") or (not died and fatal and "hung" in kmsg.classes(fatal[0]))
        return done("hung" if hung else "died", [died] if died else fatal)
    if st == 124:
        return done("timeout", [message] if message else [])
    if (tcg_stall_is_emulator and accel != "kvm" and stalls and not errors
            and st <= 1 and script == 0):
        return done("emulator-fault", stalls)
    if errors:
        return done("kernel-warning", errors)
    if stalls and accel == "kvm":
        return done("kernel-warning", stalls)
    return done("ok", [])


class Job:
    """One boot: guest/run's arguments (options then SCRIPT, without --out),
    the result directory out (new, empty, or an earlier job's: it is
    replaced), the retry policy and the requirements of a complete result."""

    def __init__(self, out, guest_args, policy=None, require=(), tcg_stall_is_emulator=False,
                 guest_run=None, progress=None):
        if not guest_args:
            raise ValueError("no guest script given")
        self.out = os.path.abspath(out)
        self.guest_args = list(guest_args)
        self.script = self.guest_args[-1]
        self.policy = policy or Policy()
        self.require = list(require)
        self.tcg_stall_is_emulator = tcg_stall_is_emulator
        self.guest_run = guest_run or os.environ.get("DAXBENCH_GUEST_RUN") or \
            os.path.join(ROOT, "scripts", "guest", "run")
        self.progress = progress or (lambda msg: None)
        if os.path.isdir(self.out) and os.listdir(self.out) and not any(
                os.path.exists(os.path.join(self.out, m)) for m in ("result.json", ".guest-run")):
            raise ValueError(f"'{out}' is not empty and holds no earlier job (result.json);"
                             " give a new or empty directory")
        if os.path.lexists(self.out) and not os.path.isdir(self.out):
            raise ValueError(f"'{out}' exists and is not a directory")

    def _boot_once(self, k):
        out = self.out
        log = f"{out}.harness.log.{os.getpid()}"
        t0 = time.monotonic()
        with open(log, "wb") as f:
            child = subprocess.Popen([self.guest_run, "--out", out] + self.guest_args,
                                     stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT)
            # INT or TERM for the job: passed on to guest/run (which stops its
            # guest and exits 130 or 143), and no attempt after it
            handlers = {sig: signal.signal(sig, lambda n, _f: child.send_signal(n))
                        for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                st = child.wait()
            finally:
                for sig, h in handlers.items():
                    signal.signal(sig, h)
        secs = time.monotonic() - t0
        if st < 0:  # ended by a signal: the shell's number
            st = 128 - st
        os.makedirs(out, exist_ok=True)
        os.replace(log, os.path.join(out, "harness.log"))
        try:
            shutil.copyfile(self.script, os.path.join(out, "guest-script.sh"))
        except OSError:
            pass
        res = classify(out, st, self.tcg_stall_is_emulator,
                       _harness_message(os.path.join(out, "harness.log")))
        res["complete"] = res["status"] in ("ok", "kernel-warning") and \
            all(requirement_holds(out, r) for r in self.require)
        res["attempt"] = k
        res["seconds"] = round(secs, 1)
        return res

    def run(self):
        """Boot until the policy is satisfied; the last attempt's result."""
        for stale in [self.out] + glob.glob(glob.escape(self.out) + ".attempt-*"):
            if os.path.isdir(stale) and not os.path.islink(stale):
                shutil.rmtree(stale)
            elif os.path.lexists(stale):
                os.remove(stale)
        history = []
        for k in range(1, self.policy.attempts + 1):
            res = self._boot_once(k)
            history.append({"attempt": k, "dir": os.path.basename(self.out), "status": res["status"],
                            "harness_status": res["harness_status"], "script_status": res["script_status"],
                            "complete": res["complete"], "seconds": res["seconds"], "lines": res["lines"][:5],
                            "message": res["message"]})
            res["attempts"] = history
            res["policy"] = {"attempts": self.policy.attempts, "retry": sorted(self.policy.retry),
                             "require": self.require}
            write_json(os.path.join(self.out, "result.json"), res)
            self.progress(f"attempt {k}: {res['status']} (guest/run {res['harness_status']}, "
                          f"script {res['script_status']}, {res['seconds']:.0f} s)")
            if res["harness_status"] in (130, 143):  # interrupted: no more
                break
            if k == self.policy.attempts or not self.policy.again(res):
                break
            aside = attempt_dir(self.out, k)
            os.replace(self.out, aside)
            history[-1]["dir"] = os.path.basename(aside)
            write_json(os.path.join(aside, "result.json"), dict(res, attempts=history))
            self.progress(f"attempt {k} set aside as {os.path.basename(aside)}; booting again")
        # the final record names where every attempt lies
        res["attempts"] = history
        write_json(os.path.join(self.out, "result.json"), res)
        return res


def write_json(path, obj):
    """obj as JSON into path: written to a temporary name, then renamed."""
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)
