#!/bin/sh
# make bench: measurements on the real stack (MariaDB, nginx, the
# programs, the sandboxes) in a temporary directory, torn down after.
# Numbers, not pass/fail: see README "Benchmarks". Writes
# bench/results.json and bench/report.md (+ bench/charts/*.svg).
#
#   BENCH_SECONDS=8          seconds per concurrency level (wrk, dbceiling)
#   BENCH_LEVELS="1 8 32 64" concurrency levels
#   BENCH_E2E_ORDERS=50      Shopify orders timed until Etsy shows them
#   BENCH_RECON=10000        listings for the reconciliation run
#   BENCH_RECON_THROTTLED=1000  listings for the run with Shopify's bucket
#   BENCH_TICK_SIZES="1000 10000 50000"  catalogs for the idle tick
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${BUILD:-build}
secs=${BENCH_SECONDS:-8}
levels=${BENCH_LEVELS:-1 8 32 64}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stockhub-bench.XXXXXX")
trap 'tools/stack.sh stop "$tmp" > /dev/null 2>&1; rm -rf "$tmp"' EXIT
port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000 ))
out=$tmp/out
mkdir -p "$out"
echo "bench: starting the stack in $tmp (port $port)"
tools/stack.sh start "$tmp" "$port" "$build" > "$tmp/start.log" 2>&1 ||
    { cat "$tmp/start.log"; exit 1; }
export STOCKHUB_CONFIG="$tmp/stockhub.conf"
export STOCKHUB_URL="http://127.0.0.1:$port"
. "$tmp/sandbox.env"
export SANDBOX_ETSY_URL SANDBOX_SHOPIFY_URL
cli=$build/bin/stockhub
shop=$SANDBOX_SHOPIFY_URL
sql() {
	mariadb --no-defaults --local-infile=1 --socket="$tmp/run/mysqld.sock" \
	    -u "$(id -un)" -N -B stockhub "$@"
}
timer=$(sed -n 's/^timer_token *= *//p' "$tmp/secrets.conf")
tick() {
	curl -s -X POST -H "Authorization: Bearer $timer" "$STOCKHUB_URL/jobs/tick"
}
nproc > "$out/cores"
# CPU seconds (user + system) used so far by the processes of a pid file
# (nginx: its workers too)
cpu() {
	pids=$(cat "$tmp/run/$1.pid" 2>/dev/null || true)
	[ "$1" = nginx ] && pids="$pids $(pgrep -P "$pids" 2>/dev/null || true)"
	t=0
	for p in $pids; do
		v=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)
		t=$((t + v))
	done
	echo "$t $(getconf CLK_TCK)" | awk '{ printf "%.2f", $1 / $2 }'
}
cpus() { echo "$(cpu mysqld) $(cpu hooks) $(cpu nginx)"; }
# MariaDB's counters: statements, explicit commits, fsyncs
dbstat() {
	sql -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', \
	    'Com_commit', 'Innodb_data_fsyncs')" | sort | awk '{ printf "%s ", $2 }'
}
# rows read by the storage engine so far (every Handler_read_* counter)
rows_read() {
	sql -e "SHOW GLOBAL STATUS LIKE 'Handler_read%'" |
	    awk '{ n += $2 } END { printf "%d", n }'
}

# --- 1. webhooks: wrk through nginx, then the database's own ceiling ------
# a SKU with plenty of stock, mapped on the demo Shopify account
$cli item add BENCH-1 "Bench item" > /dev/null
$cli move BENCH-1 receive 100000000 "bench stock" > /dev/null
$cli item add BENCH-DB "Database ceiling item" > /dev/null
$cli move BENCH-DB receive 100000000 "bench stock" > /dev/null
curl -s -X POST -H 'Content-Type: application/json' \
    -d '{"title":"Bench","variants":[{"sku":"BENCH-1","available":0}]}' \
    "$shop/_sandbox/products" > /dev/null
$cli shopify map "Sandbox Shopify" BENCH-1 > /dev/null
variant=$(curl -s "$shop/_sandbox/state" | python3 -c \
    "import json,sys; print([l['variant_id'] for l in json.load(sys.stdin)['levels'] if l['sku']=='BENCH-1'][0])")
$cli push > /dev/null 2>&1 || true
n=0
for c in $levels; do
	n=$((n + 1))
	t=$c; [ "$t" -gt 2 ] && t=2
	python3 bench/wrk_bodies.py sbx-shopify-secret "$variant" \
	    "${BENCH_POOL_SIZE:-30000}" "$n" > "$tmp/pool"
	echo "bench: webhooks, $c connection(s), ${secs}s"
	c0=$(cpus); s0=$(dbstat)
	BENCH_POOL="$tmp/pool" BENCH_SHOP=sandbox-shop.myshopify.com \
	BENCH_THREADS=$t wrk -t"$t" -c"$c" -d"${secs}s" --timeout 10s \
	    -s bench/webhooks.lua "$STOCKHUB_URL" > "$tmp/wrk.txt"
	# let the pushes that follow the last webhooks finish
	sleep 2
	echo "$c0 $(cpus)" > "$out/cpu-wrk-$c.txt"
	echo "$s0 $(dbstat)" > "$out/stat-wrk-$c.txt"
	tail -1 "$tmp/wrk.txt" > "$out/wrk-$c.json"
	echo "bench: database ceiling, $c connection(s), ${secs}s"
	c0=$(cpus); s0=$(dbstat)
	"$build/bench/dbceiling" BENCH-DB "$c" "$secs" > "$out/db-$c.json"
	echo "$c0 $(cpus)" > "$out/cpu-db-$c.txt"
	echo "$s0 $(dbstat)" > "$out/stat-db-$c.txt"
done
sql -e "SELECT COUNT(*) FROM webhook_inbox WHERE state <> 'applied' AND \
    account_id = 1 AND event_id LIKE 'bench-%'" > "$out/wrk-unapplied"
$cli check > "$out/check.txt" 2>&1 && echo ok >> "$out/check.txt" || true

# --- 2. idle tick: catalogs of growing size, nothing due ------------------
acct=$(sql -e "INSERT INTO channel_accounts (type, name, api_base_url, \
    shop_ref) VALUES ('shopify', 'Bench idle catalog', '$shop', \
    'idle.myshopify.com'); SELECT LAST_INSERT_ID()")
prev=0
for size in ${BENCH_TICK_SIZES:-1000 10000 50000}; do
	echo "bench: idle tick, $size SKUs"
	# items with one receive each, one settled listing each
	sql > /dev/null <<EOS
INSERT INTO stock_items (sku, title, on_hand, version)
  SELECT CONCAT('IDLE-', seq), 'idle bench item', 5, 1
  FROM seq_1_to_$size WHERE seq > $prev;
INSERT INTO ledger_events (event_key, source, reason, payload_hash)
  SELECT CONCAT('idle:receive:', seq), 'bench', 'idle bench stock', REPEAT('0', 64)
  FROM seq_1_to_$size WHERE seq > $prev;
INSERT INTO stock_movements (event_id, item_id, kind, qty, on_hand_delta,
    committed_delta, on_hand_after, committed_after)
  SELECT e.id, i.id, 'receive', 5, 5, 0, 5, 0 FROM seq_1_to_$size s
  JOIN stock_items i ON i.sku = CONCAT('IDLE-', s.seq)
  JOIN ledger_events e ON e.event_key = CONCAT('idle:receive:', s.seq)
  WHERE s.seq > $prev;
INSERT INTO channel_listings (account_id, item_id, ext_listing, ext_variant,
    ext_location, channel_sku, last_pushed_qty, last_pushed_at)
  SELECT $acct, i.id, CONCAT('9', s.seq), CONCAT('8', s.seq), '1', i.sku, 5,
    CURRENT_TIMESTAMP(6)
  FROM seq_1_to_$size s JOIN stock_items i ON i.sku = CONCAT('IDLE-', s.seq)
  WHERE s.seq > $prev;
-- settled rows, as a successful push leaves them (parked: lib/push.h)
INSERT INTO push_queue (listing_id, want_version, done_version, next_at)
  SELECT l.id, 1, 1, '2038-01-01 00:00:00' FROM channel_listings l
  WHERE l.account_id = $acct AND l.id NOT IN (SELECT listing_id FROM push_queue);
ANALYZE TABLE stock_items, channel_listings, push_queue, stock_movements;
EOS
	prev=$size
	# warm up, then time
	tick > /dev/null; tick > /dev/null
	: > "$out/tick-$size.txt"
	r0=$(rows_read)
	i=0
	while [ $i -lt "${BENCH_TICKS:-15}" ]; do
		curl -s -o "$tmp/tick.json" -w '%{time_total}' -X POST \
		    -H "Authorization: Bearer $timer" "$STOCKHUB_URL/jobs/tick" \
		    >> "$out/tick-$size.txt"
		printf ' ' >> "$out/tick-$size.txt"
		python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['elapsed_ms'])" \
		    "$tmp/tick.json" >> "$out/tick-$size.txt"
		i=$((i + 1))
	done
	# rows MariaDB's engine read for those ticks: the work, whatever
	# the machine's load does to the time
	echo "$r0 $(rows_read) $i" > "$out/tick-rows-$size.txt"
done

# --- 3. reconciliation of N listings on the Shopify sandbox ---------------
# First a small catalog with the sandbox's default bucket (Shopify's own
# leaky bucket: does the run pace itself?), then the full catalog with a
# bucket big enough that only the hub's own cost is measured.
nrec=${BENCH_RECON:-10000}
nthr=${BENCH_RECON_THROTTLED:-1000}
[ "$nthr" -le "$nrec" ] || nthr=$nrec
# the sandbox holds its webhooks meanwhile: the catalog's creation and the
# edits below stay unknown to the hub until the run has read them
curl -s -X POST -H 'Content-Type: application/json' \
    -d '{"webhooks":{"hold":true}}' "$shop/_sandbox/faults" > /dev/null
planted=0
# variants RECON-$1 .. RECON-$2 on the sandbox, each mapped (settled, as
# a push leaves it); one of every hundred shows one unit too many, which
# the run must find (a check that it read them)
catalog() {
	python3 bench/shopify_catalog.py "$shop" RECON "$1" "$2" > "$tmp/recon.tsv"
	sql <<EOS
CREATE TEMPORARY TABLE recon_seed (sku VARCHAR(64) CHARACTER SET utf8mb4
    COLLATE utf8mb4_bin, variant VARCHAR(64), inv VARCHAR(64));
LOAD DATA LOCAL INFILE '$tmp/recon.tsv' INTO TABLE recon_seed
    FIELDS TERMINATED BY '\t';
INSERT INTO stock_items (sku, title) SELECT sku, 'recon bench item' FROM recon_seed;
INSERT INTO channel_listings (account_id, item_id, ext_listing, ext_variant,
    ext_location, channel_sku, last_pushed_qty, last_pushed_at)
  SELECT 1, i.id, s.variant, s.inv, '1', s.sku, 0, CURRENT_TIMESTAMP(6)
  FROM recon_seed s JOIN stock_items i ON i.sku = s.sku;
INSERT INTO push_queue (listing_id, next_at)
  SELECT l.id, '2038-01-01 00:00:00' FROM channel_listings l
  WHERE l.account_id = 1 AND l.id NOT IN (SELECT listing_id FROM push_queue);
EOS
	awk 'NR % 100 == 0 { print $1 }' "$tmp/recon.tsv" > "$tmp/recon-off"
	python3 - "$shop" "$tmp/recon-off" <<'EOP'
import json, sys, urllib.request
for sku in open(sys.argv[2]).read().split():
    req = urllib.request.Request(sys.argv[1] + "/_sandbox/inventory",
        data=json.dumps({"sku": sku, "available": 1}).encode(),
        method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()
EOP
	planted=$((planted + $(wc -l < "$tmp/recon-off")))
}
requests() {
	curl -s "$shop/_sandbox/requests" | python3 -c \
	    "import json,sys; print(json.load(sys.stdin)['total'])"
}
# one run: wall time, API calls the sandbox served, and the run's own
# counters (whatever of them exist)
recon() {
	listings=$(sql -e "SELECT COUNT(*) FROM channel_listings WHERE account_id = 1")
	echo "bench: reconciliation, $listings listings ($1)"
	before=$(requests)
	t0=$(date +%s.%N)
	$cli reconcile 1 > "$out/recon-$1.txt" 2>&1 || true
	t1=$(date +%s.%N)
	after=$(requests)
	sql -e "SELECT checked, unreadable, discrepancies, api_calls FROM \
	    recon_runs ORDER BY id DESC LIMIT 1" > "$out/recon-$1.tsv" || true
	echo "$listings $planted $t0 $t1 $before $after" > "$out/recon-$1.meta"
}
catalog 1 "$nthr"
recon throttled
[ "$nthr" -ge "$nrec" ] || catalog $((nthr + 1)) "$nrec"
curl -s -X POST -H 'Content-Type: application/json' \
    -d '{"throttle":{"maximum_available":1000000,"restore_rate":100000,"currently_available":1000000}}' \
    "$shop/_sandbox/config" > /dev/null
recon main
curl -s -X DELETE "$shop/_sandbox/faults" > /dev/null

# --- 4. a Shopify sale until Etsy shows it ---------------------------------
echo "bench: sale to Etsy, ${BENCH_E2E_ORDERS:-50} orders"
BENCH_OUT="$out/e2e.json" "$build/bench/e2e" > "$tmp/e2e.log" 2>&1 ||
    { cat "$tmp/e2e.log"; echo "bench: the sale-to-Etsy run failed" >&2; }

# --- 5. peak memory of each FastCGI program (after all of the above) ------
for f in "$tmp"/run/*.pid; do
	name=$(basename "$f" .pid)
	case $name in mysqld|nginx) continue ;; esac
	for p in $(cat "$f"); do
		kb=$(sed -n 's/^VmHWM:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$p/status" 2>/dev/null || true)
		# and what is the process's own: its proportional share
		# (shared library pages divided among their users), and its
		# private dirty pages
		pss=$(sed -n 's/^Pss:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$p/smaps_rollup" 2>/dev/null || true)
		prv=$(sed -n 's/^Private_Dirty:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$p/smaps_rollup" 2>/dev/null || true)
		[ -n "$kb" ] && echo "$name $p $kb ${pss:-0} ${prv:-0}"
	done
done > "$out/rss.txt"

# --- the results and the report --------------------------------------------
# BENCH_RAW=DIR keeps the raw figures (report.py can be rerun on them)
[ -z "${BENCH_RAW:-}" ] || { mkdir -p "$BENCH_RAW"; cp "$out"/* "$BENCH_RAW"/; }
python3 bench/report.py "$out" bench
echo "bench: wrote bench/results.json and bench/report.md"
