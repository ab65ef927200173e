#!/usr/bin/env python3
"""Contract test: the Etsy sandbox (sandbox/etsy.c) against Etsy's own
OpenAPI document ($SPECS_DIR/etsy/etsy-openapi-v3.json).

It loads the demo catalog, signs in with OAuth + PKCE, places a few buyer
orders, then calls every API operation the emulator implements and
validates each answer against the response schema of that operation in
the spec ($ref resolved inside the document, OpenAPI "nullable" honoured,
and no field the spec does not define). It also checks that every API
route and query parameter the emulator serves exists in the spec, and
that the request bodies used here are valid for the spec too. Each
failure names the field. Output is TAP.
"""
import base64
import hashlib
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..", "sandbox", "etsy.c")
KEY = "sbx-etsy-keystring:sbx-etsy-secret"
SHOP = 5550001
MUG, SCARF, GIFT = 1000000001, 1000000002, 1000000003

results = []


def tap(ok, desc, detail=None):
    results.append(ok)
    print("%s %d - %s" % ("ok" if ok else "not ok", len(results), desc))
    if not ok and detail:
        for line in str(detail).splitlines():
            print("#   " + line)


def main():
    specs = os.environ.get("SPECS_DIR", "")
    path = os.path.join(specs, "etsy", "etsy-openapi-v3.json")
    if not specs or not os.path.isfile(path):
        print("1..0 # SKIP specs not found")
        return 0
    base = os.environ.get("SANDBOX_ETSY_URL", "")
    if not base:
        print("1..0 # SKIP SANDBOX_ETSY_URL is not set (run with make test)")
        return 0
    try:
        import jsonschema
    except ImportError:
        print("1..0 # SKIP python3-jsonschema is not installed")
        return 0
    with open(path) as f:
        spec = json.load(f)
    try:
        Contract(spec, base, jsonschema).run()
    except Exception as e:  # the emulator is down or answered nonsense
        tap(False, "the contract run completed", "%s: %s" % (
            type(e).__name__, e))
    print("1..%d" % len(results))
    return 0 if all(results) else 1


# --- OpenAPI 3.0 schema -> JSON Schema ----------------------------------

DROP = {"nullable", "description", "example", "x-resource-id", "format",
        "discriminator", "readOnly", "writeOnly", "deprecated", "default"}


def convert(node, strict):
    """OpenAPI 3.0 schema objects to draft 7: nullable becomes a null
    alternative; with strict, objects allow no undeclared field."""
    if isinstance(node, list):
        return [convert(x, strict) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k == "properties" and isinstance(v, dict):
            # names of fields, not schema keywords: keep every one
            out[k] = {name: convert(sub, strict) for name, sub in v.items()}
        elif k not in DROP:
            out[k] = convert(v, strict)
    if strict and "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if node.get("nullable"):
        if "type" in out and "$ref" not in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = out["enum"] + [None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def leaves(err):
    """The innermost errors under a oneOf/anyOf, which name the field."""
    if err.context:
        for sub in err.context:
            yield from leaves(sub)
    else:
        yield err


def describe(errs):
    out = []
    for e in errs:
        for leaf in leaves(e):
            line = "field %s: %s" % (field_path(leaf), leaf.message[:200])
            if line not in out:
                out.append(line)
    return "\n".join(out[:12])


def field_path(err):
    p = ""
    for part in err.absolute_path:
        p += "[%d]" % part if isinstance(part, int) else (
            "." if p else "") + str(part)
    return p or "(top level)"


class Contract:
    def __init__(self, spec, base, jsonschema):
        self.spec = spec
        self.base = base.rstrip("/")
        self.js = jsonschema
        self.root = {"components": {"schemas": convert(
            spec["components"]["schemas"], True)}}
        self.loose = {"components": {"schemas": convert(
            spec["components"]["schemas"], False)}}
        self.token = None

    # -- HTTP --

    def call(self, method, path, body=None, ctype=None, token=True,
             key=KEY):
        headers = {}
        if key:
            headers["x-api-key"] = key
        if token and self.token:
            headers["Authorization"] = "Bearer " + self.token
        if ctype:
            headers["Content-Type"] = ctype
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(self.base + path, data=data,
                                     method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                raw, status, hdrs = r.read(), r.status, r.headers
        except urllib.error.HTTPError as e:
            raw, status, hdrs = e.read(), e.code, e.headers
        try:
            j = json.loads(raw.decode()) if raw else None
        except ValueError:
            j = None
        return status, j, hdrs

    def ctl(self, method, path, body=None):
        data = json.dumps(body) if body is not None else None
        status, j, _ = self.call(method, path, data, "application/json",
                                 token=False, key=None)
        if status >= 300:
            raise RuntimeError("%s %s -> %d %s" % (method, path, status, j))
        return j

    def login(self):
        self.ctl("POST", "/_sandbox/oauth", {"auto_approve": True})
        verifier = "contract-test-verifier-" + "x" * 30
        chal = base64.urlsafe_b64encode(hashlib.sha256(
            verifier.encode()).digest()).decode().rstrip("=")
        q = urllib.parse.urlencode({
            "response_type": "code", "client_id": KEY.split(":")[0],
            "redirect_uri": "https://hub.example/cb", "state": "c1",
            "scope": "listings_r listings_w transactions_r shops_r",
            "code_challenge": chal, "code_challenge_method": "S256"})

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None
        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(self.base + "/oauth/connect?" + q, timeout=20)
            raise RuntimeError("the authorize step did not redirect")
        except urllib.error.HTTPError as e:
            loc = e.headers.get("Location", "")
        code = urllib.parse.parse_qs(urllib.parse.urlparse(loc).query)
        body = urllib.parse.urlencode({
            "grant_type": "authorization_code",
            "client_id": KEY.split(":")[0],
            "redirect_uri": "https://hub.example/cb",
            "code": code["code"][0], "code_verifier": verifier})
        status, j, _ = self.call("POST", "/v3/public/oauth/token", body,
                                 "application/x-www-form-urlencoded",
                                 token=False, key=None)
        tap(status == 200 and isinstance(j, dict) and
            all(isinstance(j.get(k), str) for k in
                ("access_token", "refresh_token", "token_type")) and
            j.get("expires_in") == 3600,
            "token endpoint answers access_token, refresh_token, "
            "token_type, expires_in=3600", j)
        self.token = j["access_token"]

    # -- spec lookups --

    def template(self, path):
        """The spec's path template for a concrete or {} path."""
        segs = path.split("?")[0].strip("/").split("/")
        for tpl in self.spec["paths"]:
            t = tpl.strip("/").split("/")
            if len(t) == len(segs) and all(
                    a == b or (a.startswith("{") and (b.isdigit() or
                                                      b == "{}"))
                    for a, b in zip(t, segs)):
                return tpl
        return None

    def operation(self, method, path):
        tpl = self.template(path)
        if tpl is None:
            return None, None
        return tpl, self.spec["paths"][tpl].get(method.lower())

    def check(self, method, path, status, j, want_status, desc):
        tpl, op = self.operation(method, path)
        if op is None:
            tap(False, desc, "%s %s is not in the spec" % (method, path))
            return
        if status != want_status:
            tap(False, desc, "status %d, wanted %d: %s" % (
                status, want_status, json.dumps(j)[:300]))
            return
        resp = op.get("responses", {}).get(str(status))
        if resp is None:
            tap(False, desc, "%s %s (%s) does not list status %d" % (
                method, tpl, op.get("operationId"), status))
            return
        schema = resp.get("content", {}).get("application/json", {}).get(
            "schema")
        # success answers are strict (no invented fields); error bodies
        # may carry an extra error_description as OAuth errors do
        root = dict(self.root if status < 300 else self.loose)
        root.update(convert(schema, status < 300))
        v = self.js.Draft7Validator(root)
        errs = sorted(v.iter_errors(j), key=lambda e: list(e.absolute_path))
        tap(not errs, "%s (%s %s %d)" % (desc, op.get("operationId"),
                                         tpl, status),
            describe(errs))

    def check_params(self, method, path, desc):
        tpl, op = self.operation(method, path)
        if op is None:
            tap(False, desc, "%s %s is not in the spec" % (method, path))
            return
        names = {p["name"] for p in op.get("parameters", [])
                 if p.get("in") == "query"}
        sent = [k.rstrip("[]") for k, _ in urllib.parse.parse_qsl(
            urllib.parse.urlparse(path).query)]
        bad = [k for k in sent if k not in names]
        tap(not bad, "%s: query parameters are in the spec" % desc,
            "not in %s: %s" % (op.get("operationId"), ", ".join(bad)))

    def check_request(self, method, path, body, ctype, desc):
        _, op = self.operation(method, path)
        schema = (op or {}).get("requestBody", {}).get("content", {}).get(
            ctype, {}).get("schema")
        if schema is None:
            tap(False, desc, "no %s request body in the spec" % ctype)
            return
        root = dict(self.root)
        root.update(convert(schema, True))
        errs = list(self.js.Draft7Validator(root).iter_errors(body))
        tap(not errs, desc, describe(errs))

    # -- the run --

    def routes_in_spec(self):
        with open(SOURCE) as f:
            src = f.read()
        routes = re.findall(r'\{\s*"(GET|PUT|PATCH|POST|DELETE)",\s*'
                            r'"(/v3/application[^"]*)"', src)
        tap(len(routes) >= 9, "the emulator's API routes are found in "
            "sandbox/etsy.c", "found %d" % len(routes))
        allq = set()
        for method, pattern in routes:
            tpl, op = self.operation(method, pattern)
            tap(op is not None, "route %s %s exists in the spec" % (
                method, pattern), "no such path/method in the spec")
            if op is not None:
                allq |= {p["name"] for p in op.get("parameters", [])
                         if p.get("in") == "query"}
        read = set(re.findall(r'q_(?:int|bool|enum|ids)\(r, "([a-z_]+)"',
                              src))
        extra = sorted(read - allq)
        tap(not extra, "every query parameter the emulator reads is a "
            "parameter of an implemented operation", ", ".join(extra))
        flows = self.spec["components"]["securitySchemes"]["oauth2"][
            "flows"]["authorizationCode"]
        tap(urllib.parse.urlparse(flows["tokenUrl"]).path ==
            "/v3/public/oauth/token" and '"/v3/public/oauth/token"' in src,
            "token endpoint path matches the spec's tokenUrl")
        tap(urllib.parse.urlparse(flows["authorizationUrl"]).path ==
            "/oauth/connect" and '"/oauth/connect"' in src,
            "authorize path matches the spec's authorizationUrl")
        key = self.spec["components"]["securitySchemes"]["api_key"]
        tap(key.get("in") == "header" and key.get("name") == "x-api-key",
            "the API key travels in the x-api-key header, as served")

    def run(self):
        self.routes_in_spec()
        self.ctl("POST", "/_sandbox/reset")
        self.ctl("POST", "/_sandbox/demo")
        # a burst of calls: Etsy's default 10/s would refuse some
        self.ctl("POST", "/_sandbox/rate-limits", {"per_second": 1000})
        self.login()
        r1 = self.ctl("POST", "/_sandbox/orders", {
            "listing_id": SCARF, "variations": {"Color": "Red"},
            "quantity": 2})["receipt_id"]
        r2 = self.ctl("POST", "/_sandbox/orders", {
            "listing_id": MUG, "quantity": 1})["receipt_id"]
        self.ctl("POST", "/_sandbox/receipts/%d/refund" % r1,
                 {"amount": 5.0, "reason": "late"})
        self.ctl("POST", "/_sandbox/receipts/%d/cancel" % r2, {})
        self.ctl("POST", "/_sandbox/orders", {
            "listing_id": GIFT, "quantity": 1, "paid": False})

        def get(path, want=200, desc=None, **kw):
            status, j, _ = self.call("GET", path, **kw)
            self.check("GET", path, status, j, want, desc or "GET " + path)
            self.check_params("GET", path, desc or "GET " + path)
            return j

        get("/v3/application/users/me", desc="getMe")
        j = get("/v3/application/shops/%d/listings?state=active&limit=10&"
                "offset=0&includes=Inventory" % SHOP,
                desc="getListingsByShop with inventory")
        tap(isinstance(j, dict) and j.get("count") == 3,
            "getListingsByShop counts the three demo listings", j)
        get("/v3/application/listings/batch?listing_ids=%d,%d,%d" % (
            MUG, SCARF, GIFT), desc="getListingsByListingIds")
        get("/v3/application/listings/%d" % SCARF, desc="getListing")
        get("/v3/application/listings/%d/inventory?includes=Listing" %
            SCARF, desc="getListingInventory with the listing")
        get("/v3/application/listings/batch/inventory?listing_ids=%d,%d" % (
            MUG, SCARF), desc="getListingsInventoryByListingIds")
        j = get("/v3/application/shops/%d/receipts?limit=100&sort_on="
                "created&sort_order=desc" % SHOP, desc="getShopReceipts")
        tap(isinstance(j, dict) and j.get("count") == 3,
            "getShopReceipts lists the three orders", j)
        get("/v3/application/shops/%d/receipts?was_canceled=true&"
            "min_created=946684800" % SHOP,
            desc="getShopReceipts, canceled only")
        get("/v3/application/shops/%d/receipts/%d" % (SHOP, r1),
            desc="getShopReceipt with a refund and variations")

        body = {"products": [
            {"sku": "SCARF-WOOL-RED", "property_values": [{
                "property_id": 513, "value_ids": [], "values": ["Red"]}],
             "offerings": [{"price": 45.0, "quantity": 3,
                            "is_enabled": True, "readiness_state_id": None}]},
            {"sku": "SCARF-WOOL-BLUE", "property_values": [{
                "property_id": 513, "value_ids": [], "values": ["Blue"]}],
             "offerings": [{"price": 45.0, "quantity": 2,
                            "is_enabled": True,
                            "readiness_state_id": None}]}],
            "price_on_property": [], "quantity_on_property": [513],
            "sku_on_property": [513], "readiness_state_on_property": []}
        p = "/v3/application/listings/%d/inventory" % SCARF
        self.check_request("PUT", p, body, "application/json",
                           "the updateListingInventory body used here is "
                           "valid for the spec")
        status, j, _ = self.call("PUT", p, json.dumps(body),
                                 "application/json")
        self.check("PUT", p, status, j, 200, "updateListingInventory")

        p = "/v3/application/shops/%d/listings/%d" % (SHOP, GIFT)
        form = {"state": "inactive"}
        self.check_request("PATCH", p, form,
                           "application/x-www-form-urlencoded",
                           "the updateListing body used here is valid for "
                           "the spec")
        status, j, _ = self.call("PATCH", p, urllib.parse.urlencode(form),
                                 "application/x-www-form-urlencoded")
        self.check("PATCH", p, status, j, 200, "updateListing")

        # error bodies: {"error": "..."} on the statuses the spec lists
        get("/v3/application/shops/%d/listings?limit=500" % SHOP, 400,
            "getListingsByShop refuses limit=500 with ErrorSchema")
        get("/v3/application/users/me", 401,
            "getMe without a token: 401 with ErrorSchema", token=False)
        get("/v3/application/listings/424242", 404,
            "getListing of an unknown id: 404 with ErrorSchema")
        status, j, _ = self.call(
            "PUT", "/v3/application/listings/%d/inventory" % MUG,
            json.dumps({"products": [{"sku": "MUG-CERAMIC-01",
                                      "property_values": [],
                                      "offerings": [{
                                          "price": 28.0, "quantity": 0,
                                          "is_enabled": True,
                                          "readiness_state_id": None}]}]}),
            "application/json")
        self.check("PUT", "/v3/application/listings/%d/inventory" % MUG,
                   status, j, 400, "updateListingInventory refuses all "
                   "zero with ErrorSchema")
        status, j, _ = self.call(
            "GET", "/v3/application/shops/%d/listings" % SHOP,
            key=KEY.split(":")[0])
        self.check("GET", "/v3/application/shops/%d/listings" % SHOP,
                   status, j, 403, "a key without the shared secret: 403 "
                   "with ErrorSchema")
        tap(isinstance(j, dict) and j.get("error") ==
            "Shared secret is required in x-api-key header.",
            "the 403 says the shared secret is required", j)


if __name__ == "__main__":
    sys.exit(main())
