/*
 * x86.h — architectural definitions of the IA-32 processor the machine implements.
 *
 * Names follow the Intel SDM. Only what an x86-32 protected-mode machine without FPU
 * needs is here.
 *
 * A linear address under 2-level paging (4 KB pages):
 *
 *   31          22 21          12 11            0
 *  +--------------+--------------+---------------+
 *  |  PDE index   |  PTE index   | page offset   |
 *  +--------------+--------------+---------------+
 *
 * With CR4.PSE and PDE.PS a PDE maps a 4 MB page and bits 21..0 are the offset.
 */
#ifndef RINGLAB_X86_H
#define RINGLAB_X86_H

/* EFLAGS */
#define FL_CF 0x00000001u
#define FL_1 0x00000002u /* reserved, always 1 */
#define FL_PF 0x00000004u
#define FL_AF 0x00000010u
#define FL_ZF 0x00000040u
#define FL_SF 0x00000080u
#define FL_TF 0x00000100u
#define FL_IF 0x00000200u
#define FL_DF 0x00000400u
#define FL_OF 0x00000800u
#define FL_IOPL 0x00003000u
#define FL_IOPL_SHIFT 12
#define FL_NT 0x00004000u
#define FL_RF 0x00010000u
#define FL_VM 0x00020000u
#define FL_AC 0x00040000u
#define FL_VIF 0x00080000u
#define FL_VIP 0x00100000u
#define FL_ID 0x00200000u
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

/* CR0 */
#define CR0_PE 0x00000001u
#define CR0_MP 0x00000002u
#define CR0_EM 0x00000004u
#define CR0_TS 0x00000008u
#define CR0_ET 0x00000010u
#define CR0_NE 0x00000020u
#define CR0_WP 0x00010000u
#define CR0_AM 0x00040000u
#define CR0_NW 0x20000000u
#define CR0_CD 0x40000000u
#define CR0_PG 0x80000000u

/* CR4 */
#define CR4_VME 0x00000001u
#define CR4_PVI 0x00000002u
#define CR4_TSD 0x00000004u
#define CR4_DE 0x00000008u
#define CR4_PSE 0x00000010u
#define CR4_PAE 0x00000020u
#define CR4_MCE 0x00000040u
#define CR4_PGE 0x00000080u
#define CR4_PCE 0x00000100u
#define CR4_OSFXSR 0x00000200u
#define CR4_UMIP 0x00000800u

/* Page-table entries (2-level, non-PAE) */
#define PTE_P 0x001u
#define PTE_W 0x002u
#define PTE_U 0x004u
#define PTE_PWT 0x008u
#define PTE_PCD 0x010u
#define PTE_A 0x020u
#define PTE_D 0x040u
#define PTE_PS 0x080u /* in a PDE: 4 MB page */
#define PTE_G 0x100u
#define PTE_FRAME 0xfffff000u
#define PDE_FRAME_4M 0xffc00000u

/* Page-fault error code */
#define PFEC_P 0x01u    /* protection violation (else not present) */
#define PFEC_W 0x02u    /* write access */
#define PFEC_U 0x04u    /* user-mode access */
#define PFEC_RSVD 0x08u /* reserved bit set */

/* Exception vectors */
enum {
	EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5, EXC_UD = 6,
	EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12, EXC_GP = 13,
	EXC_PF = 14, EXC_MF = 16, EXC_AC = 17, EXC_MC = 18, EXC_XM = 19,
};

/* Segment descriptor attribute bits, as kept in seg.attr: bits 8..15 and 20..23 of the
 * descriptor's high dword, shifted right by 8 (type 0..3, S 4, DPL 5..6, P 7, AVL 12,
 * D/B 14, G 15). */
#define SEG_TYPE 0x000fu
#define SEG_TYPE_ACCESSED 0x0001u
#define SEG_TYPE_RW 0x0002u   /* data: writable; code: readable */
#define SEG_TYPE_EC 0x0004u   /* data: expand-down; code: conforming */
#define SEG_TYPE_CODE 0x0008u
#define SEG_S 0x0010u         /* code/data (else system) */
#define SEG_DPL_SHIFT 5
#define SEG_DPL 0x0060u
#define SEG_P 0x0080u
#define SEG_DB 0x4000u
#define SEG_G 0x8000u

/* System descriptor types (S = 0) */
enum {
	SYS_TSS16_AVAIL = 1, SYS_LDT = 2, SYS_TSS16_BUSY = 3, SYS_CALLGATE16 = 4,
	SYS_TASKGATE = 5, SYS_INTGATE16 = 6, SYS_TRAPGATE16 = 7, SYS_TSS32_AVAIL = 9,
	SYS_TSS32_BUSY = 11, SYS_CALLGATE32 = 12, SYS_INTGATE32 = 14, SYS_TRAPGATE32 = 15,
};

/* Segment register indices, in the encoding of ModRM.reg for MOV Sreg */
enum { SEG_ES = 0, SEG_CS = 1, SEG_SS = 2, SEG_DS = 3, SEG_FS = 4, SEG_GS = 5, SEG_NONE = 7 };

/* General registers in encoding order */
enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI };

/* MSRs the machine implements */
#define MSR_TSC 0x010u
#define MSR_SYSENTER_CS 0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u

#endif
