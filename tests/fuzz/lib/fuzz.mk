# fuzz.mk — libFuzzer targets for what ringlab reads from outside (issue 10): the
# instruction decoder, the multiboot/ELF loader, the profile and workload loaders and
# the results database reader. Included by the top Makefile.
#
#   make fuzz-lib     build them and fuzz each for FUZZ_SECONDS (default 60)
#                     (`make fuzz` runs this and the guest fuzzer, fuzz-guest)
#   make fuzz-slice   build them, replay every saved corpus file once, then a short
#                     fixed-seed run (-runs=FUZZ_RUNS -seed=1) per target: deterministic,
#                     under a minute; scripts/test-fuzz-lib.sh runs it under `make test`
#   make fuzz-build   build only
#
# The targets are tests/fuzz/lib/fuzz_<name>.c; their corpora tests/fuzz/corpus/<name>/
# (seed-* and copied real files: inputs that must be handled; crash-* files:
# reproducers of findings, which must be handled too once fixed). Everything is built
# with clang, -fsanitize=fuzzer,address,undefined, the library code included, in its
# own object directory ($(BUILD)/fuzz/obj/): gcc's objects are not reused. New corpus
# entries found by `make fuzz` go to $(BUILD)/fuzz/corpus/<name>/, crash, timeout, leak
# and out-of-memory inputs to $(BUILD)/fuzz/artifacts/<name>/; copy the ones worth
# keeping into the committed corpus. FUZZ_FLAGS adds libFuzzer flags (e.g. -fork=2
# -ignore_crashes=1 to keep going past a known crash); FUZZ_TARGETS picks targets.
# tests/fuzz/lib/run.sh does the running; the per-target -max_len is there.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_RUNS    ?= 2000
FUZZ_FLAGS   ?=
FUZZ_TARGETS ?= decode loader profile workload results

FUZZ_DIR    := $(BUILD)/fuzz
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=gnu11 -O1 -g $(WARN) -I. -MMD -MP $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_LIB_OBJ     := $(LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_HARNESS_OBJ := $(filter-out %/main.o,$(BENCH_SRC:%.c=$(FUZZ_DIR)/obj/%.o))
FUZZ_BINS        := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

.PHONY: fuzz-lib fuzz-slice fuzz-build fuzz-clang
fuzz-clang:
	@command -v $(FUZZ_CC) >/dev/null || { \
		echo "ringlab: $(FUZZ_CC) is not installed: the libFuzzer targets need it (make deps)" >&2; \
		exit 1; }

fuzz-build: fuzz-clang $(FUZZ_BINS)

$(FUZZ_DIR)/obj/%.o: %.c | fuzz-clang
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/libringlab.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/libharness.a: $(FUZZ_HARNESS_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/lib/fuzz_%.c tests/fuzz/lib/fuzz.h tests/unit/cpu_bare.h $(FUZZ_DIR)/libharness.a $(FUZZ_DIR)/libringlab.a | fuzz-clang
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_DIR)/libharness.a $(FUZZ_DIR)/libringlab.a \
		$(LIBS) -o $@

fuzz-lib: fuzz-build
	@tests/fuzz/lib/run.sh fuzz $(FUZZ_DIR) $(FUZZ_SECONDS) "$(FUZZ_FLAGS)" $(FUZZ_TARGETS)

fuzz-slice: fuzz-build
	@tests/fuzz/lib/run.sh slice $(FUZZ_DIR) $(FUZZ_RUNS) "$(FUZZ_FLAGS)" $(FUZZ_TARGETS)

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_HARNESS_OBJ:.o=.d) $(FUZZ_BINS:=.d)
