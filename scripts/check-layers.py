#!/usr/bin/env python3
"""Holds every #include of xenboot's own headers to the layering.

The allowed edges live in one table in docs/architecture.md, between the
markers `<!-- layers:begin -->` and `<!-- layers:end -->`: one row per
component (a folder), naming the components its files may include. A file
belongs to the component with the longest matching folder; headers under
`xenboot/` are generated from configs/ and may be included anywhere.

The check fails (exit 1) on:
  - an include of another component that the table does not allow;
  - a source file in a folder that is no component (add a row first);
  - a component whose CMake target does not state (target_link_libraries) the
    components its includes need, or states one the table forbids.
Run by the build (target check_layers) and by scripts/test.sh.
Usage: check-layers.py [REPO]
"""
import os
import re
import sys

SOURCE_EXT = (".h", ".cpp", ".S", ".c")
EXEMPT_DIRS = ("tests/", "build/", ".git/", "scripts/", "docs/", "cmake/", "configs/")
GENERATED = "xenboot/"


def read_table(repo):
    path = os.path.join(repo, "docs", "architecture.md")
    text = open(path, encoding="utf-8").read()
    m = re.search(r"<!-- layers:begin -->(.*?)<!-- layers:end -->", text, re.S)
    if not m:
        sys.exit(f"check-layers: no layers table in {path}")
    allowed = {}
    for line in m.group(1).splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0] or cells[0].startswith("-") or cells[0] == "component":
            continue
        deps = [d.strip().strip("`") for d in cells[1].split(",")]
        allowed[cells[0].rstrip("/")] = {d.rstrip("/") for d in deps if d and d != "(nothing)"}
    return allowed


def component_of(path, components):
    best = None
    for c in components:
        if path == c or path.startswith(c + "/"):
            if best is None or len(c) > len(best):
                best = c
    return best


def cmake_deps(repo, comp):
    """The component's target and the xb_* targets its CMakeLists links."""
    path = os.path.join(repo, comp, "CMakeLists.txt")
    if not os.path.exists(path):
        return None, set()
    text = open(path, encoding="utf-8").read()
    target = re.search(r"xb_component\((\w+)", text)
    links = set()
    for m in re.finditer(r"target_link_libraries\(\s*(\w+)\s+PUBLIC([^)]*)\)", text):
        if target and m.group(1) == target.group(1):
            links |= set(re.findall(r"xb_\w+", m.group(2)))
    return (target.group(1) if target else None), links


def main():
    repo = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    allowed = read_table(repo)
    components = list(allowed)
    problems = []
    used = {c: set() for c in components}
    for dirpath, dirnames, filenames in os.walk(repo):
        rel_dir = os.path.relpath(dirpath, repo)
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        if rel_dir.startswith(EXEMPT_DIRS) or rel_dir.startswith("."):
            dirnames[:] = []
            continue
        for name in filenames:
            if not name.endswith(SOURCE_EXT):
                continue
            rel = rel_dir + name
            comp = component_of(rel, components)
            if comp is None:
                problems.append(f"{rel}: in no component of the layers table (docs/architecture.md)")
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8", errors="replace") as f:
                for lineno, line in enumerate(f, 1):
                    m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                    if not m:
                        continue
                    target = m.group(1)
                    if target.startswith(GENERATED):
                        continue
                    tcomp = component_of(target, components)
                    if tcomp is None:
                        if not os.path.exists(os.path.join(dirpath, target)):
                            problems.append(f"{rel}:{lineno}: includes {target}, which is in no component")
                        continue
                    if tcomp == comp:
                        continue
                    used[comp].add(tcomp)
                    if tcomp not in allowed[comp]:
                        problems.append(f"{rel}:{lineno}: {comp} may not include {target} ({tcomp}); "
                                        f"{comp} may include: {', '.join(sorted(allowed[comp])) or 'nothing'}")
    targets = {c: cmake_deps(repo, c) for c in components}
    name_of = {t: c for c, (t, _) in targets.items() if t}
    for comp, (target, links) in targets.items():
        if target is None:
            continue
        linked = {name_of[t] for t in links if t in name_of}
        for need in sorted(used[comp] - linked):
            problems.append(f"{comp}/CMakeLists.txt: {target} includes {need} but does not link {targets[need][0]}")
        for extra in sorted(linked - allowed[comp]):
            problems.append(f"{comp}/CMakeLists.txt: {target} links {targets[extra][0]}, which the table does not allow")
    for p in problems:
        print(f"check-layers: {p}")
    if problems:
        print(f"check-layers: {len(problems)} problem(s); the allowed edges are in docs/architecture.md")
        return 1
    print(f"check-layers: {len(components)} components, every include follows the layering")
    return 0


if __name__ == "__main__":
    sys.exit(main())
