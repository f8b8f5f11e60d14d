#!/usr/bin/env python3
"""Where the bytes of the main wasm module are: reads `twiggy top --format json` of a module
that kept its function names (scripts/bundle-size --why makes one) and prints the breakdown by
crate, by kind of code, the largest items and the app's own largest functions. Sizes are the
raw bytes of the module's items, without the names section; brotli shrinks the whole about
3.3 times, evenly enough that the shares hold after compression too.

Usage: why.py TWIGGY_JSON [TOP]"""

import collections
import json
import re
import sys

# A crate's name as the demangler writes it, with or without its hash: `core[c5930c85]::fmt`.
CRATE = re.compile(r"([a-z_][a-z0-9_]*)(?:\[[0-9a-f]+\])?::")

# Kinds of code that cut across crates, first match wins.
KINDS = [
    ("drop glue (drop_in_place)", re.compile(r"drop_in_place")),
    ("serde (codecs, derived impls)", re.compile(r"serde|Deserializ|Serializ")),
    ("formatting (core::fmt, Display, Debug)", re.compile(r"core(?:\[[0-9a-f]+\])?::fmt|fmt::Display|fmt::Debug|::fmt::h|::fmt$|flt2dec|dec2flt")),
    ("panics and unwraps", re.compile(r"panic|unwrap_failed|expect_failed|slice_error_fail|index_out_of_bounds")),
    ("closures and vtable shims", re.compile(r"call_once|call_mut|FnOnce|FnMut|vtable\.shim")),
    ("hydration and rendering (tachys)", re.compile(r"tachys")),
    ("reactivity (reactive_graph)", re.compile(r"reactive_graph")),
    ("routing (leptos_router, either_of)", re.compile(r"leptos_router|either_of")),
    ("allocator", re.compile(r"dlmalloc|alloc::alloc|__rust_alloc|__rdl_")),
]


def crate_of(name):
    if name.startswith("data segment"):
        return "(data: texts, tables, panic locations)"
    match = CRATE.search(name)
    return match.group(1) if match else "(wasm-bindgen glue, tables, types)"


def main():
    items = json.load(open(sys.argv[1]))
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    items = [i for i in items if "names\" subsection" not in i["name"] and not i["name"].startswith("Σ")]
    total = sum(i["shallow_size"] for i in items)
    pct = lambda n: 100.0 * n / total

    print(f"why: main module without its names: {total} bytes raw, {len(items)} items")

    by_crate = collections.Counter()
    for item in items:
        by_crate[crate_of(item["name"])] += item["shallow_size"]
    print(f"\nwhy: by crate (the first crate named in the item's name; generic code counts for the crate that defines it):")
    for crate, size in by_crate.most_common(15):
        print(f"why:   {size:9d} B {pct(size):5.1f} %  {crate}")

    by_kind = collections.Counter()
    for item in items:
        for kind, pattern in KINDS:
            if pattern.search(item["name"]):
                by_kind[kind] += item["shallow_size"]
                break
        else:
            if item["name"].startswith("data segment"):
                by_kind["data segments"] += item["shallow_size"]
            elif CRATE.search(item["name"]) and crate_of(item["name"]) == "app":
                by_kind["the app's own functions"] += item["shallow_size"]
            else:
                by_kind["other"] += item["shallow_size"]
    print("\nwhy: by kind (first matching kind; drop glue, closures and serde impls are mostly made per type of the app):")
    for kind, size in by_kind.most_common():
        print(f"why:   {size:9d} B {pct(size):5.1f} %  {kind}")

    print(f"\nwhy: the {top} largest items:")
    for item in sorted(items, key=lambda i: -i["shallow_size"])[:top]:
        print(f"why:   {item['shallow_size']:9d} B {pct(item['shallow_size']):5.1f} %  {item['name'][:150]}")

    own = [i for i in items if crate_of(i["name"]) == "app"]
    print(f"\nwhy: the app's own {top} largest functions (all {len(own)}: {sum(i['shallow_size'] for i in own)} B):")
    for item in sorted(own, key=lambda i: -i["shallow_size"])[:top]:
        print(f"why:   {item['shallow_size']:9d} B  {item['name'][:150]}")


if __name__ == "__main__":
    main()
