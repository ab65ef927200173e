#!/usr/bin/env python3
"""make bench's results and report, from the raw files bench/run.sh left in
OUT: DEST/results.json (an array of {"name","value","unit","baseline"?};
"baseline" is what the value is compared with, when there is one), merged
with DEST/sim-results.json when the simulator wrote one, and
DEST/report.md with SVG charts in DEST/charts/. Standard library only.

usage: report.py OUT DEST
"""
import json
import os
import statistics
import sys
import time

TARGETS = [
    # name, comparison, target, unit, label
    ("webhook.rps", ">=", 1000, "req/s", "webhooks per second"),
    ("webhook.p99_ms", "<=", 50, "ms", "webhook p99 at that rate"),
    ("webhook.ratio_to_db", ">=", 0.5, "ratio", "share of the database ceiling"),
    ("e2e.sale_to_channel_p99_ms", "<=", 2000, "ms", "sale → other channel p99"),
    ("fcgi.max_rss_kb", "<=", 10240, "kB", "peak RSS of any FastCGI process"),
    ("tick.idle_ratio_50k_1k", "<=", 1.1, "ratio",
     "idle tick, 50k SKUs / 1k SKUs (10 % for timing noise)"),
]

# what explains a miss, from the measurements behind this report (kept
# next to the targets so a rerun that misses says why)
WHY = {
    "webhook.rps": (
        "MariaDB is the bottleneck: per webhook the hub makes it run several "
        "times the statements and CPU of the ceiling's two-commit "
        "transaction (the cost table below: account and SKU-map lookups, "
        "the inbox row locked and marked, the order line, BOM expansion "
        "queries, the push queue touched and claimed, autocommit toggles "
        "around each transaction), and on a 2-core machine shared by "
        "MariaDB, nginx, the workers and wrk that CPU is the limit; the "
        "ceiling itself, with the same durable commits, is far below "
        "1,000/s here, so no front end could reach the target on this "
        "machine"),
    "webhook.p99_ms": (
        "at the concurrency of the peak rate requests queue for the three "
        "FastCGI workers and for the SKU's row lock (every benchmark "
        "webhook sells the same SKU), and one worker at a time holds a "
        "coalesced push for up to PUSH_PACE_MS after answering"),
    "webhook.ratio_to_db": (
        "see the cost table: the hub's MariaDB CPU and statement count per "
        "webhook are several times the ceiling's; fewer round trips per "
        "webhook (one lookup for account and listing, no autocommit "
        "toggles, the push claim skipped while the listing's row is "
        "leased) is where the ratio would come from"),
    "e2e.sale_to_channel_p99_ms": (
        "a sale that arrives within PUSH_PACE_MS of the listing's last push "
        "waits for the coalescing window by design"),
    "fcgi.max_rss_kb": (
        "the excess is shared library pages (libcurl with its TLS, HTTP/2 "
        "and auth dependencies, OpenSSL, the MariaDB client), counted in "
        "every process's RSS but one copy in memory; each process's own "
        "memory (PSS, private dirty) is a fraction of the target, see Memory"),
    "tick.idle_ratio_50k_1k": (
        "a statement of the tick grows with the catalog; run the tick with "
        "MariaDB's slow log at long_query_time=0 and look at Rows_examined"),
}


def load(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def read(path, default=""):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


# --- SVG -------------------------------------------------------------------

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]


def esc(s):
    return (str(s).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


class Svg:
    W, H, L, R, T, B = 640, 360, 70, 20, 40, 50

    def __init__(self, title, xlabel, ylabel):
        self.parts = []
        self.title, self.xlabel, self.ylabel = title, xlabel, ylabel

    def frame(self, xmin, xmax, ymin, ymax, yticks, xticks, xfmt=str,
              yfmt=None):
        self.xmin, self.xmax, self.ymin, self.ymax = xmin, xmax, ymin, ymax
        yfmt = yfmt or (lambda v: "%g" % v)
        pw, ph = self.W - self.L - self.R, self.H - self.T - self.B
        self.parts.append('<rect x="%d" y="%d" width="%d" height="%d" '
                          'fill="none" stroke="#888"/>'
                          % (self.L, self.T, pw, ph))
        for v in yticks:
            y = self.y(v)
            self.parts.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" '
                              'stroke="#eee"/>' % (self.L, self.L + pw, y, y))
            self.parts.append('<text x="%d" y="%.1f" text-anchor="end" '
                              'font-size="11">%s</text>'
                              % (self.L - 4, y + 4, esc(yfmt(v))))
        for v, lab in xticks:
            x = self.x(v)
            self.parts.append('<text x="%.1f" y="%d" text-anchor="middle" '
                              'font-size="11">%s</text>'
                              % (x, self.T + ph + 16, esc(xfmt(lab))))

    def x(self, v):
        pw = self.W - self.L - self.R
        return self.L + (v - self.xmin) / ((self.xmax - self.xmin) or 1) * pw

    def y(self, v):
        ph = self.H - self.T - self.B
        return self.T + ph - (v - self.ymin) / ((self.ymax - self.ymin) or 1) * ph

    def line(self, pts, color, label, idx):
        d = " ".join("%.1f,%.1f" % (self.x(a), self.y(b)) for a, b in pts)
        self.parts.append('<polyline fill="none" stroke="%s" stroke-width="2" '
                          'points="%s"/>' % (color, d))
        for a, b in pts:
            self.parts.append('<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>'
                              % (self.x(a), self.y(b), color))
        self.legend(color, label, idx)

    def dots(self, pts, color, label, idx):
        for a, b in pts:
            self.parts.append('<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>'
                              % (self.x(a), self.y(b), color))
        self.legend(color, label, idx)

    def bar(self, x0, x1, v, color, text=None):
        y = self.y(v)
        self.parts.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" '
                          'fill="%s"/>' % (self.x(x0), y, self.x(x1) - self.x(x0),
                                           self.y(self.ymin) - y, color))
        if text is not None:
            self.parts.append('<text x="%.1f" y="%.1f" text-anchor="middle" '
                              'font-size="10">%s</text>'
                              % ((self.x(x0) + self.x(x1)) / 2, y - 3, esc(text)))

    def hline(self, v, color, label):
        y = self.y(v)
        self.parts.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" '
                          'stroke="%s" stroke-dasharray="5,4"/>'
                          % (self.L, self.W - self.R, y, y, color))
        self.parts.append('<text x="%d" y="%.1f" text-anchor="end" '
                          'font-size="10" fill="%s">%s</text>'
                          % (self.W - self.R - 4, y - 3, color, esc(label)))

    def legend(self, color, label, idx):
        x, y = self.L + 10 + 150 * (idx % 4), self.T - 8 - 0 * idx
        self.parts.append('<rect x="%d" y="%d" width="10" height="10" '
                          'fill="%s"/><text x="%d" y="%d" font-size="11">'
                          '%s</text>' % (x, y - 9, color, x + 14, y, esc(label)))

    def write(self, path):
        head = ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" '
                'height="%d" font-family="sans-serif">'
                '<rect width="100%%" height="100%%" fill="white"/>'
                '<text x="%d" y="16" font-size="14" font-weight="bold">%s'
                '</text><text x="%d" y="%d" text-anchor="middle" '
                'font-size="12">%s</text><text x="14" y="%d" font-size="12" '
                'transform="rotate(-90 14 %d)" text-anchor="middle">%s</text>'
                % (self.W, self.H, self.L, esc(self.title),
                   (self.L + self.W - self.R) // 2, self.H - 8,
                   esc(self.xlabel), (self.T + self.H - self.B) // 2,
                   (self.T + self.H - self.B) // 2, esc(self.ylabel)))
        with open(path, "w") as f:
            f.write(head + "".join(self.parts) + "</svg>\n")


def nice_max(v):
    if v <= 0:
        return 1
    m = 10 ** len(str(int(v))) / 10
    for k in (1, 2, 2.5, 5, 10):
        if k * m >= v:
            return k * m
    return 10 * m


def ticks(top, n=5):
    return [top * i / n for i in range(n + 1)]


# --- the report ------------------------------------------------------------

def headline(readme, val, cores):
    """Rewrite README's headline block (between its bench:headline
    markers) with this run's figures; nothing when the markers are
    missing."""
    begin = "<!-- bench:headline (bench/report.py rewrites this block on every run) -->"
    end = "<!-- /bench:headline -->"
    text = read(readme)
    if begin not in text or end not in text:
        return

    def g(name, fmt):
        return fmt % val[name] if name in val else "—"
    rows = [
        ("webhooks per second (best level)", g("webhook.rps", "%.0f"),
         "≥ 1,000"),
        ("webhook p99 at that level", g("webhook.p99_ms", "%.1f ms"),
         "≤ 50 ms"),
        ("share of MariaDB's ceiling", g("webhook.ratio_to_db", "%.2f"),
         "≥ 0.50"),
        ("sale → Etsy p99 (all / quiet)",
         g("e2e.sale_to_channel_p99_ms", "%.0f ms") + " / " +
         g("e2e.quiet_p99_ms", "%.0f ms"), "≤ 2 s"),
        ("peak RSS of a FastCGI process (PSS)",
         g("fcgi.max_rss_kb", "%d kB") + " (" + g("fcgi.max_pss_kb", "%d kB")
         + ")", "≤ 10 MB"),
        ("idle tick at 1k / 10k / 50k SKUs",
         " / ".join(g("tick.idle_ms.%s" % k, "%.1f ms")
                    for k in ("1k", "10k", "50k")), "flat"),
        ("reconciliation of %s listings" % g("recon.listings", "%d"),
         g("recon.seconds", "%.1f s") + ", " +
         g("recon.api_calls", "%d calls"), ""),
    ]
    block = [begin, "",
             "Last `make bench` (%s, %s cores, load average %s at the end; "
             "see `bench/report.md`):" % (
                 time.strftime("%Y-%m-%d", time.gmtime()), cores,
                 (read("/proc/loadavg").split() or ["?"])[0]), "",
             "| figure | measured | target |", "|---|---|---|"]
    block += ["| %s | %s | %s |" % r for r in rows]
    block += ["", end]
    i, j = text.index(begin), text.index(end) + len(end)
    with open(readme, "w") as f:
        f.write(text[:i] + "\n".join(block) + text[j:])


def main():
    out, dest = sys.argv[1], sys.argv[2]
    charts = os.path.join(dest, "charts")
    os.makedirs(charts, exist_ok=True)
    res = []

    def add(name, value, unit, baseline=None):
        if value is None:
            return
        o = {"name": name, "value": round(value, 3) if isinstance(value, float)
             else value, "unit": unit}
        if baseline is not None:
            o["baseline"] = round(baseline, 3) if isinstance(baseline, float) \
                else baseline
        res.append(o)

    # webhooks and the database ceiling, per concurrency level
    levels = sorted(int(f[4:-5]) for f in os.listdir(out)
                    if f.startswith("wrk-") and f.endswith(".json"))
    wrk, db = {}, {}
    for c in levels:
        w = load(os.path.join(out, "wrk-%d.json" % c))
        d = load(os.path.join(out, "db-%d.json" % c))
        if w and w["seconds"] > 0:
            w["rps"] = w["requests"] / w["seconds"]
            wrk[c] = w
            add("webhook.c%d.rps" % c, w["rps"], "req/s",
                d["rps"] if d else None)
            add("webhook.c%d.p50_ms" % c, w["pct_ms"]["50"], "ms")
            add("webhook.c%d.p99_ms" % c, w["pct_ms"]["99"], "ms")
            add("webhook.c%d.non200" % c, w["non200"] + w["socket_errors"],
                "count")
        if d:
            db[c] = d
            add("db.c%d.rps" % c, d["rps"], "tx/s")
            add("db.c%d.p99_ms" % c, d["p99_ms"], "ms")
        # CPU milliseconds per webhook / per ceiling operation: MariaDB,
        # the hooks program, nginx
        for kind, src, n in (("webhook", "wrk", w["requests"] if w else 0),
                             ("db", "db", d["ops"] if d else 0)):
            f = read(os.path.join(out, "cpu-%s-%d.txt" % (src, c))).split()
            if len(f) == 6 and n > 0:
                per = [(float(f[i + 3]) - float(f[i])) * 1000 / n
                       for i in range(3)]
                (w if kind == "webhook" else d)["cpu"] = per
                add("%s.c%d.cpu_ms_mariadb" % (kind, c), per[0], "ms")
                if kind == "webhook":
                    add("webhook.c%d.cpu_ms_hooks" % c, per[1], "ms")
                    add("webhook.c%d.cpu_ms_nginx" % c, per[2], "ms")
            # sorted by name: Com_commit, Innodb_data_fsyncs, Questions
            f = read(os.path.join(out, "stat-%s-%d.txt" % (src, c))).split()
            if len(f) == 6 and n > 0:
                per = [(float(f[i + 3]) - float(f[i])) / n for i in range(3)]
                (w if kind == "webhook" else d)["stat"] = per
                add("%s.c%d.statements" % (kind, c), per[2], "per request")
                add("%s.c%d.commits" % (kind, c), per[0], "per request")
                add("%s.c%d.fsyncs" % (kind, c), per[1], "per request")
    peak = max(wrk, key=lambda c: wrk[c]["rps"]) if wrk else None
    dbpeak = max(db, key=lambda c: db[c]["rps"]) if db else None
    if peak is not None:
        add("webhook.rps", wrk[peak]["rps"], "req/s",
            db[dbpeak]["rps"] if dbpeak else None)
        add("webhook.concurrency", peak, "connections")
        add("webhook.p50_ms", wrk[peak]["pct_ms"]["50"], "ms")
        add("webhook.p99_ms", wrk[peak]["pct_ms"]["99"], "ms")
    if dbpeak is not None:
        add("db.rps", db[dbpeak]["rps"], "tx/s")
    if peak is not None and dbpeak is not None:
        add("webhook.ratio_to_db", wrk[peak]["rps"] / db[dbpeak]["rps"],
            "ratio")

    # end to end
    e2e = load(os.path.join(out, "e2e.json"))
    if e2e:
        add("e2e.orders", e2e["orders"], "count")
        add("e2e.sale_to_channel_p50_ms", e2e["p50_ms"], "ms")
        add("e2e.sale_to_channel_p99_ms", e2e["p99_ms"], "ms")
        add("e2e.sale_to_channel_max_ms", e2e["max_ms"], "ms")
        add("e2e.quiet_p50_ms", e2e["quiet_p50_ms"], "ms")
        add("e2e.quiet_p99_ms", e2e["quiet_p99_ms"], "ms")
        add("e2e.busy_p50_ms", e2e["busy_p50_ms"], "ms")
        add("e2e.busy_p99_ms", e2e["busy_p99_ms"], "ms")

    # memory
    rss, pss, prv = {}, {}, {}
    for line in read(os.path.join(out, "rss.txt")).splitlines():
        f = line.split() + ["0", "0"]
        name = f[0]
        rss[name] = max(rss.get(name, 0), int(f[2]))
        pss[name] = max(pss.get(name, 0), int(f[3]))
        prv[name] = max(prv.get(name, 0), int(f[4]))
    hub = {k: v for k, v in rss.items() if not k.startswith("sandbox-")}
    for k in sorted(rss):
        add("fcgi.%s.max_rss_kb" % k, rss[k], "kB")
        add("fcgi.%s.max_pss_kb" % k, pss[k], "kB")
        add("fcgi.%s.max_private_kb" % k, prv[k], "kB")
    if hub:
        add("fcgi.max_rss_kb", max(hub.values()), "kB", 10240)
        add("fcgi.max_pss_kb", max(pss[k] for k in hub), "kB")
        add("fcgi.max_private_kb", max(prv[k] for k in hub), "kB")

    # idle tick
    ticks_ms, ticks_min, ticks_srv, ticks_rows = {}, {}, {}, {}
    for f in sorted(os.listdir(out)):
        if f.startswith("tick-rows-") and f.endswith(".txt"):
            size = int(f[10:-4])
            r = read(os.path.join(out, f)).split()
            if len(r) == 3 and int(r[2]) > 0:
                ticks_rows[size] = (int(r[1]) - int(r[0])) / int(r[2])
        elif f.startswith("tick-") and f.endswith(".txt"):
            size = int(f[5:-4])
            rows = [l.split() for l in read(os.path.join(out, f)).splitlines()
                    if l.strip()]
            if rows:
                ticks_ms[size] = statistics.median(float(r[0]) * 1000
                                                   for r in rows)
                ticks_min[size] = min(float(r[0]) * 1000 for r in rows)
                ticks_srv[size] = statistics.median(float(r[1]) for r in rows)

    def label(n):
        return "%dk" % (n // 1000) if n % 1000 == 0 else str(n)
    for size in sorted(ticks_ms):
        add("tick.idle_ms.%s" % label(size), ticks_ms[size], "ms",
            ticks_ms[min(ticks_ms)] if size != min(ticks_ms) else None)
        add("tick.idle_min_ms.%s" % label(size), ticks_min[size], "ms")
        add("tick.idle_server_ms.%s" % label(size), ticks_srv[size], "ms")
        if size in ticks_rows:
            add("tick.idle_rows_read.%s" % label(size), ticks_rows[size],
                "rows per tick")
    if 1000 in ticks_ms and 50000 in ticks_ms:
        add("tick.idle_ratio_50k_1k", ticks_ms[50000] / ticks_ms[1000], "ratio")
        if 1000 in ticks_rows and 50000 in ticks_rows:
            flat = ticks_rows[50000] <= ticks_rows[1000] * 1.1 + 10
            WHY["tick.idle_ratio_50k_1k"] = (
                "the work is %s: MariaDB's engine read %.0f rows per tick "
                "at 1k SKUs and %.0f at 50k%s" % (
                    "flat" if flat else "not flat",
                    ticks_rows[1000], ticks_rows[50000],
                    ", so the difference in time is the machine's load "
                    "(compare the fastest ticks: %.1f ms at 1k, %.1f ms at "
                    "50k)" % (ticks_min[1000], ticks_min[50000]) if flat else
                    "; run the tick with MariaDB's slow log at "
                    "long_query_time=0 and look at Rows_examined"))

    # reconciliation: "main" with a bucket big enough for the hub's own
    # cost, "throttled" with the sandbox's default (Shopify's) bucket
    recon = {}
    for tag in ("main", "throttled"):
        meta = read(os.path.join(out, "recon-%s.meta" % tag)).split()
        run = read(os.path.join(out, "recon-%s.tsv" % tag)).split()
        if len(meta) != 6:
            continue
        r = {"listings": int(meta[0]), "planted": int(meta[1]),
             "seconds": float(meta[3]) - float(meta[2]),
             "api_calls": int(meta[5]) - int(meta[4])}
        if len(run) >= 4:
            r.update(checked=int(run[0]), unreadable=int(run[1]),
                     discrepancies=int(run[2]), counted=int(run[3]))
        recon[tag] = r
        pre = "recon." if tag == "main" else "recon.shopify_throttle."
        add(pre + "listings", r["listings"], "count")
        add(pre + "seconds", r["seconds"], "s")
        add(pre + "api_calls", r["api_calls"], "calls", r["listings"])
        add(pre + "planted_discrepancies", r["planted"], "count")
        if "checked" in r:
            add(pre + "checked", r["checked"], "count", r["listings"])
            add(pre + "unreadable", r["unreadable"], "count")
            add(pre + "discrepancies", r["discrepancies"], "count",
                r["planted"])
            add(pre + "api_calls_counted", r["counted"], "calls")

    # the simulator's figures, as it wrote them
    sim = load(os.path.join(dest, "sim-results.json"), [])
    if isinstance(sim, list):
        res.extend(o for o in sim if isinstance(o, dict) and "name" in o)

    with open(os.path.join(dest, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    val = {o["name"]: o["value"] for o in res}

    # --- charts
    if wrk:
        top = nice_max(max([w["rps"] for w in wrk.values()] +
                           [d["rps"] for d in db.values()] + [1000]))
        s = Svg("Webhooks per second by concurrency", "connections",
                "requests / transactions per second")
        xs = list(range(len(levels)))
        s.frame(-0.5, len(levels) - 0.5, 0, top, ticks(top),
                [(i, c) for i, c in enumerate(levels)])
        s.hline(1000, "#d62728", "target 1,000/s")
        for i, c in enumerate(levels):
            if c in wrk:
                s.bar(i - 0.35, i, wrk[c]["rps"], COLORS[0],
                      "%.0f" % wrk[c]["rps"])
            if c in db:
                s.bar(i, i + 0.35, db[c]["rps"], COLORS[1],
                      "%.0f" % db[c]["rps"])
        s.legend(COLORS[0], "hub (nginx → FastCGI → MariaDB)", 0)
        s.legend(COLORS[1], "MariaDB alone (same commits)", 2)
        s.write(os.path.join(charts, "webhook-rps.svg"))
        del xs

        pcts = ["1", "5", "10", "25", "50", "75", "90", "95", "99", "99.9"]
        top = nice_max(max(w["pct_ms"]["99.9"] for w in wrk.values()))
        s = Svg("Webhook latency distribution (as Shopify waits for the 200)",
                "percentile", "milliseconds")
        s.frame(0, len(pcts) - 1, 0, top, ticks(top),
                [(i, p) for i, p in enumerate(pcts)], xfmt=lambda p: "p" + p)
        s.hline(50, "#d62728", "p99 target 50 ms")
        for k, c in enumerate(levels):
            s.line([(i, wrk[c]["pct_ms"][p]) for i, p in enumerate(pcts)],
                   COLORS[k % len(COLORS)], "%d conn." % c, k)
        s.write(os.path.join(charts, "webhook-latency.svg"))

    if e2e:
        lat = e2e["lat_ms"]
        quiet = e2e["quiet"]
        top = nice_max(max(lat + [2000]))
        s = Svg("Shopify sale until Etsy shows it, each order", "order",
                "milliseconds")
        s.frame(0, max(1, len(lat) - 1), 0, top, ticks(top),
                [(i, i + 1) for i in range(0, len(lat), max(1, len(lat) // 10))])
        s.hline(2000, "#d62728", "p99 target 2 s")
        s.dots([(i, v) for i, v in enumerate(lat) if quiet[i]], COLORS[2],
               "quiet (pause before)", 0)
        s.dots([(i, v) for i, v in enumerate(lat) if not quiet[i]],
               COLORS[3], "busy (inside the push window)", 1)
        s.write(os.path.join(charts, "e2e-latency.svg"))

    if ticks_ms:
        sizes = sorted(ticks_ms)
        top = nice_max(max(ticks_ms.values()) * 1.2)
        s = Svg("One tick with nothing to do, by catalog size", "SKUs "
                "(each with one listing)", "milliseconds (median)")
        s.frame(-0.5, len(sizes) - 0.5, 0, top, ticks(top),
                [(i, label(n)) for i, n in enumerate(sizes)])
        for i, n in enumerate(sizes):
            s.bar(i - 0.3, i + 0.3, ticks_ms[n], COLORS[0],
                  "%.1f ms" % ticks_ms[n])
        s.write(os.path.join(charts, "tick-idle.svg"))

    if rss:
        names = sorted(rss)
        top = nice_max(max(list(rss.values()) + [10240]))
        s = Svg("Peak RSS (VmHWM) of each FastCGI program", "program",
                "kB")
        s.frame(-0.5, len(names) - 0.5, 0, top, ticks(top),
                [(i, n) for i, n in enumerate(names)])
        s.hline(10240, "#d62728", "target 10 MB")
        for i, n in enumerate(names):
            s.bar(i - 0.3, i + 0.3, rss[n], COLORS[0] if n in hub
                  else "#999", "%d" % rss[n])
        s.write(os.path.join(charts, "rss.svg"))

    # --- markdown
    L = []
    cores = read(os.path.join(out, "cores")).strip() or "?"
    L.append("# stockhub benchmarks\n")
    L.append("Made by `make bench` on %s (%s cores, load average at the end "
             "%s). Raw figures: `bench/results.json`. Benchmarks, not tests: "
             "nothing here passes or fails a build.\n"
             % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), cores,
                " ".join(read("/proc/loadavg").split()[:3]) or "?"))
    L.append("## Targets\n")
    L.append("| target | wanted | measured | result |")
    L.append("|---|---|---|---|")
    misses = []
    for name, op, goal, unit, lab in TARGETS:
        if name not in val:
            L.append("| %s | %s %g %s | not measured | — |" % (lab, op, goal, unit))
            continue
        v = val[name]
        ok = v >= goal if op == ">=" else v <= goal
        if ok:
            how = "pass"
        elif op == ">=":
            how = "miss by %.0f %% (%.3g of %g)" % ((1 - v / goal) * 100, v, goal)
        else:
            how = "miss by %.0f %% (%.3g over %g)" % ((v / goal - 1) * 100, v - goal, goal)
        if not ok:
            misses.append((lab, name))
        L.append("| %s | %s %g %s | %.4g %s | %s |" % (lab, op, goal, unit, v,
                                                       unit, how))
    L.append("")
    if misses:
        L.append("Why the misses:\n")
        for lab, name in misses:
            L.append("- **%s**: %s." % (lab, WHY[name]))
        L.append("")

    if wrk:
        L.append("## Webhooks through the real stack\n")
        L.append("wrk posts signed Shopify `orders/create` webhooks (a pool of "
                 "distinct bodies and event ids, signed in advance by "
                 "`bench/wrk_bodies.py`; `bench/webhooks.lua`) to nginx → "
                 "the `hooks` FastCGI program → MariaDB, each on the same SKU. "
                 "`bench/dbceiling` then drives the same durable writes "
                 "straight at MariaDB (prepared statements through `lib/db.h`, "
                 "the same two commits: the delivery stored, then applied "
                 "with its ledger movement under the SKU's row lock), at the "
                 "same concurrency and for the same time.\n")
        L.append("| connections | hub req/s | p50 ms | p99 ms | non-200 | "
                 "MariaDB tx/s | MariaDB p99 ms | hub / MariaDB |")
        L.append("|---|---|---|---|---|---|---|---|")
        for c in levels:
            w, d = wrk.get(c), db.get(c)
            L.append("| %d | %.0f | %.1f | %.1f | %d | %s | %s | %s |" % (
                c, w["rps"], w["pct_ms"]["50"], w["pct_ms"]["99"],
                w["non200"] + w["socket_errors"],
                "%.0f" % d["rps"] if d else "—",
                "%.1f" % d["p99_ms"] if d else "—",
                "%.0f %%" % (100 * w["rps"] / d["rps"]) if d else "—"))
        L.append("")
        if any("cpu" in w for w in wrk.values()):
            L.append("Cost per request, hub vs ceiling: CPU milliseconds "
                     "(user + system) of MariaDB, the hooks program and "
                     "nginx, and MariaDB's own counters (statements, "
                     "explicit COMMITs, InnoDB fsyncs), over the whole "
                     "level including the pushes that follow:\n")
            L.append("| connections | hub: MariaDB CPU | hub: hooks CPU | "
                     "hub: nginx CPU | hub: statements / commits / fsyncs | "
                     "ceiling: MariaDB CPU | ceiling: statements / commits "
                     "/ fsyncs |")
            L.append("|---|---|---|---|---|---|---|")

            def st(x):
                return "%.1f / %.1f / %.2f" % (x["stat"][2], x["stat"][0],
                                               x["stat"][1]) \
                    if "stat" in x else "—"
            for c in levels:
                w, d = wrk.get(c, {}), db.get(c, {})
                if "cpu" in w:
                    L.append("| %d | %.2f | %.2f | %.2f | %s | %s | %s |" % (
                        c, w["cpu"][0], w["cpu"][1], w["cpu"][2], st(w),
                        "%.2f" % d["cpu"][0] if "cpu" in d else "—", st(d)))
            L.append("")
        L.append("The headline `webhook.rps` is the best level's rate; "
                 "`webhook.ratio_to_db` divides it by MariaDB's best. "
                 "Webhooks left unapplied after the run: %s; ledger check: %s.\n"
                 % (read(os.path.join(out, "wrk-unapplied")).strip() or "?",
                    "ok" if read(os.path.join(out, "check.txt")).strip()
                    .endswith("ok") else "see the log"))
        L.append("![throughput](charts/webhook-rps.svg)\n")
        L.append("![latency](charts/webhook-latency.svg)\n")

    if e2e:
        L.append("## A Shopify sale until Etsy shows it\n")
        L.append("%d orders placed on the Shopify sandbox, which sends the "
                 "signed webhook to the hub; the clock stops when the Etsy "
                 "sandbox's control API shows the lower quantity (polled "
                 "every 10 ms). No timer tick: the `hooks` program pushes "
                 "after it answers. Every other order is *busy*: placed as "
                 "soon as the previous one shows, so it falls in the push "
                 "engine's one-second coalescing window (`PUSH_PACE_MS`) and "
                 "waits for it — sales of one listing in the same second go "
                 "out as one Etsy write. The others are *quiet*: placed after "
                 "a pause, as most sales of a small shop are.\n" % e2e["orders"])
        L.append("| orders | p50 ms | p99 ms | max ms |")
        L.append("|---|---|---|---|")
        L.append("| all | %.0f | %.0f | %.0f |" % (e2e["p50_ms"], e2e["p99_ms"],
                                                  e2e["max_ms"]))
        L.append("| quiet | %.0f | %.0f | |" % (e2e["quiet_p50_ms"],
                                                e2e["quiet_p99_ms"]))
        L.append("| busy | %.0f | %.0f | |" % (e2e["busy_p50_ms"],
                                               e2e["busy_p99_ms"]))
        L.append("")
        L.append("![sale to Etsy](charts/e2e-latency.svg)\n")

    if rss:
        L.append("## Memory\n")
        L.append("Peak resident set (`VmHWM` in `/proc/PID/status`) of every "
                 "FastCGI process, read after all the load above (webhooks, "
                 "ticks, pushes). Sandboxes shown in grey; they are test "
                 "tools, not the product.\n")
        L.append("| program | peak RSS kB | PSS kB | private dirty kB |")
        L.append("|---|---|---|---|")
        for n in sorted(rss):
            L.append("| %s | %d | %d | %d |" % (n, rss[n], pss[n], prv[n]))
        L.append("")
        L.append("RSS counts every shared library page a process has touched "
                 "(libcurl and its TLS, HTTP/2 and auth libraries, OpenSSL's "
                 "libcrypto, the MariaDB client, jansson, libfcgi), although "
                 "those pages are one copy in memory for all the processes. "
                 "PSS divides them among their users; private dirty is the "
                 "process's own heap and stack. At the end of the run, after "
                 "the load.\n")
        L.append("![rss](charts/rss.svg)\n")

    if ticks_ms:
        L.append("## One tick with nothing to do\n")
        L.append("Catalogs of growing size (every SKU with a receive movement "
                 "and one settled listing), then `POST /jobs/tick` with "
                 "nothing due; %s runs after two warm-up ticks. "
                 "`wall` is what cron's curl waits; `server` the tick's own "
                 "`elapsed_ms`; rows read are MariaDB's `Handler_read_*` "
                 "counters over those ticks, the work whatever the machine's "
                 "load does to the time. It must stay flat: the tick's work "
                 "follows changes, not the catalog. (Before this benchmark, "
                 "finding due pushes scanned every settled row of the push "
                 "queue: about 120 ms per tick and per webhook at 50k "
                 "listings; settled rows are now parked out of that index.)\n"
                 % os.environ.get("BENCH_TICKS", "15"))
        L.append("| SKUs | wall ms (median) | wall ms (fastest) | server "
                 "ms | rows read by MariaDB per tick |")
        L.append("|---|---|---|---|---|")
        for n in sorted(ticks_ms):
            L.append("| %s | %.1f | %.1f | %.0f | %s |" % (
                label(n), ticks_ms[n], ticks_min[n], ticks_srv[n],
                "%.0f" % ticks_rows[n] if n in ticks_rows else "—"))
        L.append("")
        L.append("![idle tick](charts/tick-idle.svg)\n")

    if recon:
        L.append("## Reconciliation\n")
        L.append("`stockhub reconcile` of the Shopify sandbox account with "
                 "its mapped listings, one in a hundred of which was made to "
                 "show one unit too many on the sandbox while its webhooks "
                 "were held (so the run has something to find). First a "
                 "smaller catalog with the sandbox's default cost bucket "
                 "(Shopify's), then the whole catalog with a bucket big "
                 "enough that only the hub's own cost shows. API calls are "
                 "what the sandbox served during the run.\n")
        L.append("| Shopify bucket | listings | seconds | API calls | checked "
                 "| unreadable | discrepancies planted | found |")
        L.append("|---|---|---|---|---|---|---|---|")
        for tag, lab in (("main", "large (the hub's own cost)"),
                         ("throttled", "the sandbox's default (Shopify's)")):
            if tag in recon:
                r = recon[tag]
                L.append("| %s | %d | %.1f | %d | %s | %s | %d | %s |" % (
                    lab, r["listings"], r["seconds"], r["api_calls"],
                    r.get("checked", "?"), r.get("unreadable", "?"),
                    r["planted"], r.get("discrepancies", "?")))
        L.append("")
        t = recon.get("throttled")
        if t and t.get("unreadable", 0) > 0:
            L.append("With Shopify's own bucket, %d of %d listings came back "
                     "THROTTLED and were counted unreadable: reconciliation "
                     "reads as fast as it can instead of pacing itself by "
                     "the cost Shopify reports, so on a real store most of "
                     "a large catalog would go unchecked.\n"
                     % (t["unreadable"], t["listings"]))

    if any(o["name"].startswith("sim.") for o in res):
        L.append("## Simulator\n")
        L.append("From `bench/sim-results.json` (the simulator's own run):\n")
        L.append("| name | value | unit |")
        L.append("|---|---|---|")
        for o in res:
            if o["name"].startswith("sim."):
                L.append("| %s | %s | %s |" % (o["name"], o["value"], o["unit"]))
        L.append("")

    with open(os.path.join(dest, "report.md"), "w") as f:
        f.write("\n".join(L))
    headline(os.path.join(dest, "..", "README.md"), val, cores)
    for o in res:
        if o["name"] in dict((t[0], 1) for t in TARGETS):
            print("  %-32s %10.4g %s" % (o["name"], o["value"], o["unit"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
