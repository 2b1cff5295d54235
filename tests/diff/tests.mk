# tests.mk — the differential test kernels (tests/diff/*.c), each a multiboot ELF in
# $(BUILD)/tests/diff/, run on QEMU and on ringlab by scripts/test-diff.sh.
BUILD ?= build
DIFFK_CFLAGS := -m32 -O2 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-mgeneral-regs-only -fno-builtin -Wall -Wextra -Itests/diff
DIFFK_LDFLAGS := -m32 -nostdlib -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-T,tests/diff/link.ld
DIFFK_NAMES := $(filter-out rt sys,$(basename $(notdir $(wildcard tests/diff/*.c))))
DIFFK_ELFS := $(DIFFK_NAMES:%=$(BUILD)/tests/diff/%.elf)

.PHONY: diff-kernels
diff-kernels: $(DIFFK_ELFS)

$(BUILD)/tests/diff/%.elf: tests/diff/%.c tests/diff/rt.c tests/diff/rt.h tests/diff/sys.c tests/diff/sys.h tests/diff/link.ld tests/diff/tests.mk
	@mkdir -p $(dir $@)
	gcc $(DIFFK_CFLAGS) $(DIFFK_LDFLAGS) tests/diff/rt.c tests/diff/sys.c $< -o $@
