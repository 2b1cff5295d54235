# boot.mk — the tiny kernels scripts/test-boot.sh uses to check bench boot's statuses.
BUILD ?= build
BOOTK_DIR := $(BUILD)/tests/boot
BOOTK_KINDS := exit7:1 halt:2 triple:3 spin:4
BOOTK_ELFS := $(foreach k,$(BOOTK_KINDS),$(BOOTK_DIR)/$(word 1,$(subst :, ,$(k))).elf)

.PHONY: boot-kernels
boot-kernels: $(BOOTK_ELFS)

$(BOOTK_DIR)/%.elf: tests/boot/mb.S tests/boot/boot.mk
	@mkdir -p $(dir $@)
	gcc -m32 -nostdlib -ffreestanding -no-pie -fno-pic -Wl,--build-id=none -Wl,-Ttext=0x100000 \
		-DKIND=$(word 2,$(subst :, ,$(filter $*:%,$(BOOTK_KINDS)))) $< -o $@

BOOTK_ELFS += $(BOOTK_DIR)/mbinfo.elf
boot-kernels: $(BOOTK_DIR)/mbinfo.elf
$(BOOTK_DIR)/mbinfo.elf: tests/boot/mbinfo.c tests/boot/boot.mk
	@mkdir -p $(dir $@)
	gcc -m32 -O2 -Wall -Wextra -ffreestanding -fno-pic -fno-pie -no-pie -nostdlib \
		-fno-stack-protector -mgeneral-regs-only -Wl,--build-id=none -Wl,-Ttext=0x100000 $< -o $@

# a hostile paravirtual guest for the pv block backend (pvabi.h from the guest kernel)
BOOTK_ELFS += $(BOOTK_DIR)/pvring.elf
boot-kernels: $(BOOTK_DIR)/pvring.elf
$(BOOTK_DIR)/pvring.elf: tests/boot/pvring.c guest/kernel/pvabi.h tests/boot/boot.mk
	@mkdir -p $(dir $@)
	gcc -m32 -O2 -Wall -Wextra -ffreestanding -fno-pic -fno-pie -no-pie -nostdlib -Iguest/kernel \
		-fno-stack-protector -mgeneral-regs-only -Wl,--build-id=none -Wl,-Ttext=0x100000 $< -o $@
