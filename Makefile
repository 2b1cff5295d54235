# ringlab — build, test and run.
#
#   make            build the testbed (build/bench), the guest and the test kernels
#   make run        install missing packages, build, and run the first benchmark
#   make test       install missing packages, build, run every test
#   make asan       the same tests with AddressSanitizer + UBSan (in build-asan/)
#   make fuzz       the libFuzzer targets for FUZZ_SECONDS each, then the guest fuzzer
#   make install    install bench into $(PREFIX)/bin
#   make deps       install missing Debian packages (scripts/deps.sh)
#   make clean

BUILD   ?= build
PREFIX  ?= /usr/local
CC      ?= gcc
OPT     ?= -O2
SAN     ?=

WARN := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wpointer-arith \
	-Wwrite-strings -Wformat=2 -Wundef -Wredundant-decls -Wnested-externs \
	-Wold-style-definition -Wvla -Wno-unused-parameter
# Capstone (bench translate's disassembler) through pkg-config, as Debian packages it
CAPSTONE_CFLAGS := $(shell pkg-config --cflags capstone 2>/dev/null)
CAPSTONE_LIBS   := $(or $(shell pkg-config --libs capstone 2>/dev/null),-lcapstone)
# No SLP vectorization: it packs the lazy-flag record's stores (cc_set) into SSE moves,
# three host instructions more in every flag-setting handler (issue 13)
CFLAGS  := -std=gnu11 $(OPT) -fno-tree-slp-vectorize -g $(WARN) -I. -MMD -MP $(SAN) $(CAPSTONE_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(SAN)
LIBS    := -llua5.4 -lsqlite3 -lpapi -lm $(CAPSTONE_LIBS)

LIB_SRC   := $(sort $(wildcard core/*.c devices/*.c vmm/*.c engines/*/*.c mmu/*/*.c))
BENCH_SRC := $(sort $(wildcard harness/*.c))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
BENCH_OBJ := $(BENCH_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)

.PHONY: all run test unit integration asan install deps clean fuzz
BUILD_TARGETS := $(BUILD)/libringlab.a $(if $(BENCH_SRC),$(BUILD)/bench) \
	$(if $(wildcard guest/guest.mk),guest) $(if $(wildcard tests/guest/tests.mk),test-kernels) boot-kernels diff-kernels \
	$(if $(wildcard tests/pv/tests.mk),pv-kernels) \
	$(if $(wildcard tests/fuzz/guest/fuzz.mk),fuzz-kernels)
all: $(BUILD_TARGETS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libringlab.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/bench: $(BENCH_OBJ) $(BUILD)/libringlab.a
	$(CC) $(LDFLAGS) $(BENCH_OBJ) $(BUILD)/libringlab.a $(LIBS) -o $@

# the harness without main(), for its unit tests
$(BUILD)/libharness.a: $(filter-out %/main.o,$(BENCH_OBJ))
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libharness.a $(BUILD)/libringlab.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(BUILD)/libharness.a $(BUILD)/libringlab.a $(LIBS) -lcmocka -o $@

include $(wildcard guest/guest.mk tests/guest/tests.mk tests/boot/boot.mk tests/diff/tests.mk tests/pv/tests.mk \
	tests/fuzz/guest/fuzz.mk tests/fuzz/lib/fuzz.mk)

deps:
	@scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/bench run syscall-heavy

unit: $(UNIT_BIN) $(if $(wildcard guest/guest.mk),guest)
	@BUILD=$(BUILD) scripts/run-unit.sh $(UNIT_BIN)

integration: all
	@BUILD=$(BUILD) BENCH=$(BUILD)/bench scripts/run-integration.sh

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory integration

asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -DRINGLAB_CHECK" \
		all unit integration

fuzz: fuzz-lib fuzz-guest

install: $(BUILD)/bench
	install -D -m 755 $(BUILD)/bench $(DESTDIR)$(PREFIX)/bin/ringlab-bench

clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(BENCH_OBJ:.o=.d) $(UNIT_BIN:=.d)
