"""TAP output for the Python host tests (tests/run tallies it):
point(cond, name, *diag) prints "ok N - NAME" or "not ok N - NAME" and the
diagnostic lines; failed() is the count of not-oks (exit 1 when non-zero)."""
_n = 0
_failed = 0


def point(cond, name, *diag):
    global _n, _failed
    _n += 1
    print(f"{'ok' if cond else 'not ok'} {_n} - {name}", flush=True)
    if not cond:
        _failed += 1
        for d in diag:
            print(f"#   {d}")


def failed():
    return _failed
