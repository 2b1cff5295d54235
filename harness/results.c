/*
 * results.c — the SQLite results store (see results.h).
 */
#include "results.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <sys/stat.h>

struct results {
	sqlite3 *db;
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS runs ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, workload TEXT, config TEXT, engine TEXT,"
	" mmu TEXT, profile TEXT, profile_hash TEXT, args TEXT, cmdline TEXT, guest_hash TEXT,"
	" git_rev TEXT, host TEXT, date TEXT, status TEXT, host_timer TEXT, host_seconds REAL,"
	" guest_instructions INTEGER, modeled_cycles INTEGER, json TEXT);"
	"CREATE TABLE IF NOT EXISTS measurements ("
	" run_id INTEGER REFERENCES runs(id), name TEXT, ops INTEGER, modeled_cycles INTEGER,"
	" cycles_per_op REAL, overhead REAL, categories TEXT, exits TEXT);"
	"CREATE INDEX IF NOT EXISTS runs_by_workload ON runs(workload, profile, config);";

struct results *results_open(const char *path, char *err, size_t errlen)
{
	struct results *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	/* create the directory (results/ in a fresh clone) */
	char parent[4096];
	snprintf(parent, sizeof(parent), "%s", path);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = 0;
		mkdir(parent, 0755);
	}
	if (sqlite3_open(path, &r->db) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open results database %s: %s", path,
			 r->db ? sqlite3_errmsg(r->db) : "out of memory");
		results_close(r);
		return NULL;
	}
	char *msg = NULL;
	sqlite3_busy_timeout(r->db, 5000);
	if (sqlite3_exec(r->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "results database %s: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		results_close(r);
		return NULL;
	}
	return r;
}

void results_close(struct results *r)
{
	if (!r)
		return;
	sqlite3_close(r->db);
	free(r);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

long long results_save(struct results *r, const struct run_row *run,
		       const struct measurement_row *m, unsigned nm, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	long long id = -1;
	if (sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_prepare_v2(r->db,
			       "INSERT INTO runs (workload, config, engine, mmu, profile, profile_hash,"
			       " args, cmdline, guest_hash, git_rev, host, date, status, host_timer,"
			       " host_seconds, guest_instructions, modeled_cycles, json)"
			       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &s, NULL) != SQLITE_OK)
		goto fail;
	const char *t[] = { run->workload, run->config, run->engine, run->mmu, run->profile,
			    run->profile_hash, run->args, run->cmdline, run->guest_hash, run->git_rev,
			    run->host, run->date, run->status, run->host_timer };
	for (int i = 0; i < 14; i++)
		bind_text(s, i + 1, t[i]);
	sqlite3_bind_double(s, 15, run->host_seconds);
	sqlite3_bind_int64(s, 16, (sqlite3_int64)run->guest_instructions);
	sqlite3_bind_int64(s, 17, (sqlite3_int64)run->modeled_cycles);
	bind_text(s, 18, run->json);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	s = NULL;
	id = sqlite3_last_insert_rowid(r->db);
	if (sqlite3_prepare_v2(r->db,
			       "INSERT INTO measurements (run_id, name, ops, modeled_cycles,"
			       " cycles_per_op, overhead, categories, exits) VALUES (?,?,?,?,?,?,?,?)",
			       -1, &s, NULL) != SQLITE_OK)
		goto fail;
	for (unsigned i = 0; i < nm; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, id);
		bind_text(s, 2, m[i].name);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)m[i].ops);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)m[i].modeled_cycles);
		sqlite3_bind_double(s, 5, m[i].cycles_per_op);
		if (m[i].overhead < 0)
			sqlite3_bind_null(s, 6);
		else
			sqlite3_bind_double(s, 6, m[i].overhead);
		bind_text(s, 7, m[i].categories);
		bind_text(s, 8, m[i].exits);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto fail;
	}
	sqlite3_finalize(s);
	if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail_nostmt;
	return id;
fail:
	sqlite3_finalize(s);
fail_nostmt:
	snprintf(err, errlen, "saving results: %s", sqlite3_errmsg(r->db));
	sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static const char *col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : "";
}

int results_each_run(struct results *r, const char *workload,
		     void (*fn)(void *, long long, const char *, const char *, const char *,
				const char *, const char *),
		     void *opaque, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	const char *q = workload ? "SELECT id, workload, config, profile, date, json FROM runs WHERE workload = ? ORDER BY id DESC"
				 : "SELECT id, workload, config, profile, date, json FROM runs ORDER BY id DESC";
	if (sqlite3_prepare_v2(r->db, q, -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(r->db));
		return -1;
	}
	if (workload)
		bind_text(s, 1, workload);
	while (sqlite3_step(s) == SQLITE_ROW)
		fn(opaque, sqlite3_column_int64(s, 0), col(s, 1), col(s, 2), col(s, 3), col(s, 4), col(s, 5));
	sqlite3_finalize(s);
	return 0;
}

char *results_run_json(struct results *r, long long id)
{
	sqlite3_stmt *s;
	char *out = NULL;
	if (sqlite3_prepare_v2(r->db, "SELECT json FROM runs WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		out = strdup(col(s, 0));
	sqlite3_finalize(s);
	return out;
}

int results_latest_overheads(struct results *r, const char *profile,
			     void (*fn)(void *, const char *, const char *, const char *, double),
			     void *opaque, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	const char *q =
		"SELECT r.workload, m.name, r.config, m.overhead FROM measurements m"
		" JOIN runs r ON r.id = m.run_id"
		" WHERE r.profile = ? AND m.overhead IS NOT NULL AND r.id = ("
		"  SELECT max(r2.id) FROM runs r2 WHERE r2.workload = r.workload"
		"  AND r2.config = r.config AND r2.profile = r.profile)"
		" ORDER BY r.workload, m.name, r.config";
	if (sqlite3_prepare_v2(r->db, q, -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(r->db));
		return -1;
	}
	bind_text(s, 1, profile);
	while (sqlite3_step(s) == SQLITE_ROW)
		fn(opaque, col(s, 0), col(s, 1), col(s, 2), sqlite3_column_double(s, 3));
	sqlite3_finalize(s);
	return 0;
}

int results_each_measurement(struct results *r, const char *workload,
			     void (*fn)(void *, long long, const char *, const char *, const char *,
					const char *, const char *, const struct measurement_row *),
			     void *opaque, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	const char *q = "SELECT r.id, r.workload, r.config, r.profile, r.git_rev, r.date, m.name, m.ops,"
			" m.modeled_cycles, m.cycles_per_op, m.overhead, m.categories, m.exits FROM measurements m"
			" JOIN runs r ON r.id = m.run_id WHERE (?1 IS NULL OR r.workload = ?1)"
			" ORDER BY r.id, m.rowid";
	if (sqlite3_prepare_v2(r->db, q, -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(r->db));
		return -1;
	}
	if (workload)
		bind_text(s, 1, workload);
	else
		sqlite3_bind_null(s, 1);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct measurement_row m = { col(s, 6), (u64)sqlite3_column_int64(s, 7),
					     (u64)sqlite3_column_int64(s, 8), sqlite3_column_double(s, 9),
					     sqlite3_column_type(s, 10) == SQLITE_NULL ? -1 : sqlite3_column_double(s, 10),
					     col(s, 11), col(s, 12) };
		fn(opaque, sqlite3_column_int64(s, 0), col(s, 1), col(s, 2), col(s, 3), col(s, 4), col(s, 5), &m);
	}
	sqlite3_finalize(s);
	return 0;
}
