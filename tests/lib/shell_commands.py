#!/usr/bin/python3
"""The external commands the suite's host shell scripts run, and where.

    tests/lib/shell_commands.py FILE...      print "FILE:LINE COMMAND" for
                                             every command in command position

A small shell scanner, not a full parser: it follows quotes, comments,
here-documents (their bodies are data or guest scripts: skipped), command
substitutions, case patterns, [[ ]] and (( )), assignments, redirections and
the usual wrappers (sudo, nice, timeout, exec, command, env, flock, setsid),
and reports the first word of every simple command that is a plain name.
Words built from variables are skipped (they name the repository's own
scripts or binaries).  Used by tests/cli/deps_cover.py.
"""
import re
import sys

KEYWORDS = {
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for",
    "in", "case", "esac", "function", "select", "time", "!", "{", "}", "[[", "]]",
    "coproc",
}
BUILTINS = {
    ".", ":", "[", "alias", "bg", "bind", "break", "builtin", "caller", "cd",
    "command", "compgen", "complete", "continue", "declare", "dirs", "disown",
    "echo", "enable", "eval", "exec", "exit", "export", "false", "fc", "fg",
    "getopts", "hash", "help", "history", "jobs", "kill", "let", "local",
    "logout", "mapfile", "popd", "printf", "pushd", "pwd", "read", "readarray",
    "readonly", "return", "set", "shift", "shopt", "source", "suspend", "test",
    "times", "trap", "true", "type", "typeset", "ulimit", "umask", "unalias",
    "unset", "wait",
}
# Wrappers whose operand is the real command: name -> options taking a value.
WRAPPERS = {
    "sudo": {"-u", "-g"},
    "nice": {"-n"},
    "timeout": {"-k", "-s", "--kill-after", "--signal"},
    "exec": {"-a"},
    "command": set(),
    "env": {"-u"},
    "flock": {"-w", "-E"},
    "setsid": set(),
    "stdbuf": {"-i", "-o", "-e"},
    "nohup": set(),
    "ionice": {"-c", "-n"},
    "chronic": set(),
}
ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=")
NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")
OPS = ["&&", "||", ";;&", ";;", ";&", "|&", ";", "|", "&", "(", ")", "\n"]
REDIR = re.compile(r"^[0-9]*(<<<|<<-|<<|<>|>>|>&|<&|&>>|&>|>\||<|>)")


class Scanner:
    def __init__(self, text, values=None):
        self.values = values
        self.s = text
        self.i = 0
        self.line = 1
        self.heredocs = []  # pending (delimiter, strip_tabs)

    def peek(self, n=1):
        return self.s[self.i:self.i + n]

    def adv(self, n=1):
        for _ in range(n):
            if self.i < len(self.s):
                if self.s[self.i] == "\n":
                    self.line += 1
                self.i += 1

    def skip_heredocs(self):
        """At the start of a line: skip the bodies of pending here-docs."""
        for delim, strip in self.heredocs:
            while self.i < len(self.s):
                end = self.s.find("\n", self.i)
                if end < 0:
                    end = len(self.s)
                ln = self.s[self.i:end]
                self.adv(end - self.i + 1)
                if (ln.lstrip("\t") if strip else ln) == delim:
                    break
        self.heredocs = []

    def skip_until_close(self, opener, closer):
        """Skip balanced text (for (( )) and $(( )) and [[ ]])."""
        depth = 1
        while self.i < len(self.s) and depth:
            if self.s.startswith(closer, self.i):
                depth -= 1
                self.adv(len(closer))
                continue
            if self.s.startswith(opener, self.i):
                depth += 1
                self.adv(len(opener))
                continue
            self.adv()

    def tokens(self, stop=None, out=None):
        """Yield (kind, value, line): kind 'w' word (with nested command
        lists already scanned into out), 'op' operator."""
        toks = []
        while self.i < len(self.s):
            c = self.peek()
            if stop and c == stop:
                self.adv()
                return toks
            if c == "\\" and self.peek(2) == "\\\n":
                self.adv(2)
                continue
            if c in " \t":
                self.adv()
                continue
            if c == "#":
                while self.i < len(self.s) and self.peek() != "\n":
                    self.adv()
                continue
            if c == "\n":
                toks.append(("op", "\n", self.line))
                self.adv()
                if self.heredocs:
                    self.skip_heredocs()
                continue
            if self.s.startswith("((", self.i):
                self.adv(2)
                self.skip_until_close("((", "))")
                toks.append(("w", "((", self.line))
                continue
            if self.s.startswith("[[", self.i) and (self.i + 2 >= len(self.s) or self.s[self.i + 2] in " \t\n"):
                ln = self.line
                self.adv(2)
                # a [[ ]] holds no command, but may hold $( ): scan it
                self.word_until("]]", out)
                toks.append(("w", "[[", ln))
                continue
            if self.s.startswith("&>", self.i):
                # &>FILE, &>>FILE: a redirection, not "&"
                ln = self.line
                self.adv(3 if self.s.startswith("&>>", self.i) else 2)
                toks.append(("w", ">" + self.word(out), ln))
                continue
            matched = None
            for op in OPS:
                if self.s.startswith(op, self.i):
                    matched = op
                    break
            if matched:
                if matched == ")" and stop == ")":
                    self.adv()
                    return toks
                toks.append(("op", matched, self.line))
                self.adv(len(matched))
                continue
            ln = self.line
            w = self.word(out)
            toks.append(("w", w, ln))
            m = re.match(r"^[0-9]*<<(-?)\s*$", w)
            if w.startswith("<<") or m:
                pass
        return toks

    def word_until(self, closer, out):
        while self.i < len(self.s) and not self.s.startswith(closer, self.i):
            c = self.peek()
            if c == "$" and self.peek(2) == "$(" and self.peek(3) != "$((":
                self.adv(2)
                self.subst(out, ")")
            elif c == "'":
                self.single()
            elif c == '"':
                self.double(out)
            else:
                self.adv()
        self.adv(len(closer))

    def substitution(self, out):
        """At $((, $( or a backquote: scan it (a command substitution's
        commands go to out) and return True; else False."""
        if self.s.startswith("$((", self.i):
            self.adv(3)
            self.skip_until_close("((", "))")
        elif self.s.startswith("$(", self.i):
            self.adv(2)
            self.subst(out, ")")
        elif self.peek() == "`":
            self.adv()
            self.subst(out, "`")
        else:
            return False
        return True

    def single(self):
        self.adv()
        while self.i < len(self.s) and self.peek() != "'":
            self.adv()
        self.adv()

    def double(self, out):
        self.adv()
        buf = []
        while self.i < len(self.s) and self.peek() != '"':
            c = self.peek()
            if c == "\\":
                buf.append(self.peek(2)[1:])
                self.adv(2)
            elif self.substitution(out):
                buf.append("$")
            else:
                buf.append(c)
                self.adv()
        self.adv()
        return "".join(buf)

    def subst(self, out, closer):
        toks = self.tokens(stop=closer, out=out)
        commands(toks, out, self.values)

    def word(self, out):
        buf = []
        # here-doc operator: remember its delimiter
        m = re.match(r"[0-9]*<<(-?)[ \t]*(['\"]?)([A-Za-z_0-9.-]+)\2", self.s[self.i:])
        if m and not self.s.startswith("<<<", self.i):
            self.heredocs.append((m.group(3), m.group(1) == "-"))
            self.adv(m.end())
            return "<<"
        while self.i < len(self.s):
            c = self.peek()
            if c in " \t\n;&|()":
                if c == "(" and buf and buf[-1] in "=@?*+!":
                    # arr=( ... ) or an extglob: keep it in the word
                    self.adv()
                    depth = 1
                    while self.i < len(self.s) and depth:
                        d = self.peek()
                        if d == "(":
                            depth += 1
                        elif d == ")":
                            depth -= 1
                        elif d == "'":
                            self.single()
                            continue
                        elif d == '"':
                            self.double(out)
                            continue
                        elif self.s.startswith("$(", self.i):
                            self.adv(2)
                            self.subst(out, ")")
                            continue
                        self.adv()
                    buf.append("(...)")
                    continue
                break
            if c == "\\":
                buf.append(self.peek(2)[1:])
                self.adv(2)
            elif c == "'":
                st = self.i
                self.single()
                buf.append(self.s[st + 1:self.i - 1])
            elif c == '"':
                buf.append(self.double(out))
            elif c != "`" and self.substitution(out):
                buf.append("$")
            elif self.s.startswith("${", self.i):
                m = re.match(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", self.s[self.i:])
                if m:
                    buf.append("$" + m.group(1))
                self.adv(2)
                depth = 1
                while self.i < len(self.s) and depth:
                    if self.peek() == "{":
                        depth += 1
                    elif self.peek() == "}":
                        depth -= 1
                    elif self.s.startswith("$((", self.i):
                        self.adv(3)
                        self.skip_until_close("((", "))")
                        continue
                    elif self.s.startswith("$(", self.i):
                        self.adv(2)
                        self.subst(out, ")")
                        continue
                    self.adv()
                if not m:
                    buf.append("$")
            elif c == "`" and self.substitution(out):
                buf.append("$")
            elif c in "<>" and self.s[self.i + 1:self.i + 2] == "&":
                # >&2, <&0, >&-: the descriptor is part of the redirection
                self.adv(2)
                while self.i < len(self.s) and (self.peek().isdigit() or self.peek() == "-"):
                    buf.append(self.peek())
                    self.adv()
                buf.insert(0, ">&")
            elif c in "<>" and self.peek(2) in ("<(", ">("):
                self.adv(2)
                self.subst(out, ")")
                buf.append("$")
            else:
                buf.append(c)
                self.adv()
        return "".join(buf)


VARREF = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")


def commands(toks, out, values=None):
    """Append (line, name) for the command word of each simple command;
    values: variable -> the command names assigned to it (a command run as
    "$VAR" or "${VAR[@]}" is each of them)."""
    at_start = True
    state = None  # 'for', 'case-word', 'case-in', 'pattern'
    skip_next = 0
    wrapper = None
    wrapper_vals = set()
    i = 0
    while i < len(toks):
        kind, v, ln = toks[i]
        i += 1
        if kind == "op":
            skip_next = 0
            if state == "pattern":
                if v == ")":
                    state = None
                    at_start = True
                continue
            if v in (";;", ";&", ";;&"):
                state = "pattern"
                at_start = True
                continue
            if v in ("\n", ";") and state == "for":
                state = None
            at_start = True
            wrapper = None
            continue
        # a word
        if state == "pattern":
            if v == "esac":
                state = None
                at_start = False
            continue
        if state == "case-word":
            state = "case-in" if v != "in" else "pattern"
            continue
        if state == "case-in":
            if v == "in":
                state = "pattern"
            continue
        if state == "for":
            continue
        if skip_next:
            skip_next -= 1
            continue
        if v == "<<":
            continue
        if REDIR.match(v):
            if REDIR.match(v).end() == len(v):
                skip_next = 1  # the target is the next word
            continue
        if not at_start:
            continue
        if v in ("case",):
            state = "case-word"
            continue
        if v in ("for", "select"):
            state = "for"
            continue
        if v in KEYWORDS or v == "((":
            continue
        if ASSIGN.match(v):
            continue
        if wrapper:
            if v.startswith("-"):
                if v in wrapper_vals:
                    skip_next = 1
                continue
            if wrapper == "timeout" and re.match(r"^[0-9.]+[smhd]?$", v):
                continue
            if wrapper == "flock" and re.match(r"^[0-9]+$", v):
                continue
            if wrapper == "env" and ASSIGN.match(v):
                continue
        if v in WRAPPERS:
            if v not in BUILTINS:
                out.append((ln, v))
            wrapper = v
            wrapper_vals = WRAPPERS[v]
            continue
        mv = VARREF.match(v)
        if mv and values is not None:
            names = values.get(mv.group(1), [])
            for nm in names:
                out.append((ln, nm))
            if names and all(nm in WRAPPERS for nm in names):
                wrapper = names[0]
                wrapper_vals = WRAPPERS[wrapper]
                continue
        at_start = False
        wrapper = None
        if "$" in v or "/" in v or not NAME.match(v):
            continue
        if v in BUILTINS:
            continue
        # a function definition: name() or "function name"
        if i < len(toks) and toks[i][:2] == ("op", "(") and i + 1 < len(toks) and toks[i + 1][:2] == ("op", ")"):
            i += 2
            at_start = True
            continue
        out.append((ln, v))
    return out


def functions(text):
    names = set(re.findall(r"(?m)^\s*(?:function\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*\(\)", text))
    names |= set(re.findall(r"(?m)^\s*function\s+([A-Za-z_][A-Za-z0-9_-]*)", text))
    return names


ASSIGN_VALUE = re.compile(
    r"""(?m)(?:^|[\s;(])(?:local\s+|readonly\s+|declare\s+-a\s+)?([A-Za-z_][A-Za-z0-9_]*)=(\(|["']?)([^"'\s)]*)""")


def command_values(text):
    """Variables assigned a command name (X=name, X="name", X=(name args)
    or X=(wrapper ... name ...)): variable -> names."""
    vals = {}
    for m in ASSIGN_VALUE.finditer(text):
        var, opener, first = m.group(1), m.group(2), m.group(3)
        names = []
        if opener == "(":
            rest = text[m.end(2):text.find(")", m.end(2))]
            words = re.findall(r"[^\s\"']+", rest)
            skip = 0
            for w in words:
                if skip:
                    skip -= 1
                    continue
                if NAME.match(w) and not w[0].isdigit():
                    names.append(w)
                    if w not in WRAPPERS:
                        break
                    continue
                if w.startswith("-") and names and w in WRAPPERS.get(names[-1], ()):
                    skip = 1
                    continue
                if w.startswith("-") or w[0].isdigit():
                    continue
                break
        elif first and NAME.match(first) and not first[0].isdigit():
            names.append(first)
        for n in names:
            if n not in BUILTINS and n not in KEYWORDS:
                vals.setdefault(var, []).append(n)
    return vals


# Compilers handed to make (CC="ccache gcc"): each word is run by make.
MAKE_CC = re.compile(r"""\b(?:CC|HOSTCC|CXX|LD)=(["']?)([A-Za-z0-9_. +-]+)\1""")


def make_compilers(text):
    out = []
    for m in MAKE_CC.finditer(text):
        ln = text.count("\n", 0, m.start()) + 1
        for w in m.group(2).split():
            if NAME.match(w) and "$" not in w:
                out.append((ln, w))
    return out


# for t in a b c; do command -v "$t" ...: the commands a script checks for
# up front (and stops with the reason when one is missing).
CHECK_LOOP = re.compile(r"for (\w+) in ([^;\n]+);\s*do\s*\n?\s*command -v \"?\$\{?\1\}?\"?")


def checked(text):
    """Commands a script checks for before it runs them."""
    names = set(re.findall(r"command -v \"?([A-Za-z0-9_.+-]+)", text))
    for m in CHECK_LOOP.finditer(text):
        names.update(w for w in m.group(2).split() if NAME.match(w))
    for m in re.finditer(r"(?m)^\s*need ([^\n]+)", text):
        names.update(w for w in m.group(1).split() if NAME.match(w))
    return names


def loop_checked(text):
    """(line, name) of the commands named in a tool-check loop."""
    out = []
    for m in CHECK_LOOP.finditer(text):
        ln = text.count("\n", 0, m.start()) + 1
        out.extend((ln, w) for w in m.group(2).split() if NAME.match(w))
    return out


def scan(text):
    values = command_values(text)
    sc = Scanner(text, values)
    out = []
    toks = sc.tokens(out=out)
    commands(toks, out, values)
    out.extend(make_compilers(text))
    out.extend(loop_checked(text))
    return sorted(set(out))


def main(argv):
    for path in argv:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        fns = functions(text)
        for ln, name in scan(text):
            if name not in fns:
                print(f"{path}:{ln} {name}")


if __name__ == "__main__":
    main(sys.argv[1:])
