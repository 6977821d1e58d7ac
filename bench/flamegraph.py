#!/usr/bin/env python3
"""Draws a flame graph (SVG) from collapsed stacks ("frame;frame;frame count" per line, as async-profiler's
`collapsed` output writes them). Usage: flamegraph.py IN.collapsed OUT.svg [title]

Each box is a frame; its width is the share of samples with that frame at that place in the stack, callers
below, callees above. Hovering a box shows its name and share. Frames under 0.1% of the samples are left out."""
import html
import sys

WIDTH, ROW, FONT_PX, MIN_SHARE = 1600, 16, 11, 0.001


def build_tree(path):
    root = {"name": "all", "count": 0, "children": {}}
    for line in open(path):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        node = root
        node["count"] += n
        for frame in stack.split(";"):
            node = node["children"].setdefault(frame, {"name": frame, "count": 0, "children": {}})
            node["count"] += n
    return root


def colour(name):
    if name.endswith("_[k]"):
        return "#e0a040"          # kernel
    if "/" in name or "." in name and not name.startswith(("Phase", "Compile")):
        return "#70b070" if name.startswith("io/piste") else "#60a0d0"   # Piste, other Java
    return "#d06060"              # JVM and native


def draw(node, x, depth, total, out, max_depth):
    width = WIDTH * node["count"] / total
    y = (max_depth - depth) * ROW
    share = 100.0 * node["count"] / total
    label = node["name"] if width > 7 * len(node["name"]) * FONT_PX / 11 else node["name"][: int(width / 7)]
    out.append(f'<g><title>{html.escape(node["name"])} ({share:.2f}%)</title>'
               f'<rect x="{x:.1f}" y="{y}" width="{max(width - 0.5, 0.1):.1f}" height="{ROW - 1}" '
               f'fill="{colour(node["name"])}"/>'
               + (f'<text x="{x + 2:.1f}" y="{y + ROW - 4}">{html.escape(label)}</text>' if len(label) > 2 else "")
               + "</g>")
    child_x = x
    for child in sorted(node["children"].values(), key=lambda c: c["name"]):
        if child["count"] / total >= MIN_SHARE:
            draw(child, child_x, depth + 1, total, out, max_depth)
        child_x += WIDTH * child["count"] / total


def depth_of(node, total):
    kids = [c for c in node["children"].values() if c["count"] / total >= MIN_SHARE]
    return 1 + max((depth_of(c, total) for c in kids), default=0)


def main():
    source, target = sys.argv[1], sys.argv[2]
    title = sys.argv[3] if len(sys.argv) > 3 else source
    root = build_tree(source)
    total = max(root["count"], 1)
    max_depth = depth_of(root, total)
    boxes = []
    draw(root, 0.0, 0, total, boxes, max_depth)
    height = (max_depth + 2) * ROW
    with open(target, "w") as svg:
        svg.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height + ROW}" '
                  f'font-family="monospace" font-size="{FONT_PX}px">\n'
                  f'<text x="4" y="{ROW - 3}">{html.escape(title)} ({root["count"]} samples; green: Piste, '
                  f'blue: other Java, red: JVM/native, orange: kernel)</text>\n'
                  f'<g transform="translate(0,{ROW})">\n' + "\n".join(boxes) + "\n</g></svg>\n")


if __name__ == "__main__":
    main()
