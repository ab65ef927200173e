#!/bin/sh
# Start and stop a private stockhub stack in one directory: its own MariaDB
# (unix socket only, no TCP), the FastCGI programs under spawn-fcgi, and
# nginx. Nothing outside DIR is written; no system service is touched.
#
#   tools/stack.sh start DIR PORT [BUILD]   everything (make run)
#   tools/stack.sh db-start DIR             MariaDB + database + migrations
#   tools/stack.sh web-start DIR PORT BUILD FastCGI programs + nginx
#   tools/stack.sh web-stop DIR
#   tools/stack.sh stop-db DIR              MariaDB only
#   tools/stack.sh stop DIR                 everything that runs from DIR
#
# Running start twice is safe: what is running already is left alone.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|db-start|web-start|web-stop|stop DIR [PORT] [BUILD]" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
me=$(id -un)

die() { echo "stack: $*" >&2; exit 1; }

randhex() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }

# A pid file may list several processes (spawn-fcgi -F n): alive while
# any of them is.
alive() {
	[ -f "$1" ] || return 1
	for p in $(cat "$1" 2>/dev/null); do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}

# The client as the database's administrator: root, or the user who ran
# mariadb-install-db, both by unix socket authentication.
admin_sql() {
	mariadb --no-defaults --socket="$dir/run/mysqld.sock" -u "$me" "$@"
}

write_config() {
	[ -f "$dir/secrets.conf" ] || {
		umask 077
		cat > "$dir/secrets.conf" <<EOS
# Secrets of this local stack, made by tools/stack.sh. Mode 0600.
db_password = $(randhex)
timer_token = $(randhex)
api_token = $(randhex)
master_key = $(randhex)
EOS
		umask 022
	}
	# stacks made before master_key existed get one
	grep -q '^master_key' "$dir/secrets.conf" ||
	    echo "master_key = $(randhex)" >> "$dir/secrets.conf"
	[ -f "$dir/stockhub.conf" ] || cat > "$dir/stockhub.conf" <<EOC
# Local stack configuration, made by tools/stack.sh from
# stockhub.conf.example. See that file for every key.
db_socket = $dir/run/mysqld.sock
db_name = stockhub
db_user = stockhub
secrets_file = $dir/secrets.conf
public_base_url = http://127.0.0.1:${port:-8080}
http_listen = 127.0.0.1:${port:-8080}
sql_dir = $top/sql
EOC
}

db_start() {
	mkdir -p "$dir/db" "$dir/run" "$dir/log" "$dir/tmp"
	write_config
	cat > "$dir/my.cnf" <<EOF2
[mysqld]
datadir = $dir/db
socket = $dir/run/mysqld.sock
pid-file = $dir/run/mysqld.pid
log-error = $dir/log/mysqld.log
tmpdir = $dir/tmp
skip-networking
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
# no committed sale may be lost in a crash (the programs check this)
innodb_flush_log_at_trx_commit = 1
innodb_buffer_pool_size = 64M
innodb_log_file_size = 32M
max_connections = 200
EOF2
	if alive "$dir/run/mysqld.pid"; then
		echo "MariaDB already running ($dir/run/mysqld.sock)"
	else
		if [ ! -d "$dir/db/mysql" ]; then
			mariadb-install-db --defaults-file="$dir/my.cnf" \
			    --user="$me" --auth-root-authentication-method=socket \
			    --skip-test-db > "$dir/log/install-db.log" 2>&1 ||
			    { cat "$dir/log/install-db.log" >&2; die "mariadb-install-db failed"; }
		fi
		nohup mariadbd --defaults-file="$dir/my.cnf" --user="$me" \
		    > /dev/null 2>&1 &
		i=0
		until mariadb-admin --no-defaults --socket="$dir/run/mysqld.sock" \
		    -u "$me" ping > /dev/null 2>&1; do
			i=$((i + 1))
			[ $i -lt 120 ] || { tail -20 "$dir/log/mysqld.log" >&2; die "MariaDB did not start"; }
			sleep 0.25
		done
	fi
	pw=$(sed -n 's/^db_password *= *//p' "$dir/secrets.conf")
	# the application's account may create the t_* databases the
	# integration tests make for themselves
	admin_sql <<EOF2
CREATE DATABASE IF NOT EXISTS stockhub CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'stockhub'@'localhost' IDENTIFIED BY '$pw';
ALTER USER 'stockhub'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON stockhub.* TO 'stockhub'@'localhost';
GRANT ALL PRIVILEGES ON \`t\\_%\`.* TO 'stockhub'@'localhost';
EOF2
}

migrate() {
	STOCKHUB_CONFIG="$dir/stockhub.conf" "$1/bin/stockhub" migrate
}

web_start() {
	build=$1
	mkdir -p "$dir/run" "$dir/log" "$dir/tmp"
	cp "$top/nginx/fastcgi_params.conf" "$dir/fastcgi_params.conf"
	for prog in "$build"/bin/*; do
		name=$(basename "$prog")
		[ "$name" = stockhub ] && continue
		alive "$dir/run/$name.pid" && continue
		rm -f "$dir/run/$name.sock"
		# the sandboxes keep their state in one process; the hub's
		# programs run several, so a webhook is taken while another
		# worker pushes
		workers=3
		case $name in sandbox-*) workers=1 ;; esac
		STOCKHUB_CONFIG="$dir/stockhub.conf" \
		STOCKHUB_LOG_FILE="$dir/log/$name.log" \
		    spawn-fcgi -s "$dir/run/$name.sock" -M 0600 -F "$workers" \
		    -P "$dir/run/$name.pid" -- "$(cd "$build/bin" && pwd)/$name" \
		    > /dev/null || die "spawn-fcgi $name failed"
	done
	if alive "$dir/run/nginx.pid"; then
		nginx -p "$dir" -c "$dir/nginx.conf" -s reload 2>/dev/null || true
		return 0
	fi
	userline=""
	[ "$(id -u)" -eq 0 ] && userline="user root;"
	# one server per sandbox marketplace, on a fixed offset from the
	# hub's port (a new marketplace gets the next free offset)
	: > "$dir/sandboxes.conf"
	: > "$dir/sandbox.env"
	next=10
	for prog in "$build"/bin/sandbox-*; do
		[ -e "$prog" ] || continue
		name=${prog##*/sandbox-}
		case $name in
		etsy) off=1 ;; shopify) off=2 ;; ebay) off=3 ;; amazon) off=4 ;;
		*) off=$next; next=$((next + 1)) ;;
		esac
		sed -e "s|@NAME@|$name|g" -e "s|@DIR@|$dir|g" \
		    -e "s|@LISTEN@|127.0.0.1:$((port + off))|g" \
		    "$top/nginx/sandbox-server.conf.in" >> "$dir/sandboxes.conf"
		echo "SANDBOX_$(echo "$name" | tr a-z A-Z)_URL=http://127.0.0.1:$((port + off))" >> "$dir/sandbox.env"
	done
	sed -e "s|@DIR@|$dir|g" -e "s|@LISTEN@|127.0.0.1:$port|g" \
	    -e "s|@USER_LINE@|$userline|" \
	    -e "/@SANDBOX_SERVERS@/{r $dir/sandboxes.conf" -e "d}" \
	    "$top/nginx/stockhub.conf.in" > "$dir/nginx.conf"
	nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/log/nginx-error.log" \
	    2> "$dir/log/nginx-start.log" || return 1
}

stop_pidfile() {
	f=$1
	if alive "$f"; then
		pids=$(cat "$f")
		# shellcheck disable=SC2086
		kill $pids 2>/dev/null || true
		i=0
		while alive "$f" && [ $i -lt 100 ]; do
			sleep 0.1; i=$((i + 1))
		done
		# shellcheck disable=SC2086
		kill -9 $pids 2>/dev/null || true
	fi
	rm -f "$f"
}

web_stop() {
	[ -d "$dir/run" ] || return 0
	stop_pidfile "$dir/run/nginx.pid"
	for f in "$dir"/run/*.pid; do
		[ -e "$f" ] || continue
		case $(basename "$f") in mysqld.pid|nginx.pid) continue ;; esac
		stop_pidfile "$f"
		rm -f "${f%.pid}.sock"
	done
}

db_stop() {
	if alive "$dir/run/mysqld.pid"; then
		mariadb-admin --no-defaults --socket="$dir/run/mysqld.sock" \
		    -u "$me" shutdown 2>/dev/null || stop_pidfile "$dir/run/mysqld.pid"
		i=0
		while alive "$dir/run/mysqld.pid" && [ $i -lt 300 ]; do
			sleep 0.1; i=$((i + 1))
		done
	fi
}

# The demo catalog: the article's ceramic mug and friends, in the hub's
# ledger and on every sandbox marketplace. Fixed event keys make a second
# `make run` a no-op rather than a second delivery of stock.
demo() {
	hub="STOCKHUB_CONFIG=$dir/stockhub.conf"
	while read -r sku qty title; do
		env "$hub" "$1/bin/stockhub" item add "$sku" "$title" > /dev/null 2>&1 || true
		env "$hub" "$1/bin/stockhub" move "$sku" receive "$qty" \
		    "demo catalog" "demo:receive:$sku" > /dev/null 2>&1 || true
	done <<EOD
MUG-CERAMIC-01 3 Handmade ceramic mug
SCARF-WOOL-RED 5 Wool scarf, red
SCARF-WOOL-BLUE 2 Wool scarf, blue
SCARF-WOOL-GREEN 0 Wool scarf, green
GIFT-SET-01 2 Gift set: mug and scarf
EOD
	# an admin web UI account: user demo, a random password in a 0600 file
	[ -s "$dir/admin-password" ] ||
	    (umask 077; randhex | cut -c1-24 > "$dir/admin-password")
	env "$hub" "$1/bin/stockhub" user add demo < "$dir/admin-password" \
	    > /dev/null 2>&1 || true
	while IFS== read -r _ url; do
		curl -s -o /dev/null -X POST "$url/_sandbox/demo" || true
	done < "$dir/sandbox.env"
	# the sandbox Shopify shop, connected as a seller would: the account
	# (credentials on standard input), each SKU mapped by exact match,
	# the webhooks subscribed, the first push
	shop=$(sed -n 's/^SANDBOX_SHOPIFY_URL=//p' "$dir/sandbox.env")
	[ -n "$shop" ] || return 0
	cli="env $hub $1/bin/stockhub"
	printf '{"access_token":"shpat_sandbox_token","webhook_secret":"sbx-shopify-secret","location_id":"1"}' |
	    $cli account add shopify "Sandbox Shopify" "$shop" \
	    sandbox-shop.myshopify.com > /dev/null 2>&1 || true
	for sku in MUG-CERAMIC-01 SCARF-WOOL-RED SCARF-WOOL-BLUE \
	    SCARF-WOOL-GREEN GIFT-SET-01; do
		$cli shopify map "Sandbox Shopify" "$sku" > /dev/null 2>&1 || true
	done
	$cli shopify subscribe "Sandbox Shopify" > /dev/null 2>&1 || true
	$cli push > /dev/null 2>&1 || true
}

case $cmd in
start)
	port=${3:-8080}
	build=${4:-$top/build}
	db_start
	migrate "$build"
	fresh=1
	alive "$dir/run/nginx.pid" && fresh=0
	web_start "$build" || {
		cat "$dir/log/nginx-start.log" >&2
		die "nginx could not start on 127.0.0.1:$port (in use? try: make run PORT=8081)"
	}
	# a second `make run` leaves the running sandboxes' state alone
	[ "$fresh" -eq 1 ] && demo "$build"
	cat <<EOF2

stockhub is running (sandbox, local only):
  http://127.0.0.1:$port/healthz      health check
  http://127.0.0.1:$port/api/v1/      JSON API (Authorization: Bearer <api_token>)
  http://127.0.0.1:$port/admin/       admin web UI (user demo, password in $dir/admin-password)
  config        $dir/stockhub.conf
  secrets       $dir/secrets.conf (api_token is there)
  database      MariaDB on $dir/run/mysqld.sock, data in $dir/db
  logs          $dir/log/
  command line  STOCKHUB_CONFIG=$dir/stockhub.conf build/bin/stockhub
Sandbox marketplaces (emulators, not the real ones):
$(sed 's/^SANDBOX_\([A-Z]*\)_URL=/  \1  /' "$dir/sandbox.env")
Stop it all with: make stop
EOF2
	;;
db-start)
	db_start
	;;
web-start)
	port=${3:?port}
	# the config was written before the port was chosen (tests/run.sh)
	sed -i "s|^public_base_url = http://127\.0\.0\.1:[0-9]*\$|public_base_url = http://127.0.0.1:$port|" "$dir/stockhub.conf"
	web_start "${4:?build}"
	;;
web-stop)
	web_stop
	;;
stop-db)
	db_stop
	;;
stop)
	web_stop
	db_stop
	echo "stopped: $dir"
	;;
*)
	die "unknown command $cmd"
	;;
esac
