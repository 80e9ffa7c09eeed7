"""The kernel-log pattern table (scripts/lib/kmsg-patterns.txt) for Python.

classes(text) -> the set of classes one kernel message's text matches;
kernel_lines(path, classes, ...) -> the kernel lines of a log file (console.log,
dmesg.txt) in those classes.  lib/kmsg.c reads the same table (generated into
build/kmsg_patterns.h) and tests/cli/kmsg_patterns.py proves that both
classify the same sample lines alike.
"""
import os
import re

TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kmsg-patterns.txt")
CLASSES = ("warning", "died", "hung", "stall", "emulator")

# A kernel line on a console: printk's timestamp, then the message.  The
# guest's /init writes its own lines with two decimals; the console watch
# takes only printk's six (KLINE_EXACT), the after-run scan any (KLINE).
KLINE = re.compile(r"\[ *[0-9]+\.[0-9]+\] ")
KLINE_EXACT = re.compile(r"\[ *[0-9]+\.[0-9]{6}\] ")
STAMP = re.compile(r"^\[ *[0-9]+\.[0-9]+\] ")


def load(path=TABLE):
    """[(class, pattern text)] in the table's order; ValueError on a bad line."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cls, sep, pat = line.partition("\t")
            if not sep or cls not in CLASSES or not pat:
                raise ValueError(f"{path}:{n}: not CLASS<TAB>PATTERN with a known class: {line!r}")
            rows.append((cls, pat))
    return rows


_ROWS = load()
_COMPILED = [(cls, re.compile(pat)) for cls, pat in _ROWS]


def regex(*classes):
    """The alternation of the classes' patterns, as one ERE (for grep -E)."""
    return "|".join(p for c, p in _ROWS if c in classes)


def classes(text):
    """The classes one message's text matches (a frozenset, maybe empty)."""
    return frozenset(c for c, r in _COMPILED if r.search(text))


def message(line):
    """A console line without its CR and its printk timestamp."""
    return STAMP.sub("", line.rstrip("\r\n").lstrip(" "))


def kernel_lines(paths, want, exact=False, limit=None):
    """The kernel lines of the files in paths (missing ones skipped) whose
    message falls in one of the classes want, in file order, each once,
    timestamps stripped; at most limit of them."""
    kline = KLINE_EXACT if exact else KLINE
    seen, out = set(), []
    for path in paths:
        try:
            with open(path, "rb") as f:
                data = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        for line in data.splitlines():
            line = line.rstrip("\r")
            m = kline.search(line)
            if not m:
                continue
            text = line[m.end():]
            if not (classes(text) & set(want)):
                continue
            msg = message(line[m.start():])
            if msg in seen:
                continue
            seen.add(msg)
            out.append(msg)
            if limit is not None and len(out) >= limit:
                return out
    return out
