-- wrk script for make bench: POST signed Shopify orders/create webhooks
-- to /hooks/shopify, each request the next line of a pool made in
-- advance by bench/wrk_bodies.py (wrk's Lua has no HMAC). Threads take
-- interleaved lines, so no two requests of a run repeat a webhook until
-- the pool is used up. At the end one JSON line: requests, seconds,
-- errors, non-2xx answers and latency percentiles in milliseconds.
--
-- env: BENCH_POOL (the pool file), BENCH_SHOP (X-Shopify-Shop-Domain),
-- BENCH_THREADS (wrk's -t)

local pool_path = os.getenv("BENCH_POOL")
local shop = os.getenv("BENCH_SHOP")
local threads = {}
local counter = 0

function setup(thread)
	thread:set("tid", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

local pool = {}
local idx = 0
local step = tonumber(os.getenv("BENCH_THREADS") or "1")
local non2xx = 0

function init(args)
	for line in io.lines(pool_path) do
		local ev, sig, body = line:match("^([^\t]+)\t([^\t]+)\t(.+)$")
		pool[#pool + 1] = { ev, sig, body }
	end
	idx = tid
end

function request()
	local n = #pool
	local p = pool[(idx % n) + 1]
	idx = idx + step
	return wrk.format("POST", "/hooks/shopify", {
		["Content-Type"] = "application/json",
		["X-Shopify-Topic"] = "orders/create",
		["X-Shopify-Hmac-Sha256"] = p[2],
		["X-Shopify-Shop-Domain"] = shop,
		["X-Shopify-Event-Id"] = p[1],
		["X-Shopify-Triggered-At"] = "2026-11-28T12:00:00Z",
	}, p[3])
end

function response(status, headers, body)
	if status ~= 200 then
		non2xx = non2xx + 1
	end
end

function done(summary, latency, requests)
	local bad = 0
	for _, t in ipairs(threads) do
		bad = bad + (t:get("non2xx") or 0)
	end
	local e = summary.errors
	local pcts = {}
	for _, p in ipairs({ 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9 }) do
		pcts[#pcts + 1] = string.format("\"%s\":%.3f", tostring(p),
			latency:percentile(p) / 1000.0)
	end
	io.write(string.format("{\"requests\":%d,\"seconds\":%.3f," ..
		"\"socket_errors\":%d,\"non200\":%d,\"mean_ms\":%.3f," ..
		"\"max_ms\":%.3f,\"pct_ms\":{%s}}\n",
		summary.requests, summary.duration / 1e6,
		e.connect + e.read + e.write + e.timeout, bad,
		latency.mean / 1000.0, latency.max / 1000.0,
		table.concat(pcts, ",")))
end
