#!/usr/bin/env python3
"""Latency of Shopify webhooks through nginx into the hub, as Shopify
sees it: from sending a signed orders/create to the 200 (the pushes that
follow run after the answer). Prints p50/p95/p99/max in milliseconds.

usage: webhooks.py HUB_URL SHOP_DOMAIN SECRET VARIANT_ID N
"""
import base64
import hashlib
import hmac
import http.client
import json
import sys
import time
import urllib.parse


def main():
    hub, domain, secret, variant, n = sys.argv[1:6]
    n = int(n)
    u = urllib.parse.urlsplit(hub)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    base = int(time.time() * 1000)
    times = []
    for i in range(n):
        oid = base + i
        body = json.dumps({
            "id": oid, "updated_at": "2026-11-28T12:00:00Z",
            "cancelled_at": None,
            "line_items": [{"id": oid * 10, "variant_id": int(variant),
                            "product_id": 1, "quantity": 1,
                            "sku": "BENCH", "title": "Bench",
                            "variant_title": ""}]}).encode()
        sig = base64.b64encode(hmac.new(secret.encode(), body,
                                        hashlib.sha256).digest()).decode()
        headers = {"Content-Type": "application/json",
                   "X-Shopify-Topic": "orders/create",
                   "X-Shopify-Hmac-Sha256": sig,
                   "X-Shopify-Shop-Domain": domain,
                   "X-Shopify-Event-Id": "bench-%d" % oid,
                   "X-Shopify-Triggered-At": "2026-11-28T12:00:00Z"}
        t0 = time.perf_counter()
        conn.request("POST", "/hooks/shopify", body, headers)
        r = conn.getresponse()
        r.read()
        times.append((time.perf_counter() - t0) * 1000)
        if r.status != 200:
            print("status %d on webhook %d" % (r.status, i), file=sys.stderr)
            return 1
    times.sort()

    def pct(p):
        return times[min(len(times) - 1, int(len(times) * p / 100))]
    print("webhook acknowledge latency over %d orders/create: p50 %.1f ms, "
          "p95 %.1f ms, p99 %.1f ms, max %.1f ms"
          % (n, pct(50), pct(95), pct(99), times[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
