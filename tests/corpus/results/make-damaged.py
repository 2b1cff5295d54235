#!/usr/bin/env python3
# make-damaged.py — writes damaged.db: a ringlab results database (the first schema)
# with 40 runs, whose data pages after the first few are overwritten with 0xA5, as a
# disk or copy error would leave it. Deterministic; run from this directory.
import os, sqlite3
path = "damaged.db"
if os.path.exists(path):
    os.remove(path)
db = sqlite3.connect(path)
db.executescript("""
PRAGMA page_size = 4096;
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, workload TEXT, config TEXT, engine TEXT,
 mmu TEXT, profile TEXT, profile_hash TEXT, args TEXT, cmdline TEXT, guest_hash TEXT,
 git_rev TEXT, host TEXT, date TEXT, status TEXT, host_timer TEXT, host_seconds REAL,
 guest_instructions INTEGER, modeled_cycles INTEGER, json TEXT);
CREATE TABLE measurements (run_id INTEGER REFERENCES runs(id), name TEXT, ops INTEGER,
 modeled_cycles INTEGER, cycles_per_op REAL, overhead REAL, categories TEXT, exits TEXT);
CREATE INDEX runs_by_workload ON runs(workload, profile, config);
""")
for i in range(1, 41):
    db.execute("INSERT INTO runs (workload, config, engine, mmu, profile, profile_hash, args, cmdline,"
               " guest_hash, git_rev, host, date, status, host_timer, host_seconds, guest_instructions,"
               " modeled_cycles, json) VALUES ('syscall-heavy','native','native','direct','p4-2006','h',"
               "'n=1000','syscall n=1000','g','rev','host','2026-01-01T00:00:00Z','ok','clock',0.1,1000,2000,?)",
               ('{"config": "native", "pad": "%s"}' % ("x" * 1500),))
    db.execute("INSERT INTO measurements VALUES (?, 'syscall', 1000, 2000, 2.0, 1.0, 'guest=2000', '')", (i,))
db.commit()
db.close()
size = os.path.getsize(path)
with open(path, "r+b") as f:
    for page in range(4, size // 4096, 3):  # every third page from the fifth on
        f.seek(page * 4096)
        f.write(b"\xa5" * 4096)
