#!/usr/bin/env python3
# mkseeds.py — writes the generated seed files of the libFuzzer corpora (tests/fuzz/corpus/).
#
# The corpora are committed; this script says how the generated ones were made, and
# remakes them:
#   decode/   short instruction strings: the ModRM/SIB forms, prefixes, 0F opcodes,
#             system instructions, 16-bit code, an over-long (16-byte) instruction
#   loader/   tiny multiboot kernels made here byte by byte: ELF with one segment and a
#             .bss, ELF with a virtual entry point and a non-LOAD header, a.out-kludge
#             images with an explicit load end and with load_end = 0 (rest of the file)
#   loader/crash-kludge-wrap-4g      an a.out-kludge image whose load address + size
#             wraps past 4 GB (issue 10, item 6: segfaults the copy in load_kludge)
#   profile/, workload/ crash-binary-chunk   a Lua 5.4 binary chunk (string.dump of
#             `return {}`) whose first instruction is a JMP 16M instructions ahead
#             (issue 10, item 7: the loaders accept binary chunks)
#   profile/crash-src-starts-with-nul   profiles/p4-2006.lua with its first src = "\0...":
#             found by fuzz_profile; a source starting with a NUL byte passes the
#             "every value has a source" check and is kept as an empty string
#   results/  with --db NAME=FILE: FILE as seed-NAME.db and the same data rewritten
#             with 512-byte pages as seed-NAME-small-pages.db; committed: "bench", a
#             database of `bench run syscall-heavy --set n=10` and `bench run memwalk
#             --config native --set pages=8` before the batch columns existed, and
#             "bench-batch", one of `bench run syscall-heavy --set n=10` with them
# profiles/*.lua and workloads/*.lua seed from where they live (run.sh); a test kernel
# is copied by hand.
#
#   tests/fuzz/lib/mkseeds.py [--db NAME=results.db]...
import argparse
import os
import shutil
import sqlite3
import struct
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "corpus")
MB_MAGIC = 0x1BADB002
EXIT7 = bytes([0xB0, 0x07, 0xE6, 0xF4, 0xF4])  # mov al,7; out 0xf4,al; hlt


def mb_header(flags, extra=b""):
    return struct.pack("<III", MB_MAGIC, flags, (-(MB_MAGIC + flags)) & 0xFFFFFFFF) + extra


def elf(segments, entry, extra_phdrs=()):
    """segments: list of (paddr, vaddr, data, memsz); data placed after the headers."""
    phdrs = list(extra_phdrs)
    nph = len(segments) + len(phdrs)
    off = 52 + 32 * nph
    body = b""
    ph = b""
    for paddr, vaddr, data, memsz in segments:
        ph += struct.pack("<IIIIIIII", 1, off + len(body), vaddr, paddr, len(data), memsz, 7, 4)
        body += data
    for p in phdrs:
        ph += p
    hdr = b"\x7fELF" + bytes([1, 1, 1, 0]) + b"\0" * 8
    hdr += struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, entry, 52, 0, 0, 52, 32, nph, 40, 0, 0)
    return hdr + ph + body


def kludge(prefix, load_addr, load_end, bss_end, entry, code):
    hoff = len(prefix)
    header_addr = load_addr + hoff
    mb = mb_header(0x10003, struct.pack("<IIIII", header_addr, load_addr, load_end, bss_end, entry))
    return prefix + mb + code


def write(sub, name, data):
    d = os.path.join(CORPUS, sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def loader_seeds():
    base = 0x100000
    # ELF, one segment: headers (52 + 32), multiboot header, code; 4 KiB of .bss
    text = mb_header(0x3) + EXIT7
    write("loader", "seed-elf-tiny", elf([(base, base, text, len(text) + 0x1000)], base + 12))
    # ELF, entry given as a virtual address (higher half), two segments and a PT_NOTE
    text = mb_header(0x7) + struct.pack("<9I", *[0] * 9) + EXIT7
    data = b"data" * 4
    note = struct.pack("<IIIIIIII", 4, 0, 0, 0, 0, 0, 4, 4)
    img = elf([(base, 0xC0000000 + base, text, len(text)), (base + 0x1000, 0xC0001000 + base, data, 0x2000)],
              0xC0000000 + base + 48, [note])
    write("loader", "seed-elf-higher-half", img)
    # a.out kludge, header first, explicit load end and a .bss
    code = EXIT7
    n = 32 + len(code)
    write("loader", "seed-aout-kludge", kludge(b"", base, base + n, base + n + 0x1000, base + 32, code))
    # a.out kludge, header 16 bytes in, load_end = 0: the rest of the file
    write("loader", "seed-aout-kludge-loadend0", kludge(b"\x90" * 16, base, 0, 0, base + 48, code))
    # known bug: load address + size wraps past 4 GB and passes the RAM check
    write("loader", "crash-kludge-wrap-4g", kludge(b"", 0xFFFFFFE0, 0, 0, 0xFFFFFFE0, code * 8))


DECODE = {
    "seed-alu-mov": "b801000000 01d8 29c8 31d2 83c004 69c0e8030000 8d440810 50 5b c3",
    "seed-modrm-sib": "8b0424 8b448d10 8b848d00010000 8b0500100000 8904d5f0ffffff 8b4500 8b6500",
    "seed-prefixes": "66b83412 6766a5 f3a5 f2ae f00108 2e8b00 3e8b00 648b00 658b00 268b00 368b00",
    "seed-0f": "0f011500200000 0f22d8 0f20c0 0fb6c1 0fafc3 0f31 0fa2 0f30 0f32 0f34 0f35 0fc8 0f8400010000",
    "seed-system": "fa fb 9c 9d cd80 cf ea0010000008 00 9a00100000 0800 c8100001 c9 e6f4 ec 0f00d8 0f0b f4",
    "seed-shift-string": "c1e004 d1f8 d3e0 f7f1 f6f1 a4 ab ae 6c 6f c20400 ca0400",
    "seed-16bit": "b83412 8b4702 8b00 8b4206 8b8600 10 ff2e0010 e90010",
    "seed-too-long": "66666666666666666666666666666690",
}


def decode_seeds():
    for name, hexs in DECODE.items():
        write("decode", name, bytes.fromhex(hexs.replace(" ", "")))


def lua_chunk_crash():
    # string.dump(load("return {}")) from Lua 5.4.4, stripped
    hdr = bytes.fromhex("1b4c7561540019930d0a1a0a04080878560000000000000000000000287740")
    body = bytes.fromhex("01808080000102855100000013000000520000004600020146000101808101000080808080" "80")
    jmp = struct.pack("<I", (0x1FFFFFF << 7) | 56)  # OP_JMP, sJ = +16777216
    assert body[8:12] == bytes.fromhex("51000000")  # OP_VARARGPREP, the first instruction
    chunk = hdr + body[:8] + jmp + body[12:]
    write("profile", "crash-binary-chunk", chunk)
    write("workload", "crash-binary-chunk", chunk)


def nul_source_crash():
    s = open(os.path.join(HERE, "..", "..", "..", "profiles", "p4-2006.lua")).read()
    i = s.index('src = "')
    write("profile", "crash-src-starts-with-nul", (s[:i] + 'src = "\\0' + s[i + 7:]).encode())


def results_seeds(name, db):
    write("results", "seed-%s.db" % name, open(db, "rb").read())
    with tempfile.TemporaryDirectory() as t:
        small = os.path.join(t, "small.db")
        shutil.copy(db, small)
        con = sqlite3.connect(small)
        con.execute("PRAGMA page_size = 512")
        con.execute("VACUUM")
        con.close()
        write("results", "seed-%s-small-pages.db" % name, open(small, "rb").read())


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", action="append", default=[], metavar="NAME=FILE",
                    help="a small results database written by bench run")
    a = ap.parse_args()
    decode_seeds()
    loader_seeds()
    lua_chunk_crash()
    nul_source_crash()
    for arg in a.db:
        name, db = arg.split("=", 1)
        results_seeds(name, db)
