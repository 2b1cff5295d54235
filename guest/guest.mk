# guest.mk — the guest kernel and its user programs, built into $(BUILD)/guest/.
# Included by the top Makefile (target `guest`); works alone: make -f guest/guest.mk guest
BUILD ?= build
GUEST_OUT := $(BUILD)/guest
GUEST_CC := gcc
GUEST_CFLAGS := -m32 -O2 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-mgeneral-regs-only -fno-builtin -fno-strict-aliasing -nostdlib -Wall -Wextra \
	-Wno-unused-parameter -Iguest/kernel
GUEST_LDFLAGS := -m32 -nostdlib -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-z,noexecstack
GUEST_LIBGCC := $(shell $(GUEST_CC) -m32 -print-libgcc-file-name)

GUEST_KSRC := $(wildcard guest/kernel/*.c) $(filter-out guest/kernel/images.S,$(wildcard guest/kernel/*.S))
GUEST_USRC := guest/user/start.S guest/user/main.c guest/user/nano.c guest/user/macro.c \
	guest/user/selftest.c guest/user/sensitive.c guest/lib/ulib.c
GUEST_HSRC := guest/user/start.S guest/user/hello.c guest/lib/ulib.c
GUEST_HDRS := $(wildcard guest/kernel/*.h guest/lib/*.h guest/user/*.h)

.PHONY: guest
guest: $(GUEST_OUT)/kernel.elf

$(GUEST_OUT)/user.elf: $(GUEST_USRC) $(GUEST_HDRS) guest/user/user.ld guest/guest.mk
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -Wl,-T,guest/user/user.ld $(GUEST_USRC) $(GUEST_LIBGCC) -o $@

$(GUEST_OUT)/hello.elf: $(GUEST_HSRC) $(GUEST_HDRS) guest/user/user.ld guest/guest.mk
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -Wl,-T,guest/user/user.ld $(GUEST_HSRC) $(GUEST_LIBGCC) -o $@

$(GUEST_OUT)/%.bin: $(GUEST_OUT)/%.elf
	objcopy -O binary $< $@

$(GUEST_OUT)/kernel.elf: $(GUEST_KSRC) guest/kernel/images.S $(GUEST_HDRS) guest/kernel/kernel.ld \
		$(GUEST_OUT)/user.bin $(GUEST_OUT)/hello.bin guest/guest.mk
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -Wa,-I$(GUEST_OUT) -Wl,-T,guest/kernel/kernel.ld \
		$(GUEST_KSRC) guest/kernel/images.S $(GUEST_LIBGCC) -o $@
