#!/usr/bin/python3
"""TAP test: every external command the host scripts and tests run is
installed by scripts/deps for the make targets that reach it.

A fresh Debian machine has only its essential and required packages; the
suite's make targets install the rest with scripts/deps [GROUP...].  For every
host shell file (scripts/, tests/, .ci/; not what runs in the guest: its
/init, tests/guest/, bench/suites/), this test finds the commands it runs
(tests/lib/shell_commands.py) and the absolute tool paths it names, the make
targets that reach the file (the Makefile's recipes, then the scripts each
file names, transitively), and the deps groups every one of those targets
installs.  Then, per command:
  - on this machine (system PATH only: /usr/sbin:/usr/bin:/sbin:/bin), its
    package (dpkg -S) must be essential or of priority required, or one of
    scripts/deps --list GROUPS for each reaching target;
  - not on this machine: the file must guard it (`command -v NAME` or
    `need ... NAME`, which skip or stop with the reason), else it fails:
    the next missing install step, found before a new machine finds it.
One point per command; the file:line of the first calls in a failure.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import shell_commands  # noqa: E402

SYSPATH = "/usr/sbin:/usr/bin:/sbin:/bin"
GUEST_SIDE = ("scripts/guest/init", "scripts/kernel/probes.sh", "tests/guest/", "bench/suites/",
              "results/finding/fstests/guest-", "results/finding/fstests/shim/",
              "results/examples/", "results/finding/ab-layout-fix/")
# Commands a fresh machine need not have, each with the reason.
ALLOWED = {
    "sudo": "run only when not root (scripts/deps: SUDO=sudo unless id -u is 0); the README asks for root or sudo",
}


def rel(p):
    return os.path.relpath(p, ROOT)


def host_shell_files():
    out = []
    for top in ("scripts", "tests", ".ci", "results"):
        for d, _, files in os.walk(os.path.join(ROOT, top)):
            if "/out/" in d + "/" or "/boots/" in d + "/":
                continue
            for f in files:
                p = os.path.join(d, f)
                r = rel(p)
                if r.startswith(GUEST_SIDE):
                    continue
                try:
                    with open(p, "rb") as fh:
                        head = fh.readline()
                except OSError:
                    continue
                if re.match(rb"#!.*\b(ba)?sh\b", head) or (f.endswith(".sh") and not head.startswith(b"#!")):
                    out.append(r)
                elif f.endswith(".sh"):
                    out.append(r)
    return sorted(set(out))


def deps_groups():
    """group -> packages ('' is the base list)."""
    groups = {}
    text = open(os.path.join(ROOT, "scripts", "deps")).read()
    names = set(re.findall(r"^\s*([a-z]+)\) pkgs\+=", text, re.M))
    base = subprocess.run([os.path.join(ROOT, "scripts", "deps"), "--list"],
                          capture_output=True, text=True, check=True).stdout.split()
    groups[""] = set(base)
    for g in names:
        pk = subprocess.run([os.path.join(ROOT, "scripts", "deps"), "--list", g],
                            capture_output=True, text=True, check=True).stdout.split()
        groups[g] = set(pk) - set(base)
    return groups


def make_targets():
    """target -> (deps groups it installs, files its recipe runs)."""
    targets = {}
    cur = None
    for line in open(os.path.join(ROOT, "Makefile")):
        m = re.match(r"^([a-z][a-z-]*):", line)
        if m and not line.startswith("\t"):
            cur = m.group(1)
            targets.setdefault(cur, (set(), set()))
            continue
        if cur and line.startswith("\t"):
            groups, files = targets[cur]
            for dm in re.finditer(r"scripts/deps((?:\s+[a-z]+)*)", line):
                groups.add("")
                groups.update(dm.group(1).split())
            for fm in re.finditer(r"\b((?:scripts|tests)/[A-Za-z0-9_./-]+)", line):
                f = fm.group(1).rstrip(".")
                if os.path.isfile(os.path.join(ROOT, f)):
                    files.add(f)
        elif not line.strip() or not line.startswith("\t"):
            if not line.startswith("\t") and line.strip() and not line.startswith("#"):
                cur = None if not re.match(r"^[a-z][a-z-]*:", line) else cur
    # a script that installs what it needs itself (scripts/deps GROUP in its
    # own code) is a target of its own
    for d, _, files in os.walk(ROOT):
        if "/.git" in d or "/build" in d:
            continue
        for f in files:
            p = os.path.join(d, f)
            r = rel(p)
            if r == "scripts/deps" or not r.startswith(("scripts/", "results/", "tests/")):
                continue
            try:
                text = open(p, encoding="utf-8", errors="replace").read()
            except OSError:
                continue
            groups = set()
            for ln in text.splitlines():
                if ln.lstrip().startswith("#"):
                    continue
                for dm in re.finditer(r"^\s*\"?(?:\$root/|\$here/\.\./)?scripts/deps\"?((?:\s+[a-z]+)*)\s*(?:$|[;|&>)])", ln):
                    groups.add("")
                    groups.update(dm.group(1).split())
            if groups:
                targets["(" + r + ")"] = (groups, {r})
    # a target whose recipe only runs $(MAKE) of another: nothing of its own
    return {t: v for t, v in targets.items() if v[1]}


def code(text):
    """The text without comment lines and here-document bodies (these are
    guest scripts or data)."""
    out, delim = [], None
    for line in text.splitlines():
        if delim is not None:
            if line.strip() == delim:
                delim = None
            out.append("")
            continue
        m = re.search(r"<<-?\s*['\"]?([A-Za-z_0-9]+)['\"]?", line)
        if m and "<<<" not in line:
            delim = m.group(1)
        out.append("" if line.lstrip().startswith("#") else line)
    return "\n".join(out)


def references(path, text):
    """Repository files a file runs or sources."""
    text = code(text)
    refs = set()
    here = os.path.dirname(path)
    for m in re.finditer(r"(?<![A-Za-z0-9_.-])((?:scripts|tests|bench|stress)/[A-Za-z0-9_./-]*[A-Za-z0-9_])", text):
        f = m.group(1)
        if os.path.isfile(os.path.join(ROOT, f)):
            refs.add(f)
    for m in re.finditer(r"\$\{?here\}?/([A-Za-z0-9_./-]*[A-Za-z0-9_])", text):
        f = os.path.normpath(os.path.join(here, m.group(1)))
        if os.path.isfile(os.path.join(ROOT, f)):
            refs.add(f)
    for m in re.finditer(r"^\s*\.\s+\"?\$?\{?[a-z]*\}?/?((?:lib|\.\./lib)/[A-Za-z0-9_.-]+)", text, re.M):
        f = os.path.normpath(os.path.join(here, m.group(1)))
        if os.path.isfile(os.path.join(ROOT, f)):
            refs.add(f)
    if path == "tests/run":
        for d in ("tests/cli", "tests"):
            for f in os.listdir(os.path.join(ROOT, d)):
                p = f"{d}/{f}"
                if (d == "tests/cli" or f.startswith("guest_")) and os.path.isfile(os.path.join(ROOT, p)):
                    refs.add(p)
    return refs


def dpkg_owner(path):
    cands = [path, os.path.realpath(path)]
    for c in list(cands):
        for a, b in (("/usr/bin/", "/bin/"), ("/usr/sbin/", "/sbin/"), ("/bin/", "/usr/bin/"), ("/sbin/", "/usr/sbin/")):
            if c.startswith(a):
                cands.append(b + c[len(a):])
    for c in cands:
        r = subprocess.run(["dpkg", "-S", c], capture_output=True, text=True)
        if r.returncode == 0:
            for ln in r.stdout.splitlines():
                pk, _, f = ln.partition(": ")
                if f.strip() == c and "diversion" not in ln:
                    return pk.split(":")[0].split(",")[0].strip()
    return None


def installed_closure(pkgs):
    """Every installed package that installing pkgs brings (Depends and
    Pre-Depends, transitively)."""
    r = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Depends}, ${Pre-Depends}\t${Provides}\n"],
                       capture_output=True, text=True)
    deps, provides = {}, {}
    for ln in r.stdout.splitlines():
        name, d, prov = (ln.split("\t") + ["", ""])[:3]
        alts = []
        for part in d.split(","):
            names = [re.sub(r"[\s(:].*", "", a.strip()) for a in part.split("|")]
            alts.append([n for n in names if n])
        deps[name] = [a for a in alts if a]
        for pv in prov.split(","):
            pv = re.sub(r"[\s(].*", "", pv.strip())
            if pv:
                provides.setdefault(pv, []).append(name)
    seen, todo = set(), list(pkgs)
    while todo:
        p = todo.pop()
        for q in [p] + provides.get(p, []):
            if q in deps and q not in seen:
                seen.add(q)
                for alt in deps[q]:
                    todo.extend(alt)
    return seen


def package_class(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f", "${Priority} ${Essential}", pkg],
                       capture_output=True, text=True)
    prio, _, ess = r.stdout.partition(" ")
    return prio, ess == "yes"


def which(cmd):
    for d in SYSPATH.split(":"):
        p = os.path.join(d, cmd)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def main():
    files = host_shell_files()
    texts = {f: open(os.path.join(ROOT, f), encoding="utf-8", errors="replace").read() for f in files}
    allfuncs = set()
    for t in texts.values():
        allfuncs |= shell_commands.functions(t)
    groups = deps_groups()
    closure = {}
    targets = make_targets()

    # which targets reach each file
    reach = {f: set() for f in files}
    graph = {f: references(f, texts[f]) for f in files}
    for t, (_, entry) in targets.items():
        seen, todo = set(), list(entry)
        while todo:
            f = todo.pop()
            if f in seen:
                continue
            seen.add(f)
            todo.extend(graph.get(f, ()))
        for f in seen:
            if f in reach:
                reach[f].add(t)

    guards = {f: shell_commands.checked(texts[f]) for f in files}
    def chain(t, f):
        """How target t reaches f: the first path found."""
        if t not in targets:
            return "by hand"
        prev, todo = {e: None for e in targets[t][1]}, list(targets[t][1])
        while todo:
            x = todo.pop(0)
            if x == f:
                break
            for y in sorted(graph.get(x, ())):
                if y not in prev:
                    prev[y] = x
                    todo.append(y)
        path, x = [], f
        while x is not None and x in prev:
            path.append(x)
            x = prev[x]
        return " -> ".join(reversed(path)) or "?"

    # commands: name -> [(file, line)]
    calls = {}
    for f in files:
        for ln, name in shell_commands.scan(texts[f]):
            if name in allfuncs:
                continue
            calls.setdefault(name, []).append((f, ln))
        for m in re.finditer(r"(?<![A-Za-z0-9_$./-])(/(?:usr/)?s?bin/[A-Za-z0-9_.+-]+)", texts[f]):
            ln = texts[f].count("\n", 0, m.start()) + 1
            calls.setdefault(m.group(1), []).append((f, ln))

    def judge(name, where, reach_of):
        """(good, text, diagnostics) for one command and its calls."""
        ws = ", ".join(f"{f}:{ln}" for f, ln in where[:3]) + (f" and {len(where) - 3} more" if len(where) > 3 else "")
        if name in ALLOWED:
            return (True, f"{name}: allowed without an install step ({ALLOWED[name]})", [])
        path = name if name.startswith("/") else which(name)
        if path is None or not os.path.exists(path):
            unguarded = [(f, ln) for f, ln in where if name not in guards.get(f, ())]
            if unguarded:
                return (False, f"{name}: not on this machine, and scripts/deps installs nothing that provides it",
                        [f"called at {', '.join(f'{f}:{ln}' for f, ln in unguarded[:3])}",
                         "add its package to scripts/deps (the group of the targets that call it), or guard it with command -v / need and a clear 'install X' skip"])
            return (True, f"{name}: not on this machine; every caller checks for it first ({ws})", [])
        pkg = dpkg_owner(path)
        # an alternative (awk: mawk or gawk, cc: gcc-N): any provider that
        # every Debian machine has will do
        link = os.path.realpath(os.path.dirname(path) + "/" + os.readlink(path)) if os.path.islink(path) else ""
        if "/etc/alternatives/" in (os.readlink(path) if os.path.islink(path) else "") or link.startswith("/etc/alternatives/"):
            alts = subprocess.run(["update-alternatives", "--list", os.path.basename(path)],
                                  capture_output=True, text=True).stdout.split()
            for a in alts:
                ap = dpkg_owner(a)
                if ap:
                    prio, essential = package_class(ap)
                    if essential or prio == "required":
                        pkg = ap
                        break
        if pkg is None:
            return (False, f"{name}: {path} belongs to no Debian package (installed by hand?)", [f"called at {ws}"])
        prio, essential = package_class(pkg)
        if essential or prio == "required":
            return (True, f"{name}: from {pkg} ({'essential' if essential else 'priority required'}: on every Debian machine)", [])
        bad = []
        for f, ln in where:
            for t in sorted(reach_of(f)):
                gset = frozenset(targets[t][0] if t in targets else {""})
                if gset not in closure:
                    want = set()
                    for g in gset:
                        want |= groups.get(g, set())
                    closure[gset] = installed_closure(want)
                if pkg not in closure[gset]:
                    gs = " ".join(sorted(g for g in gset if g)) or "base"
                    bad.append(f"{f}:{ln} (make {t}, which installs scripts/deps {gs}; reached {chain(t, f)})")
        if bad:
            owners = [g or "base" for g, pk in groups.items() if pkg in pk]
            return (False, f"{name}: package {pkg} is not installed by every target that runs it",
                    bad[:4] + [f"scripts/deps has it in: {', '.join(owners) or 'no group'}"])
        return (True, f"{name}: from {pkg}, installed by scripts/deps for every target that runs it ({len(where)} call(s))", [])

    def reach_of(f):
        return reach.get(f) or {"(none: run by hand)"}

    points = [judge(name, calls[name], reach_of) for name in sorted(calls)]

    # Negative controls: the judge must fail a command nothing installs,
    # and a kernel-group command run by a target that installs only base.
    ghost = judge("daxbench-no-such-command", [("scripts/x", 1)], lambda f: {"run"})
    points.append((not ghost[0], "control: a command no package provides, unguarded, fails", [ghost[1]]))
    if "run" in targets and which("ccache"):
        base_only = judge("ccache", [("scripts/x", 1)], lambda f: {"run"})
        points.append((not base_only[0], "control: ccache (scripts/deps kernel) called from make run (base only) fails",
                       [base_only[1]]))
    else:
        points.append((False, "control: ccache run from make run", ["no make run target or no ccache: the control cannot run"]))

    print(f"1..{len(points) + 1}")
    n = 0
    failed = 0
    # the scanner must have seen the commands everyone knows are there
    n += 1
    must = {"jq", "qemu-system-x86_64", "ccache", "gnuplot", "make"}
    missing = must - set(calls)
    if missing:
        failed += 1
        print(f"not ok {n} - the scanner finds the commands known to be called ({', '.join(sorted(must))})")
        print(f"#   not found: {', '.join(sorted(missing))}")
    else:
        print(f"ok {n} - the scanner finds the commands known to be called ({len(calls)} commands in {len(files)} host shell files)")
    for good, text, diag in points:
        n += 1
        if good:
            print(f"ok {n} - {text}")
        else:
            failed += 1
            print(f"not ok {n} - {text}")
            for d in diag:
                print(f"#   {d}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
