#!/usr/bin/env python3
"""Create N variants in the Shopify sandbox for the reconciliation
benchmark (products of up to 100 variants, each showing 0), and print one
line per variant: SKU, variant id, inventory item id (tab separated), for
the hub's SKU map. SKUs are PREFIX-FIRST .. PREFIX-LAST.

usage: shopify_catalog.py SHOPIFY_SANDBOX_URL PREFIX FIRST LAST > FILE
"""
import json
import sys
import urllib.request


def main():
    base, prefix = sys.argv[1], sys.argv[2]
    lo, hi = int(sys.argv[3]), int(sys.argv[4])
    per = 100
    out = sys.stdout
    for first in range(lo, hi + 1, per):
        skus = ["%s-%d" % (prefix, i)
                for i in range(first, min(hi, first + per - 1) + 1)]
        body = json.dumps({
            "title": "%s %d" % (prefix, first),
            "option_name": "Size",
            "variants": [{"sku": s, "title": s, "available": 0}
                         for s in skus]}).encode()
        req = urllib.request.Request(
            base + "/_sandbox/products", data=body, method="POST",
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            p = json.load(r)
        for v in p["variants"]:
            out.write("%s\t%d\t%d\n" % (v["sku"], v["id"],
                                         v["inventory_item_id"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
