#!/usr/bin/env python3
"""A pool of distinct signed Shopify orders/create webhooks for wrk
(bench/webhooks.lua): wrk's Lua has no HMAC, so every body is signed here
in advance. One line per webhook: event id, signature, body (tab
separated; the JSON body holds no tab).

usage: wrk_bodies.py SECRET VARIANT_ID N PREFIX > FILE
"""
import base64
import hashlib
import hmac
import json
import sys


def main():
    secret, variant, n, prefix = sys.argv[1:5]
    variant, n = int(variant), int(n)
    key = secret.encode()
    # order ids distinct across runs and levels: the prefix is numeric
    base = int(prefix) * 10_000_000
    out = sys.stdout
    for i in range(n):
        oid = base + i
        body = json.dumps({
            "id": oid, "updated_at": "2026-11-28T12:00:00Z",
            "cancelled_at": None,
            "line_items": [{"id": oid * 10, "variant_id": variant,
                            "product_id": 1, "quantity": 1,
                            "sku": "BENCH-1", "title": "Bench",
                            "variant_title": ""}]},
            separators=(",", ":"))
        sig = base64.b64encode(hmac.new(key, body.encode(),
                                        hashlib.sha256).digest()).decode()
        out.write("bench-%d\t%s\t%s\n" % (oid, sig, body))
    return 0


if __name__ == "__main__":
    sys.exit(main())
