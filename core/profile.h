/*
 * profile.h — a CPU profile: the primitive costs of one real CPU (DESIGN §4).
 *
 * A profile is a Lua file in profiles/ that names a CPU and gives, for every primitive
 * below, a value and its source:
 *
 *     insn = { alu = { 1, src = "estimate" }, ... }
 *
 * Primitives only, never outcomes: there is no "cost of a page fault under hvm/shadow";
 * that is what a run produces. Every value carries `src` (a paper, table or vendor
 * document) or the word "estimate"; the loader refuses a value without one, an unknown
 * key (a typo would otherwise silently keep a default) and a missing key.
 *
 * The list is an X-macro so that the enum, the dotted Lua names and the help text are
 * written once: X(ID, "dotted.name", "what it is").
 */
#ifndef RINGLAB_PROFILE_H
#define RINGLAB_PROFILE_H

#include "types.h"

#define PROFILE_PRIMITIVES(X)                                                              \
	X(P_HZ, "cpu.hz", "core clock in Hz; converts modeled cycles to device time")      \
	X(P_INSN_ALU, "insn.alu", "register ALU op, LEA, MOVZX/SX, SETcc, CMOVcc")          \
	X(P_INSN_MOV, "insn.mov", "register or immediate move")                            \
	X(P_INSN_LOAD, "insn.load", "extra for a memory source operand")                   \
	X(P_INSN_STORE, "insn.store", "extra for a memory destination operand")            \
	X(P_INSN_STACK, "insn.stack", "PUSH or POP")                                       \
	X(P_INSN_BRANCH, "insn.branch", "direct JMP or Jcc")                               \
	X(P_INSN_CALL_RET, "insn.call_ret", "CALL or RET (the pair costs twice this)")     \
	X(P_INSN_INDIRECT, "insn.indirect", "extra for an indirect JMP or CALL")           \
	X(P_INSN_SHIFT, "insn.shift", "shift, rotate, bit test, bit scan")                 \
	X(P_INSN_MUL, "insn.mul", "integer multiply")                                      \
	X(P_INSN_DIV, "insn.div", "integer divide")                                        \
	X(P_INSN_STRING, "insn.string", "one iteration of a string instruction")           \
	X(P_INSN_LOCKED, "insn.locked", "extra for a locked read-modify-write (XCHG mem)") \
	X(P_INSN_SEGLOAD, "insn.segload", "segment register load (MOV/POP Sreg, LDS...)")  \
	X(P_SYS_CLI_STI, "sys.cli_sti", "CLI or STI")                                      \
	X(P_SYS_PUSHF_POPF, "sys.pushf_popf", "PUSHF or POPF")                             \
	X(P_SYS_CR_READ, "sys.cr_read", "MOV from a control register")                     \
	X(P_SYS_CR0_WRITE, "sys.cr0_write", "MOV to CR0 or LMSW or CLTS")                  \
	X(P_SYS_CR3_WRITE, "sys.cr3_write", "MOV to CR3 (TLB flush cost is separate)")     \
	X(P_SYS_CR4_WRITE, "sys.cr4_write", "MOV to CR4")                                  \
	X(P_SYS_INVLPG, "sys.invlpg", "INVLPG")                                            \
	X(P_SYS_DESC_LOAD, "sys.desc_load", "LGDT, LIDT, LLDT, LTR")                       \
	X(P_SYS_DESC_STORE, "sys.desc_store", "SGDT, SIDT, SLDT, STR, SMSW")               \
	X(P_SYS_SEG_CHECK, "sys.seg_check", "LAR, LSL, VERR, VERW")                        \
	X(P_SYS_CPUID, "sys.cpuid", "CPUID")                                               \
	X(P_SYS_RDTSC, "sys.rdtsc", "RDTSC")                                               \
	X(P_SYS_MSR, "sys.msr", "RDMSR or WRMSR")                                          \
	X(P_SYS_HLT, "sys.hlt", "HLT (entering the halt state)")                           \
	X(P_SYS_IO, "sys.io", "IN/OUT instruction overhead, device latency excluded")      \
	X(P_SYS_FAR, "sys.far", "far JMP, CALL or RET")                                    \
	X(P_SYS_SYSENTER, "sys.sysenter", "SYSENTER or SYSEXIT")                           \
	X(P_SYS_WBINVD, "sys.wbinvd", "WBINVD or INVD")                                    \
	X(P_TRAP_EXCEPTION, "trap.exception", "exception or INT n delivery, same ring")    \
	X(P_TRAP_INTERRUPT, "trap.interrupt", "external interrupt delivery, same ring")    \
	X(P_TRAP_RING_SWITCH, "trap.ring_switch", "extra for a TSS stack switch")          \
	X(P_TRAP_IRET, "trap.iret", "IRET")                                                \
	X(P_MEM_WALK_REF, "mem.walk_ref", "one memory reference of a page walk")           \
	X(P_TLB_FLUSH, "tlb.flush", "a full non-global TLB flush (CR3 write)")             \
	X(P_TLB_ITLB_ENTRIES, "tlb.itlb_entries", "instruction TLB entries")               \
	X(P_TLB_ITLB_WAYS, "tlb.itlb_ways", "instruction TLB ways (= entries: fully assoc)") \
	X(P_TLB_DTLB_ENTRIES, "tlb.dtlb_entries", "data TLB entries")                      \
	X(P_TLB_DTLB_WAYS, "tlb.dtlb_ways", "data TLB ways (= entries: fully assoc)")      \
	X(P_TLB_GLOBAL, "tlb.global_pages", "1 if CR4.PGE global pages exist")             \
	X(P_IO_POST, "io.post", "native latency of a port 0x80 access")                    \
	X(P_IO_UART, "io.uart", "native latency of a 16550 register access")               \
	X(P_IO_PIC, "io.pic", "native latency of an 8259 register access")                \
	X(P_IO_PIT, "io.pit", "native latency of an 8254 register access")                 \
	X(P_IO_ATA, "io.ata", "native latency of an ATA register access")                  \
	X(P_IO_EXIT, "io.exit", "native latency of the isa-debug-exit port")               \
	X(P_VMX_EXIT, "vmx.exit", "VM exit latency (hardware transition)")                 \
	X(P_VMX_ENTRY, "vmx.entry", "VM entry latency (hardware transition)")              \
	X(P_VMX_NESTED, "vmx.nested_paging", "1 if the CPU has EPT/NPT")                   \
	X(P_VMX_VPID, "vmx.vpid", "1 if the CPU has tagged TLBs (VPID/ASID)")              \
	X(P_VMX_NWC, "vmx.nested_walk_cache", "nested paging-structure cache entries (0: none)") \
	X(P_BT_CALLOUT, "bt.callout", "transition from translated code into the VMM and back") \
	X(P_BT_TRANSLATE_INSN, "bt.translate_insn", "translating one guest instruction into the TC") \
	X(P_BT_VCPU_OP, "bt.vcpu_op", "VMM software: a callout's operation on the virtual CPU, decoded at translation") \
	X(P_VMM_HANDLER, "vmm.handler", "VMM software: entering an exit handler")          \
	X(P_VMM_EMULATE, "vmm.emulate_insn", "VMM software: decoding and emulating one insn") \
	X(P_VMM_PTE_READ, "vmm.pte_read", "VMM software: reading one guest PTE")           \
	X(P_VMM_PTE_WRITE, "vmm.pte_write", "VMM software: writing one shadow PTE")        \
	X(P_VMM_PTE_SCAN, "vmm.pte_scan", "VMM software: one entry of a page table scanned whole, in order") \
	X(P_VMM_IO, "vmm.io_emulate", "VMM software: one emulated device register access") \
	X(P_PV_BLK_REQUEST, "pv.blk_request", "pv VMM software: one block request from the ring") \
	X(P_PV_BLK_SECTOR, "pv.blk_sector", "pv VMM software: one 512-byte sector copied to or from guest memory")

enum profile_primitive {
#define PROFILE_ENUM(id, name, help) id,
	PROFILE_PRIMITIVES(PROFILE_ENUM)
#undef PROFILE_ENUM
	P_COUNT
};

#define PROFILE_SRC_MAX 160

struct profile {
	char name[64];  /* the file's `name`, e.g. "p4-2006" */
	char cpu[128];  /* the file's `cpu`, e.g. "Intel Pentium 4 672 (Prescott), 3.8 GHz" */
	char path[512]; /* where it was loaded from */
	u64 v[P_COUNT];
	char src[P_COUNT][PROFILE_SRC_MAX];
};

/* Load the profile at `path`. On error returns -1 and writes one line (file:line: what)
 * into `err`; on success returns 0. */
int profile_load(struct profile *p, const char *path, char *err, size_t errlen);

/* Resolve a profile name ("p4-2006") or path to a file under `dir` and load it. */
int profile_load_named(struct profile *p, const char *dir, const char *name, char *err,
		       size_t errlen);

/* Return the dotted name of a primitive ("insn.alu"). */
const char *profile_primitive_name(enum profile_primitive id);

/* Range checks at load time (values are u64 in the file but some are kept in 32 bits):
 * a cost (every primitive not named below) is at most PROFILE_COST_MAX modeled cycles;
 * cpu.hz lies in PROFILE_HZ_MIN..PROFILE_HZ_MAX; TLB entries 1..PROFILE_TLB_MAX with
 * ways 1..255 dividing them; a "1 if ..." primitive is 0 or 1; the nested walk cache
 * has at most PROFILE_NWC_MAX entries. */
#define PROFILE_COST_MAX 10000000ull
#define PROFILE_HZ_MIN 1000000ull
#define PROFILE_HZ_MAX 100000000000ull
#define PROFILE_TLB_MAX 4096u
#define PROFILE_NWC_MAX 256u

/*
 * The Lua sandbox every user-written chunk runs in (profiles here, workloads and their
 * derived metrics in harness/workload.c): only the base, string and math libraries
 * (and table when asked), text chunks only (load is forced to mode "t"; loadfile,
 * dofile and string.dump are gone), `print` writes to stderr (never into a data
 * stream on stdout), no __gc finalizers (they would run outside the limits), at most
 * SANDBOX_MEM bytes of Lua memory and SANDBOX_INSNS Lua instructions per chunk or
 * call. Errors come back as one line naming the file.
 */
#define SANDBOX_MEM (64u << 20)
#define SANDBOX_INSNS 10000000L

struct lua_State;

/* A fresh sandboxed state for the file `path` (kept for messages); NULL if out of memory. */
struct lua_State *sandbox_new(const char *path, bool with_table);

/* Load the text chunk at the state's path and run it; 0 leaves `nresults` values on
 * the stack, -1 writes one line (file[:line]: what) into err. */
int sandbox_run_file(struct lua_State *L, int nresults, char *err, size_t errlen);

/* lua_pcall within the limits (the instruction count starts again); 0 or -1 with err. */
int sandbox_call(struct lua_State *L, int nargs, int nresults, char *err, size_t errlen);

/* Push t[key] of the table at idx without metamethods (C code must never run Lua code
 * unprotected); returns the value's type. */
int sandbox_rawfield(struct lua_State *L, int idx, const char *key);

/* Close a state made by sandbox_new (NULL is fine). */
void sandbox_close(struct lua_State *L);

#endif
