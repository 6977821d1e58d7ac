#!/usr/bin/env python3
"""Draws docs/grafana/piste.json's main panels from a directory of /metrics scrapes (bench/dashboard-png).

    draw.py SCRAPES_DIR OUT.png SUBTITLE

SCRAPES_DIR holds scrape-<epoch ms>.txt files (Prometheus text format). Counters become per-second rates over a
sliding window of WINDOW_S seconds (the dashboard's rate(...[1m]) over a short run), histograms become quantiles the
way histogram_quantile does (linear inside the bucket, over the window's bucket deltas); gauges are drawn as read.
"""
import math
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

WINDOW_S = 10.0
LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
BG, PANEL, TEXT, GRID = "#111217", "#181b1f", "#ccccdc", "#2c3235"
COLORS = ["#73bf69", "#f2cc0c", "#8ab8ff", "#ff780a", "#f2495c", "#5794f2", "#b877d9", "#705da0", "#37872d", "#fade2a"]
STATUS_COLORS = {"OK": "#73bf69", "WARN": "#f2cc0c", "STALLED": "#ff780a", "STOPPED": "#f2495c"}


def parse(path):
    series = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            m = LINE.match(line)
            if m:
                labels = tuple(sorted(LABEL.findall(m.group(2) or "")))
                series[(m.group(1), labels)] = float(m.group(3))
    return series


def load(directory):
    scrapes = []
    for name in sorted(os.listdir(directory)):
        m = re.match(r"scrape-(\d+)\.txt$", name)
        if m:
            scrapes.append((int(m.group(1)) / 1000.0, parse(os.path.join(directory, name))))
    if len(scrapes) < 3:
        sys.exit(f"only {len(scrapes)} scrapes in {directory}")
    t0 = scrapes[0][0]
    return [(t - t0, s) for t, s in scrapes]


def select(series, name, **match):
    """{labels dict as a tuple: value} of the series named name whose labels equal match (None: must be absent)."""
    out = {}
    for (n, labels), v in series.items():
        if n != name:
            continue
        d = dict(labels)
        if all(d.get(k) == want if want is not None else k not in d for k, want in match.items()):
            out[labels] = v
    return out


def group(values, by):
    """Sums values whose labels agree on the labels in by (Prometheus' sum by)."""
    out = {}
    for labels, v in values.items():
        d = dict(labels)
        key = tuple(d.get(k, "") for k in by)
        out[key] = out.get(key, 0.0) + v
    return out


def window_pairs(scrapes):
    """(t, earlier scrape, this scrape) for each scrape at least WINDOW_S after the first."""
    j = 0
    for i, (t, s) in enumerate(scrapes):
        while j < i and t - scrapes[j + 1][0] >= WINDOW_S:
            j += 1
        if t - scrapes[j][0] >= WINDOW_S * 0.9:
            yield t, scrapes[j], (t, s)


def rates(scrapes, name, by, **match):
    """{group key: ([t], [per-second rate])} of a counter, summed by the labels in by."""
    out = {}
    for t, (ta, a), (tb, b) in window_pairs(scrapes):
        before, after = group(select(a, name, **match), by), group(select(b, name, **match), by)
        for key, vb in after.items():
            va = before.get(key, 0.0)
            rate = max(0.0, vb - va) / (tb - ta)  # a counter that went down restarted: Prometheus' reset rule, roughly
            out.setdefault(key, ([], []))
            out[key][0].append(t)
            out[key][1].append(rate)
    return out


def gauges(scrapes, name, by, agg=sum, **match):
    out = {}
    for t, s in scrapes:
        per = {}
        for labels, v in select(s, name, **match).items():
            d = dict(labels)
            per.setdefault(tuple(d.get(k, "") for k in by), []).append(v)
        for key, vs in per.items():
            out.setdefault(key, ([], []))
            out[key][0].append(t)
            out[key][1].append(agg(vs))
    return out


def quantile(q, buckets):
    """histogram_quantile over [(le, cumulative count)]."""
    buckets = sorted(buckets)
    if not buckets or buckets[-1][1] <= 0:
        return math.nan
    rank = q * buckets[-1][1]
    prev_le, prev_count = 0.0, 0.0
    for le, count in buckets:
        if count >= rank:
            if math.isinf(le):
                return prev_le  # in the +Inf bucket: the highest finite bound, as Prometheus
            return prev_le + (le - prev_le) * (rank - prev_count) / max(count - prev_count, 1e-12)
        prev_le, prev_count = le, count
    return prev_le


def quantiles(scrapes, name, q, by):
    out = {}
    for t, (_, a), (_, b) in window_pairs(scrapes):
        per = {}
        for labels, vb in select(b, name + "_bucket").items():
            d = dict(labels)
            key = tuple(d.get(k, "") for k in by)
            le = float(d["le"])
            va = a.get((name + "_bucket", labels), 0.0)
            per.setdefault(key, {}).setdefault(le, 0.0)
            per[key][le] += vb - va
        for key, buckets in per.items():
            v = quantile(q, list(buckets.items()))
            if not math.isnan(v):
                out.setdefault(key, ([], []))
                out[key][0].append(t)
                out[key][1].append(v)
    return out


def style(ax, title, unit=""):
    ax.set_facecolor(PANEL)
    ax.set_title(title, color=TEXT, fontsize=9, loc="left")
    ax.tick_params(colors=TEXT, labelsize=7)
    for spine in ax.spines.values():
        spine.set_color(GRID)
    ax.grid(color=GRID, linewidth=0.5)
    if unit:
        ax.set_ylabel(unit, color=TEXT, fontsize=7)


def gaps(ts, vs):
    """Breaks the line where a series has no point for more than two scrapes (a quantile without requests), as
    Grafana leaves a gap instead of joining distant points."""
    xs, ys = [], []
    for i, (t, v) in enumerate(zip(ts, vs)):
        if i and t - ts[i - 1] > 5:
            xs.append(math.nan)
            ys.append(math.nan)
        xs.append(t)
        ys.append(v)
    return xs, ys


def plot(ax, title, lines, unit="", scale=1.0, top=None, log=False):
    style(ax, title, unit)
    items = sorted(lines.items(), key=lambda kv: -max([v for v in kv[1][1] if not math.isnan(v)], default=0))
    if top:
        items = items[:top]
    for i, (label, (ts, vs)) in enumerate(items):
        xs, ys = gaps(ts, [v * scale for v in vs])
        ax.plot(xs, ys, color=COLORS[i % len(COLORS)], linewidth=1.2, label=label)
    if log:
        ax.set_yscale("log")
    else:
        ax.set_ylim(bottom=0)
    if items:
        ax.legend(fontsize=6, facecolor=PANEL, edgecolor=GRID, labelcolor=TEXT, loc="upper left", ncol=2)


def named(lines, fmt):
    return {fmt(key): v for key, v in lines.items()}


def status_timeline(ax, scrapes):
    style(ax, "Lag status per group (piste_consumergroup_status == 1)")
    groups = sorted({dict(l)["consumergroup"] for _, s in scrapes for l in select(s, "piste_consumergroup_status")})
    for row, g in enumerate(groups):
        for i, (t, s) in enumerate(scrapes):
            end = scrapes[i + 1][0] if i + 1 < len(scrapes) else t + 2
            for labels, v in select(s, "piste_consumergroup_status", consumergroup=g).items():
                if v == 1:
                    ax.broken_barh([(t, end - t)], (row - 0.35, 0.7), color=STATUS_COLORS[dict(labels)["status"]])
    ax.set_yticks(range(len(groups)), groups)
    ax.set_ylim(-0.6, len(groups) - 0.4)
    ax.grid(False)
    for status, color in STATUS_COLORS.items():
        ax.bar(0, 0, color=color, label=status)
    ax.legend(fontsize=6, facecolor=PANEL, edgecolor=GRID, labelcolor=TEXT, loc="upper left", ncol=4)


def main():
    directory, out, subtitle = sys.argv[1], sys.argv[2], sys.argv[3]
    s = load(directory)
    fig, axes = plt.subplots(4, 4, figsize=(17, 12.5), facecolor=BG)
    a = iter(axes.flat)

    per_topic = lambda name: {k: v for k, v in rates(s, name, ["topic"]).items() if k[0]}  # noqa: E731 (all-topics series: no topic)
    plot(next(a), "Messages in /s per topic", named(per_topic("kafka_server_brokertopicmetrics_messagesin_total"), lambda k: k[0]))
    plot(next(a), "Bytes in /s per topic", named(per_topic("kafka_server_brokertopicmetrics_bytesin_total"), lambda k: k[0]), "MB/s", 1e-6)
    plot(next(a), "Bytes out /s per topic", named(per_topic("kafka_server_brokertopicmetrics_bytesout_total"), lambda k: k[0]), "MB/s", 1e-6)
    plot(next(a), "Requests /s per API", named(rates(s, "kafka_network_requestmetrics_requests_total", ["request"]), lambda k: k[0]), top=6)

    plot(next(a), "p99 latency per API", named(quantiles(s, "piste_request_total_time_seconds", 0.99, ["request"]), lambda k: k[0]), "ms", 1e3, top=6, log=True)
    plot(next(a), "Errors /s per API", named(rates(s, "kafka_network_requestmetrics_errors_total", ["request", "error"]), lambda k: f"{k[0]} {k[1]}"))
    plot(next(a), "Consumer lag (records) per group, topic-partition",
         named(gauges(s, "kafka_consumergroup_lag", ["consumergroup", "topic", "partition"]), lambda k: f"{k[0]} {k[1]}-{k[2]}"))
    plot(next(a), "Consumer lag (seconds)",
         named(gauges(s, "kafka_consumergroup_lag_seconds", ["consumergroup", "topic", "partition"], agg=max), lambda k: f"{k[0]} {k[1]}-{k[2]}"), "s")

    status_timeline(next(a), s)
    health = {}
    for label, name in [("partitions", "kafka_server_replicamanager_partitioncount"), ("leaders", "kafka_server_replicamanager_leadercount"),
                        ("under-replicated", "kafka_server_replicamanager_underreplicatedpartitions"),
                        ("offline", "kafka_controller_kafkacontroller_offlinepartitionscount"),
                        ("under min ISR", "kafka_server_replicamanager_underminisrpartitioncount")]:
        health.update(named(gauges(s, name, []), lambda k, label=label: label))
    plot(next(a), "Partition health", health)
    fsync = {}
    for q in (0.5, 0.99):
        fsync.update(named(quantiles(s, "piste_log_flush_seconds", q, []), lambda k, q=q: f"p{q * 100:g}"))
    plot(next(a), "Group commit: fsync round latency", fsync, "ms", 1e3)
    batch = named(quantiles(s, "piste_log_flush_round_partitions", 0.99, []), lambda k: "p99")
    sums, counts = rates(s, "piste_log_flush_round_partitions_sum", []), rates(s, "piste_log_flush_round_partitions_count", [])
    if () in sums and () in counts:
        batch["mean"] = (sums[()][0], [x / c if c else math.nan for x, c in zip(sums[()][1], counts[()][1])])
    plot(next(a), "Group commit: partitions per round", batch)

    cleaner = {}
    for label, name in [("max buffer utilization %", "kafka_log_logcleaner_max_buffer_utilization_percent"),
                        ("recopy %", "kafka_log_logcleaner_cleaner_recopy_percent"),
                        ("max dirty %", "kafka_log_logcleanermanager_max_dirty_percent"),
                        ("dead threads", "kafka_log_logcleaner_deadthreadcount"),
                        ("uncleanable partitions", "kafka_log_logcleanermanager_uncleanable_partitions_count")]:
        cleaner.update(named(gauges(s, name, []), lambda k, label=label: label))
    plot(next(a), "Log cleaner (no compacted topic in this run)", cleaner)
    heap = {}
    for label, name in [("used", "jvm_memory_used_bytes"), ("committed", "jvm_memory_committed_bytes"), ("max", "jvm_memory_max_bytes")]:
        heap.update(named(gauges(s, name, [], area="heap"), lambda k, label=label: label))
    plot(next(a), "JVM heap", heap, "MB", 1e-6)
    plot(next(a), "GC time (% of wall time)", named(rates(s, "jvm_gc_collection_seconds_sum", ["gc"]), lambda k: k[0]), "%", 100)
    proc = named(rates(s, "process_cpu_seconds_total", []), lambda k: "CPU cores")
    plot(next(a), "Process CPU (cores)", proc)

    for ax in axes[-1]:
        ax.set_xlabel("seconds since the first scrape", color=TEXT, fontsize=7)
    fig.suptitle("Piste dashboard (docs/grafana/piste.json), drawn from /metrics scrapes every 2 s by bench/dashboard-png",
                 color=TEXT, fontsize=12, x=0.01, ha="left")
    fig.text(0.01, 0.945, subtitle + f"; rates and quantiles over {WINDOW_S:g} s windows", color=TEXT, fontsize=8)
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    fig.savefig(out, dpi=72, facecolor=BG)


if __name__ == "__main__":
    main()
