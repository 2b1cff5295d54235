# tests.mk — the pv attack kernel (tests/pv/*.c), a multiboot ELF in $(BUILD)/tests/pv/
# that attacks the pv VMM's validation; run by scripts/test-pv.sh. It is linked like
# the differential kernels (tests/diff/link.ld) and shares their rt.h.
BUILD ?= build
PVK_CFLAGS := -m32 -O2 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-mgeneral-regs-only -fno-builtin -Wall -Wextra -Wno-unused-parameter -Itests/diff
PVK_LDFLAGS := -m32 -nostdlib -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-T,tests/diff/link.ld
PVK_SRC := $(sort $(wildcard tests/pv/*.c))

.PHONY: pv-kernels
pv-kernels: $(BUILD)/tests/pv/attack.elf

$(BUILD)/tests/pv/attack.elf: $(PVK_SRC) $(wildcard tests/pv/*.h) tests/diff/rt.h tests/diff/link.ld \
		guest/kernel/pvabi.h tests/pv/tests.mk
	@mkdir -p $(dir $@)
	gcc $(PVK_CFLAGS) $(PVK_LDFLAGS) $(PVK_SRC) -o $@
