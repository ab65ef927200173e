# stockhub: see README.md. `make run` and `make test` do everything on a
# fresh Debian 12 machine, including installing the packages below.

# Debian packages the build, the tests and `make run` need (README says why).
DEB_PKGS = build-essential pkg-config libfcgi-dev libcurl4-openssl-dev \
	libjansson-dev libmariadb-dev libssl-dev libcmocka-dev libargon2-dev \
	mariadb-server mariadb-client nginx-light spawn-fcgi curl python3-jsonschema \
	libcsv-dev wrk chromium nodejs

PC_PKGS = libmariadb jansson libcurl fcgi openssl libargon2

CC      ?= cc
BUILD   ?= build
SAN     ?=
PORT    ?= 8080

WARN    = -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
	  -Wwrite-strings -Wshadow -Wformat=2 -Wno-format-nonliteral
CFLAGS  ?= -g -O2
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	$(CFLAGS) $(WARN) -Ilib -Itests -Isandbox $(shell pkg-config --cflags $(PC_PKGS) 2>/dev/null)
LIBS    = $(shell pkg-config --libs $(PC_PKGS) 2>/dev/null)
# libcsv (the SKU map CSV) has no pkg-config file
LIBS   += -lcsv
# libm: lib/bufrec (Poisson tails)
LIBS   += -lm
ifneq ($(SAN),)
ALL_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -O1
SAN_LDFLAGS = -fsanitize=address,undefined
endif

LIB_SRCS   = $(sort $(wildcard lib/*.c))
LIB_OBJS   = $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIBA       = $(BUILD)/libstockhub.a
CGI_SRCS   = $(sort $(wildcard cgi-bin/*.c))
CGI_PROGS  = $(CGI_SRCS:cgi-bin/%.c=$(BUILD)/bin/%)
CLI_PROGS  = $(BUILD)/bin/stockhub
# the sandbox marketplaces: emu*.c is their shared frame, every other
# sandbox/*.c is one marketplace's program
SBX_LIB_SRCS = $(sort $(wildcard sandbox/emu*.c))
SBX_LIB_OBJS = $(SBX_LIB_SRCS:%.c=$(BUILD)/%.o)
SBXA       = $(BUILD)/libsandbox.a
SBX_SRCS   = $(filter-out $(SBX_LIB_SRCS),$(sort $(wildcard sandbox/*.c)))
SBX_PROGS  = $(SBX_SRCS:sandbox/%.c=$(BUILD)/bin/sandbox-%)
UNIT_SRCS  = $(sort $(wildcard tests/unit/test_*.c))
UNIT_PROGS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
INT_SRCS   = $(sort $(wildcard tests/integration/test_*.c))
INT_PROGS  = $(INT_SRCS:tests/integration/%.c=$(BUILD)/tests/integration/%)
E2E_SRCS   = $(sort $(wildcard tests/e2e/test_*.c))
E2E_PROGS  = $(E2E_SRCS:tests/e2e/%.c=$(BUILD)/tests/e2e/%)
TEST_SUPPORT = $(BUILD)/tests/support.o
# make bench's drivers (they reuse the tests' sandbox helpers)
BENCH_SRCS = $(sort $(wildcard bench/*.c))
BENCH_PROGS = $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
# the oversell simulator (sim/, `make sim`); not in bin/, which holds the
# FastCGI programs the stack starts
SIM_SRCS   = $(sort $(wildcard sim/*.c))
SIM_OBJS   = $(SIM_SRCS:%.c=$(BUILD)/%.o)
SIM_PROG   = $(BUILD)/simulator

.SECONDARY:

.PHONY: all progs build build-asan deps test unit run stop clean lint bench sim

all: progs $(UNIT_PROGS) $(INT_PROGS) $(E2E_PROGS) $(BENCH_PROGS) $(SIM_PROG)

# the programs only, without the tests (what `make run` needs)
progs: $(CGI_PROGS) $(CLI_PROGS) $(SBX_PROGS)

build: deps
	@$(MAKE) --no-print-directory all

build-asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 all

# Install what is missing; nothing when everything is there already.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	command -v npm > /dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBA): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/cgi-bin/%.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_LDFLAGS) -o $@ $^ $(LIBS)

$(SBXA): $(SBX_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/bin/sandbox-%: $(BUILD)/sandbox/%.o $(SBXA) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_LDFLAGS) -o $@ $^ $(LIBS) -lm

$(BUILD)/bin/stockhub: $(BUILD)/cli/stockhub.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_LDFLAGS) -o $@ $^ $(LIBS)

$(SIM_PROG): $(SIM_OBJS) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_LDFLAGS) -o $@ $^ $(LIBS) -lcmocka

$(BUILD)/tests/integration/%: $(BUILD)/tests/integration/%.o $(TEST_SUPPORT) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_LDFLAGS) -o $@ $^ $(LIBS) -lcmocka

$(BUILD)/tests/e2e/%: $(BUILD)/tests/e2e/%.o $(BUILD)/tests/httpc.o $(BUILD)/tests/sbx.o $(TEST_SUPPORT) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_LDFLAGS) -o $@ $^ $(LIBS) -lcmocka

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(BUILD)/tests/httpc.o $(BUILD)/tests/sbx.o $(TEST_SUPPORT) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_LDFLAGS) -o $@ $^ $(LIBS) -lcmocka
# The browser tests' npm module (playwright-core, pinned by the lock file).
BROWSER_MODULES = tests/browser/node_modules/.package-lock.json
$(BROWSER_MODULES): tests/browser/package.json tests/browser/package-lock.json | deps
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
test: $(BROWSER_MODULES)

# Unit tests only: no database, no server (quick loop while coding).
unit: all
	@tests/tap.sh $(UNIT_PROGS)

# The whole suite, twice: the plain build, then AddressSanitizer + UBSan.
test: deps lint
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 all
	@tests/run.sh build build/asan

# Measurements on the real stack (see README "Benchmarks").
bench: deps
	@$(MAKE) --no-print-directory progs $(BENCH_PROGS)
	@bench/run.sh

# The oversell simulator: a month, four policies, on a private MariaDB
# (see README "Simulator"); writes bench/sim-results.json and
# bench/sim-report.md with its charts.
sim: deps
	@$(MAKE) --no-print-directory $(SIM_PROG)
	@sim/run.sh $(SIM_PROG)

run: deps
	@$(MAKE) --no-print-directory progs
	@tools/stack.sh start var $(PORT)

stop:
	@tools/stack.sh stop var

# Banned calls and SQL sent as text fail the lint (see README).
lint:
	@! grep -nE '\b(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol|strtok)\s*\(' lib/*.[ch] cgi-bin/*.c cli/*.c sandbox/*.[ch] tests/*.[ch] tests/*/*.c bench/*.c
	@! grep -nE 'mysql_(real_)?query\s*\(' lib/*.c cgi-bin/*.c cli/*.c sandbox/*.c tests/*.c tests/*/*.c bench/*.c
	@! grep -nE '\b(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol|strtok)\s*\(' sim/*.[ch]
	@! grep -nE 'mysql_(real_)?query\s*\(' sim/*.c

clean:
	rm -rf build

-include $(LIB_OBJS:.o=.d) $(wildcard $(BUILD)/cgi-bin/*.d $(BUILD)/cli/*.d $(BUILD)/sandbox/*.d $(BUILD)/tests/*.d $(BUILD)/tests/*/*.d $(BUILD)/bench/*.d $(BUILD)/sim/*.d)
