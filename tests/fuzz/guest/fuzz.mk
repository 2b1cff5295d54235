# fuzz.mk — the guest-side fuzzer kernel (tests/fuzz/guest/randcode.c): a multiboot
# ELF in $(BUILD)/tests/fuzz/ built like the differential kernels (tests/diff/tests.mk),
# from the same runtime (rt.c), descriptor tables (sys.c) and linker script, and run
# under every configuration by scripts/fuzz-guest.sh and scripts/test-fuzz-guest.sh.
BUILD ?= build
FUZZK_CFLAGS := -m32 -O2 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-mgeneral-regs-only -fno-builtin -Wall -Wextra -Itests/diff
FUZZK_LDFLAGS := -m32 -nostdlib -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
	-Wl,-T,tests/diff/link.ld
FUZZK_DEPS := tests/diff/rt.c tests/diff/rt.h tests/diff/sys.c tests/diff/sys.h \
	tests/diff/link.ld tests/fuzz/guest/fuzz.mk

.PHONY: fuzz-kernels
fuzz-kernels: $(BUILD)/tests/fuzz/randcode.elf

$(BUILD)/tests/fuzz/randcode.elf: tests/fuzz/guest/randcode.c tests/fuzz/guest/gen.c tests/fuzz/guest/gen.h $(FUZZK_DEPS)
	@mkdir -p $(dir $@)
	gcc $(FUZZK_CFLAGS) -Itests/fuzz/guest $(FUZZK_LDFLAGS) tests/diff/rt.c tests/diff/sys.c \
		tests/fuzz/guest/gen.c $< -o $@

# make fuzz-guest: the long run of the guest fuzzer (FUZZ_GUEST_SEEDS seeds from
# FUZZ_GUEST_FROM, both rings, every configuration); see scripts/fuzz-guest.sh.
FUZZ_GUEST_SEEDS ?= 200
FUZZ_GUEST_FROM ?= 1000
.PHONY: fuzz-guest
fuzz-guest: $(BUILD)/bench fuzz-kernels
	BUILD=$(BUILD) BENCH=$(BUILD)/bench scripts/fuzz-guest.sh --seeds $(FUZZ_GUEST_SEEDS) \
		--from $(FUZZ_GUEST_FROM) --modes "0 3"
