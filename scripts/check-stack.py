#!/usr/bin/env python3
"""Checks that every recursion in the firmware has a bound and that the bound fits the stack.

    scripts/check-stack.py [BUILD_DIR]      (default build/fw; run after each firmware link)

The firmware runs on one 64 KiB stack with an unmapped guard page below it
(boot/README.md). Untrusted input drives a few recursions (the GRUB interpreter's
blocks, function calls and files; the hush parser and interpreter; ...), so each has a
depth limit in its source, and each level's frames must stay small enough that the
limit times a level, plus the deepest chain of calls around it, fits. Link-time
optimisation can merge a heavy callee into a recursive function and multiply its frame
by the depth (GRUB's parse_list grew from 368 to 2,672 bytes a level), which is why
this is checked on every build rather than measured once.

GCC writes each function's frame and direct calls (-fstack-usage -fcallgraph-info=su,
cmake/flags.cmake): under LTO for the ltrans units at the link
(xenboot.elf.ltransN.ltrans.ci), else per object. From the call graph:

 1. Every cycle of direct calls (a strongly connected component) must be one of
    RECURSIONS below; a new one fails until it is given a bound here.
 2. Each recursion names the functions that count a level (its limit's counter). Every
    cycle must pass through one of them (the graph without them is acyclic), and the
    frames of the longest chain from one counted call to the next are a level; that
    must be within the recursion's level budget.
 3. The stack a recursion can take is limit x level. Some recursions go through a call
    by pointer (a command from the table, a virtual filesystem call), which the call
    graph cannot see: those are in RECURSIONS by hand, with the chain of each level.
 4. Budget: each recursion at its bound, plus the deepest chain of direct calls in the
    firmware (each function once: the most that the code above and below a recursion
    can add), must fit the stack with STACK_MARGIN to spare (exception entry, the
    frames of calls by pointer that join two chains); so must the deepest chain of
    direct calls with every recursion on it at its bound (recursions nested through
    direct calls, such as GRUB's `[` inside its levels).

What it does not prove: recursions that nest inside each other through calls by pointer
(a hush script nested to its limit that runs `bootflow scan`, which runs GRUB's
interpreter) are not added together; the levels they allow are each far above what
real scripts and configs use (a distribution's grub.cfg: under 10 GRUB levels).

Prints each recursion's level, limit and total, and the deepest chains; exit status 1
when a rule is broken.
"""

import collections
import glob
import os
import re
import subprocess
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
STACK_SIZE = 65536  # configs/xenguest.cmake XENBOOT_STACK_SIZE
STACK_MARGIN = 4096


def constant(path, name=None):
    """A `name = N` constant from a source file (N may use other constants of the file:
    `kMaxCallDepth + 1`), so the limits here follow the code; or a number given here,
    with a comment saying where the code bounds it."""
    if name is None:
        return path
    with open(os.path.join(REPO, path), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"\b%s\s*=\s*([\w\s+*()-]+);" % re.escape(name), text)
    if not m:
        sys.exit("check-stack: no constant %s in %s" % (name, path))
    expr = re.sub(r"\b(k[A-Z]\w*)\b", lambda w: str(constant(path, w.group(1))), m.group(1))
    if not re.fullmatch(r"[\d\s+*()-]+", expr):
        sys.exit("check-stack: %s in %s is not a number: %s" % (name, path, m.group(1)))
    return int(eval(expr))  # digits and + - * ( ) only


# Each recursion: the functions whose calls count a level (regular expressions on the
# function's name as GCC reports it, matched whole), the source constant that limits
# the levels, the most a level's frames may take, and (for cycles through a call by
# pointer) the functions of one level's chain.
RECURSIONS = [
    {
        "name": "GRUB interpreter: blocks, function calls, submenus and files (parse_list levels)",
        "counted": [r"xb::loader::grub::Interpreter::parse_list\(.*"],
        "limit": ("loader/grub/interpreter.h", "kMaxLevels"),
        "level_budget": 2048,
    },
    {
        "name": "GRUB test/[ expressions: '!' and '('",
        "counted": [r"xb::loader::grub::\(anonymous namespace\)::TestEval::unary\(.*"],
        "limit": ("loader/grub/commands.cpp", "kMaxNesting"),
        "level_budget": 1024,
    },
    {
        "name": "hush parser: if/for/while inside each other",
        "counted": [r"xb::cmd::hush::\(anonymous namespace\)::Parser::parse_list\(.*"],
        "limit": ("shell/hush_parser.h", "kMaxNesting"),
        "level_budget": 512,
    },
    {
        "name": "hush interpreter: compound commands inside each other",
        "counted": [r"xb::cmd::Interpreter::exec_node\(.*"],
        "limit": ("shell/interpreter.h", "kMaxDepth"),
        "level_budget": 512,
    },
    {
        # run/source/sysboot call run_script again through the command table (a call the
        # graph cannot see); run_script counts kMaxRunDepth of them.
        "name": "hush interpreter: run/source/sysboot inside each other (by pointer)",
        "chain": [r"xb::cmd::Interpreter::run_script\(.*", r"xb::cmd::Interpreter::exec_list\(.*",
                  r"xb::cmd::Interpreter::exec_node\(.*", r"xb::cmd::Interpreter::exec_simple\(.*",
                  r"xb::cmd::run_command\(.*", r"xb::cmd::do_(run|source|sysboot)\(.*"],
        "limit": ("shell/interpreter.h", "kMaxRunDepth"),
        "level_budget": 1024,
    },
    {
        "name": "setexpr's regex: one level per atom",
        "counted": [r"xb::Regex::match_here\(.*"],
        "limit": ("lib/regex_lite.h", "kMaxItems"),
        "level_budget": 256,
    },
    {
        "name": "btrfs tree search: one level per tree level",
        "counted": [r"xb::fs::btrfs::\(anonymous namespace\)::descend_ge\(.*"],
        "limit": ("fs/btrfs/layout.h", "kMaxLevel"),
        "level_budget": 1024,
    },
    {
        # Volume::map looks a chunk up in the chunk tree, whose own nodes are in the
        # system chunks (in_chunk_lookup_ stops a second lookup): two levels.
        "name": "btrfs chunk lookup inside a node read",
        "counted": [r"xb::fs::btrfs::Volume::map\(.*"],
        "limit": 2,
        "level_budget": 2048,
    },
    {
        # zstd's FSE_readNCount copies a short header into a local buffer and calls
        # itself once on it (Debian's libzstd, lib/common/entropy_common.c).
        "name": "zstd FSE_readNCount on a short header",
        "counted": [r"FSE_readNCount_body_default.*"],
        "limit": 2,
        "level_budget": 1024,
    },
    {
        # `exception stackoverflow` recurses until the guard page, on purpose.
        "name": "exception stackoverflow's eat_stack (unbounded on purpose)",
        "counted": [r"xb::arch::\(anonymous namespace\)::eat_stack\(.*"],
        "limit": 0,
        "level_budget": 1024,
    },
]


def parse_ci(paths):
    """{node: frame bytes}, {node: set(callees)}, {node: display name} from VCG files.
    A node is its title: `unit:name` for a local function, the symbol for a global one."""
    frames = {}
    names = {}
    calls = collections.defaultdict(set)
    node = re.compile(r'node: \{ title: "([^"]*)" label: "([^"]*)"')
    edge = re.compile(r'edge: \{ sourcename: "([^"]*)" targetname: "([^"]*)"')
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = node.match(line)
                if m:
                    title, label = m.groups()
                    parts = label.split("\\n")
                    names[title] = parts[0]
                    size = 0
                    for p in parts[1:]:
                        s = re.match(r"(\d+) bytes", p)
                        if s:
                            size = int(s.group(1))
                    frames[title] = max(frames.get(title, 0), size)
                    continue
                m = edge.match(line)
                if m:
                    calls[m.group(1)].add(m.group(2))
    for title in list(calls):
        for callee in calls[title]:
            frames.setdefault(callee, 0)
            names.setdefault(callee, callee.split(":")[-1])
    # Qualified names (xb::loader::grub::Interpreter::parse_list(...)): the short names
    # GCC prints repeat across classes.
    titles = sorted(frames)
    # A local function's title is "unit:symbol" (an ltrans object, or the source file
    # without LTO); mangled symbols have no ':'.
    symbols = [t.rsplit(":", 1)[-1] for t in titles]
    out = subprocess.run(["c++filt"], input="\n".join(symbols) + "\n", capture_output=True, text=True,
                         check=True).stdout.splitlines()
    for title, name in zip(titles, out):
        names[title] = name
    return frames, calls, names


def sccs(nodes, calls):
    """Tarjan's strongly connected components, iteratively (the graph is deep)."""
    index = {}
    low = {}
    on_stack = set()
    stack = []
    result = []
    counter = [0]
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(calls.get(root, ()))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(calls.get(w, ())))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                result.append(comp)
    return result


def main(argv):
    build = argv[0] if argv else os.path.join(REPO, "build", "fw")
    files = sorted(glob.glob(os.path.join(build, "xenboot.elf.ltrans*.ltrans.ci")))
    lto = bool(files)
    if not lto:
        files = sorted(glob.glob(os.path.join(build, "**", "*.ci"), recursive=True))
        # ccache (4.7) keeps an object's .su but not its .ci: after a cache hit the .ci is
        # missing or older than the object, and the graph would be silently incomplete.
        # The LTO link writes its own, so only a build without LTO can skip.
        stale = []
        # (The C sources from Debian, lwIP and the decoders, are built with their own flags and
        # have no call graph without LTO.)
        for obj in glob.glob(os.path.join(build, "**", "CMakeFiles", "**", "*.cpp.obj"), recursive=True):
            ci = obj[:-len(".obj")] + ".ci"
            if not os.path.exists(ci) or os.path.getmtime(ci) + 2 < os.path.getmtime(obj):
                stale.append(obj)
        if stale:
            print("check-stack: NOT CHECKED: %d objects have no call graph as new as themselves (%s, ...): a "
                  "ccache hit keeps no -fcallgraph-info output; check an LTO build (-DXENBOOT_LTO=ON) or "
                  "one without ccache" % (len(stale), os.path.relpath(stale[0], build)))
            return 0
    if not files:
        print("check-stack: no call graph (.ci) in %s: build with cmake/flags.cmake's -fcallgraph-info" % build,
              file=sys.stderr)
        return 1
    frames, calls, names = parse_ci(files)
    errors = []
    comps = sccs(sorted(frames), calls)
    comp_of = {}
    for i, comp in enumerate(comps):
        for v in comp:
            comp_of[v] = i

    def recursive(comp):
        return len(comp) > 1 or comp[0] in calls.get(comp[0], ())

    # Rules 1-3: each recursion is declared, counted, and its level within budget.
    bound = {}  # comp index -> bytes the recursion can take
    report = []
    for i, comp in enumerate(comps):
        if not recursive(comp):
            continue
        members = set(comp)
        rec = None
        counted = set()
        for r in RECURSIONS:
            if "counted" not in r:
                continue
            pats = [re.compile(p) for p in r["counted"]]
            hits = {v for v in comp if any(p.fullmatch(names[v]) for p in pats)}
            if hits:
                rec, counted = r, hits
                break
        shown = ", ".join(sorted(names[v] for v in comp))
        if rec is None:
            errors.append("a recursion with no bound in scripts/check-stack.py RECURSIONS: %s" % shown)
            continue
        # Longest chain (frames) from a counted function to the next counted call.
        memo = {}
        visiting = set()
        cyclic = []

        def longest(v):
            if v in memo:
                return memo[v]
            if v in visiting:
                cyclic.append(names[v])
                return 0
            visiting.add(v)
            best = 0
            for w in calls.get(v, ()):
                if w in members and w not in counted:
                    best = max(best, longest(w))
            visiting.discard(v)
            memo[v] = frames[v] + best
            return memo[v]

        level = 0
        for c in counted:
            below = 0
            for w in calls.get(c, ()):
                if w in members and w not in counted:
                    below = max(below, longest(w))
            level = max(level, frames[c] + below)
        if cyclic:
            errors.append("%s: a cycle that does not pass a counted function (%s): %s" %
                          (rec["name"], ", ".join(sorted(set(cyclic))), shown))
        limit = constant(*rec["limit"]) if isinstance(rec["limit"], tuple) else rec["limit"]
        bound[i] = limit * level
        rec.setdefault("found", []).append((level, limit, shown))
        if level > rec["level_budget"]:
            errors.append("%s: a level takes %d bytes, over its budget of %d (%s)" %
                          (rec["name"], level, rec["level_budget"], shown))

    # Rule 3: recursions through a call by pointer, level by level as declared.
    for r in RECURSIONS:
        if "chain" not in r:
            continue
        level = 0
        found = 0
        for pat in r["chain"]:
            p = re.compile(pat)
            hits = [frames[v] for v in frames if p.fullmatch(names[v])]
            # A function missing from the build was inlined: its frame is its caller's.
            found += bool(hits)
            level += max(hits, default=0)
        if found < 2:
            errors.append("%s: the chain is not in this build (update RECURSIONS)" % r["name"])
        limit = constant(*r["limit"]) if isinstance(r["limit"], tuple) else r["limit"]
        r.setdefault("found", []).append((level, limit, " -> ".join(r["chain"])))
        bound[("chain", r["name"])] = limit * level
        if level > r["level_budget"]:
            errors.append("%s: a level takes %d bytes, over its budget of %d" % (r["name"], level, r["level_budget"]))

    # Rule 4: the deepest chain of direct calls, with each recursion at its bound
    # (with_bounds) or at one level (the chain outside the recursions).
    sys.setrecursionlimit(100000)
    memo = ({}, {})

    def deepest(ci, with_bounds):
        known = memo[with_bounds]
        if ci in known:
            return known[ci][0]
        comp = comps[ci]
        own = (bound.get(ci, 0) if with_bounds else 0) + max(frames[v] for v in comp)
        best, via = 0, None
        for v in comp:
            for w in calls.get(v, ()):
                cw = comp_of[w]
                if cw != ci:
                    d = deepest(cw, with_bounds)
                    if d > best:
                        best, via = d, cw
        known[ci] = (own + best, via)
        return own + best

    def chain_of(ci, with_bounds):
        out = []
        while ci is not None:
            comp = comps[ci]
            extra = bound.get(ci, 0) if with_bounds else 0
            label = names[comp[0]] + (" [recursion at its bound: %d]" % extra if extra else "")
            out.append((max(frames[v] for v in comp) + extra, label))
            ci = memo[with_bounds][ci][1]
        return out

    top = max(range(len(comps)), key=lambda ci: deepest(ci, True))
    top_plain = max(range(len(comps)), key=lambda ci: deepest(ci, False))
    outside = deepest(top_plain, False)
    # Each recursion at its bound, with the deepest chain of direct calls in the firmware
    # (each function once) as what may sit above and below it.
    worst = max(bound.items(), key=lambda kv: kv[1]) if bound else (None, 0)
    # Recursions nested in each other through direct calls (GRUB's `[` inside its levels)
    # are in the deepest chain with the bounds: that one must fit too.
    need = max(worst[1] + outside, deepest(top, True))

    print("check-stack: %d functions from %d %s call graphs" % (len(frames), len(files),
                                                              "LTO (ltrans)" if lto else "per-object"))
    for r in RECURSIONS:
        for level, limit, shown in r.get("found", []):
            print("  %s: %d bytes a level (budget %d) x %d levels = %d" % (r["name"], level, r["level_budget"], limit,
                                                                           level * limit))
        if not r.get("found"):
            print("  %s: no such cycle in this build" % r["name"])
    for title, ci, wb in (("deepest chain of direct calls, recursions at their bound", top, True),
                          ("deepest chain of direct calls, each function once", top_plain, False)):
        print("  %s: %d bytes:" % (title, deepest(ci, wb)))
        for size, name in chain_of(ci, wb)[:14]:
            print("    %7d  %s" % (size, name))
    print("  need: the largest of the deepest chain with the recursions at their bound %d and the largest "
          "recursion at its bound %d + the deepest chain of direct calls %d: %d of %d (margin %d)" %
          (deepest(top, True), worst[1], outside, need, STACK_SIZE, STACK_MARGIN))
    if need + STACK_MARGIN > STACK_SIZE:
        errors.append("the stack may need %d bytes, over %d - %d" % (need, STACK_SIZE, STACK_MARGIN))
    for e in errors:
        print("check-stack: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
