#!/usr/bin/env python3
"""Checks that includes in src/ run one way (DESIGN.md §8): a file may include headers of its
own layer and of the layers its layer may use, never of a layer above it.

Usage: include_rule.py SRC_DIR     check the tree, print one line per violation, exit 1 if any
       include_rule.py --self-test check the checker on a small made-up tree
"""
import os
import re
import sys
import tempfile

# --- the layer map -------------------------------------------------------------------------
# Each layer is a set of paths below src/ (a folder ends with '/'); a file belongs to the layer
# with the longest matching path. Every file in src/ must belong to one.
LAYERS = {
    "common": ["common/"],
    # Every worker folder not named below: net, http, upstream, sse, auth, routing,
    # limits, cache, redis, usage, protocol, ... and the runtime config beside worker.h.
    "worker-lower": ["worker/"],
    # The endpoints the proxy answers itself. They answer through a narrow context
    # (handlers/local_call.h) and never include the pipeline that calls them.
    "worker-handlers": ["worker/admin/", "worker/handlers/"],
    # The stages and their driver: may use every layer below, stage 45 calls the handlers.
    "worker-pipeline": ["worker/pipeline/"],
    # The worker process itself: owns everything; the master knows only worker_main.h.
    "worker-process": ["worker/worker.h", "worker/worker.cc",
                       "worker/worker_main.h", "worker/worker_main.cc"],
    "master": ["master/"],
}

# The layers each layer may include (its own included).
MAY_INCLUDE = {
    "common": {"common"},
    "worker-lower": {"common", "worker-lower"},
    "worker-handlers": {"common", "worker-lower", "worker-handlers"},
    "worker-pipeline": {"common", "worker-lower", "worker-handlers", "worker-pipeline"},
    "worker-process": {"common", "worker-lower", "worker-handlers", "worker-pipeline",
                       "worker-process"},
    "master": {"common", "master"},
}

# Single headers a layer may include beyond MAY_INCLUDE: the master starts workers through the
# worker's entry header and nothing else of the worker.
ALSO_ALLOWED = {
    "master": {"worker/worker_main.h"},
}

SOURCE_SUFFIXES = (".h", ".hh", ".hpp", ".cc", ".cpp", ".c", ".inc")
INCLUDE = re.compile(r'^\s*#\s*include\s*["<]([^">]+)[">]')


def layer_of(rel):
    """The layer of a path relative to src/, or None."""
    best, best_len = None, -1
    for layer, paths in LAYERS.items():
        for p in paths:
            hit = rel.startswith(p) if p.endswith("/") else rel == p
            if hit and len(p) > best_len:
                best, best_len = layer, len(p)
    return best


def resolve(src, including_rel, target):
    """The include's path relative to src/ (tried from src/, then beside the including file),
    or None when it is not a file of the tree (a system or third-party header)."""
    for base in ("", os.path.dirname(including_rel)):
        rel = os.path.normpath(os.path.join(base, target))
        if not rel.startswith("..") and os.path.isfile(os.path.join(src, rel)):
            return rel
    return None


def check(src, may_include=None):
    """Violation lines for the tree at `src`, sorted by file and line."""
    may_include = may_include or MAY_INCLUDE
    problems = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            shown = os.path.join("src", rel)
            layer = layer_of(rel)
            if layer is None:
                problems.append(f"{shown}:1: belongs to no layer (add its folder to LAYERS "
                                f"in {os.path.basename(__file__)})")
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    target = resolve(src, rel, m.group(1))
                    if target is None:
                        continue
                    target_layer = layer_of(target)
                    if target_layer is None or target_layer in may_include[layer]:
                        continue
                    if target in ALSO_ALLOWED.get(layer, ()):
                        continue
                    problems.append(f"{shown}:{number}: includes {m.group(1)} "
                                    f"(layer {layer} may not include layer {target_layer})")
    return problems


def self_test():
    """Runs check() on a made-up tree with one allowed and one refused include per rule."""
    files = {
        "common/a.h": '#include "common/b.h"\n#include <string>\n#include "a.h"\n',
        "common/b.h": '#include "worker/net/tcp.h"\n',
        "worker/net/tcp.h": '#include "common/a.h"\n#include "worker/http/conn.h"\n',
        "worker/http/conn.h": '#include "worker/pipeline/exchange.h"\n',
        "worker/pipeline/exchange.h": '#include "worker/http/conn.h"\n#include "worker/admin/x.h"\n',
        "worker/admin/x.h": '#include "worker/worker.h"\n',
        "worker/cache/c.cc": '#include "worker/worker.h"\n#include <worker/handlers/h.h>\n',
        "worker/handlers/h.h": '#include "worker/pipeline/exchange.h"\n',
        "worker/worker.h": '#include "master/m.h"\n',
        "worker/worker_main.h": "",
        "master/m.h": '#include "worker/worker_main.h"\n#include "worker/worker.h"\n'
                      '#include "worker/net/tcp.h"\n#include "common/a.h"\n',
        "stray/s.cc": "",
    }
    expected = [
        "src/common/b.h:1: includes worker/net/tcp.h "
        "(layer common may not include layer worker-lower)",
        "src/master/m.h:2: includes worker/worker.h "
        "(layer master may not include layer worker-process)",
        "src/master/m.h:3: includes worker/net/tcp.h "
        "(layer master may not include layer worker-lower)",
        "src/stray/s.cc:1: belongs to no layer (add its folder to LAYERS in "
        f"{os.path.basename(__file__)})",
        "src/worker/admin/x.h:1: includes worker/worker.h "
        "(layer worker-handlers may not include layer worker-process)",
        "src/worker/cache/c.cc:1: includes worker/worker.h "
        "(layer worker-lower may not include layer worker-process)",
        "src/worker/cache/c.cc:2: includes worker/handlers/h.h "
        "(layer worker-lower may not include layer worker-handlers)",
        "src/worker/handlers/h.h:1: includes worker/pipeline/exchange.h "
        "(layer worker-handlers may not include layer worker-pipeline)",
        "src/worker/http/conn.h:1: includes worker/pipeline/exchange.h "
        "(layer worker-lower may not include layer worker-pipeline)",
        "src/worker/worker.h:1: includes master/m.h "
        "(layer worker-process may not include layer master)",
    ]
    strict = dict(MAY_INCLUDE)
    strict["worker-handlers"] = {"common", "worker-lower", "worker-handlers"}
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "src")
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(src, rel)), exist_ok=True)
            with open(os.path.join(src, rel), "w") as f:
                f.write(text)
        got = sorted(check(src, strict))
    if got != expected:
        print("include_rule self-test failed\nexpected:", *expected, "got:", *got, sep="\n  ")
        return 1
    print(f"include_rule self-test: {len(expected)} violations found as expected")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        print(__doc__, file=sys.stderr)
        return 2
    problems = sorted(check(argv[1]))
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} include(s) against the layer rule (DESIGN.md §8)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
