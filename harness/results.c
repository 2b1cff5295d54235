/*
 * results.c — the SQLite results store (see results.h).
 *
 * The schema grew five columns after the first release (batch, complete,
 * default_args, then sweep and sweep_spec); a database opened for writing gets them
 * with ALTER TABLE, and one
 * opened read-only is queried through expressions that stand in for the missing ones
 * (old rows: complete, arguments unknown). Every loop over sqlite3_step checks that it
 * ended with SQLITE_DONE: anything else is a damaged or locked file, reported as such.
 */
#include "results.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <sys/stat.h>

struct results {
	sqlite3 *db;
	bool has_batch, has_complete, has_default_args; /* columns of runs */
	bool has_sweep, has_sweep_spec;
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

/* Which of the later columns runs has. Returns 0 or -1 with err. */
static int read_columns(struct results *r, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(r->db, "PRAGMA table_info(runs)", -1, &s, NULL);
	bool any = false;
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			const char *c = (const char *)sqlite3_column_text(s, 1);
			any = true;
			if (!c)
				continue;
			r->has_batch |= !strcmp(c, "batch");
			r->has_complete |= !strcmp(c, "complete");
			r->has_default_args |= !strcmp(c, "default_args");
			r->has_sweep |= !strcmp(c, "sweep");
			r->has_sweep_spec |= !strcmp(c, "sweep_spec");
		}
		sqlite3_finalize(s);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "results database %s: %s", path, sqlite3_errmsg(r->db));
		return -1;
	}
	if (!any) {
		snprintf(err, errlen, "results database %s has no runs table (not a ringlab database?)", path);
		return -1;
	}
	return 0;
}

struct results *results_open(const char *path, char *err, size_t errlen)
{
	struct results *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
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
	if (read_columns(r, path, err, errlen)) {
		results_close(r);
		return NULL;
	}
	/* the columns added since the first schema */
	const struct { bool have; const char *sql; } add[] = {
		{ r->has_batch, "ALTER TABLE runs ADD COLUMN batch TEXT" },
		{ r->has_complete, "ALTER TABLE runs ADD COLUMN complete INTEGER" },
		{ r->has_default_args, "ALTER TABLE runs ADD COLUMN default_args INTEGER" },
		{ r->has_sweep, "ALTER TABLE runs ADD COLUMN sweep TEXT" },
		{ r->has_sweep_spec, "ALTER TABLE runs ADD COLUMN sweep_spec TEXT" },
		{ false, "CREATE INDEX IF NOT EXISTS runs_by_key ON runs(profile, profile_hash, workload, args, config)" },
	};
	for (size_t i = 0; i < sizeof(add) / sizeof(add[0]); i++)
		if (!add[i].have && sqlite3_exec(r->db, add[i].sql, NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(err, errlen, "results database %s: %s", path, msg ? msg : "?");
			sqlite3_free(msg);
			results_close(r);
			return NULL;
		}
	r->has_batch = r->has_complete = r->has_default_args = r->has_sweep = r->has_sweep_spec = true;
	return r;
}

struct results *results_open_readonly(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st)) {
		snprintf(err, errlen, "no results database %s (bench run saves one; --db FILE names another)", path);
		return NULL;
	}
	struct results *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open results database %s: %s", path,
			 r->db ? sqlite3_errmsg(r->db) : "out of memory");
		results_close(r);
		return NULL;
	}
	sqlite3_busy_timeout(r->db, 5000);
	if (read_columns(r, path, err, errlen)) {
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

void results_file_hash(const char *path, char *out, size_t n)
{
	FILE *f = fopen(path, "rb");
	u64 h = 0xcbf29ce484222325ull;
	int ch;
	if (!f) {
		snprintf(out, n, "unreadable");
		return;
	}
	while ((ch = getc(f)) != EOF)
		h = (h ^ (u64)ch) * 0x100000001b3ull;
	fclose(f);
	snprintf(out, n, "fnv1a64:%016" PRIx64, h);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

/* A real, or NULL when it is not a finite number (SQLite has no NaN or infinity). */
static void bind_real(sqlite3_stmt *s, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(s, i, v);
	else
		sqlite3_bind_null(s, i);
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
			       " host_seconds, guest_instructions, modeled_cycles, json, batch, complete,"
			       " default_args, sweep, sweep_spec)"
			       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &s, NULL) != SQLITE_OK)
		goto fail;
	const char *t[] = { run->workload, run->config, run->engine, run->mmu, run->profile,
			    run->profile_hash, run->args, run->cmdline, run->guest_hash, run->git_rev,
			    run->host, run->date, run->status, run->host_timer };
	for (int i = 0; i < 14; i++)
		bind_text(s, i + 1, t[i]);
	bind_real(s, 15, run->host_seconds);
	sqlite3_bind_int64(s, 16, (sqlite3_int64)run->guest_instructions);
	sqlite3_bind_int64(s, 17, (sqlite3_int64)run->modeled_cycles);
	bind_text(s, 18, run->json);
	if (run->batch)
		bind_text(s, 19, run->batch);
	else
		sqlite3_bind_null(s, 19);
	sqlite3_bind_int(s, 20, run->pending ? 0 : 1);
	sqlite3_bind_int(s, 21, run->default_args ? 1 : 0);
	if (run->sweep) {
		bind_text(s, 22, run->sweep);
		bind_text(s, 23, run->sweep_spec);
	} else {
		sqlite3_bind_null(s, 22);
		sqlite3_bind_null(s, 23);
	}
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
		bind_real(s, 5, m[i].cycles_per_op);
		if (m[i].overhead < 0)
			sqlite3_bind_null(s, 6);
		else
			bind_real(s, 6, m[i].overhead);
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

int results_complete_batch(struct results *r, const char *batch, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(r->db, "UPDATE runs SET complete = 1 WHERE batch = ?", -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "saving results: %s", sqlite3_errmsg(r->db));
		return -1;
	}
	bind_text(s, 1, batch);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "saving results: %s", sqlite3_errmsg(r->db));
		return -1;
	}
	return 0;
}

static const char *col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : "";
}

/* Prepare q, or write SQLite's reason into err. */
static int prepare(struct results *r, const char *q, sqlite3_stmt **s, char *err, size_t errlen)
{
	if (sqlite3_prepare_v2(r->db, q, -1, s, NULL) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "reading results: %s", sqlite3_errmsg(r->db));
	return -1;
}

/* The end of a step loop: SQLITE_DONE is the end of the data, anything else an error. */
static int finish(struct results *r, sqlite3_stmt *s, int rc, char *err, size_t errlen)
{
	int ret = 0;
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "reading results: %s", sqlite3_errmsg(r->db));
		ret = -1;
	}
	sqlite3_finalize(s);
	return ret;
}

/* The SQL for "this run is complete" on table alias a ("r."). */
static const char *complete_sql(const struct results *r, const char *alias, char *buf, size_t n)
{
	if (!r->has_complete)
		return "1";
	snprintf(buf, n, "coalesce(%scomplete, 1)", alias);
	return buf;
}

/* A later column of runs, or '' where the database predates it. */
static const char *opt_col(bool have, const char *name)
{
	return have ? name : "''";
}

int results_runs(struct results *r, const char *workload, long long id,
		 void (*fn)(void *, const struct run_info *), void *opaque, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	char q[1024], cbuf[64];
	snprintf(q, sizeof(q),
		 "SELECT id, workload, config, profile, profile_hash, args, date, json, %s,"
		 " cmdline, guest_hash, git_rev, host, %s, %s, %s, host_timer, host_seconds FROM runs"
		 " WHERE (?1 IS NULL OR workload = ?1) AND (?2 <= 0 OR id = ?2) ORDER BY id DESC",
		 complete_sql(r, "", cbuf, sizeof(cbuf)), opt_col(r->has_batch, "batch"),
		 opt_col(r->has_sweep, "sweep"), opt_col(r->has_sweep_spec, "sweep_spec"));
	if (prepare(r, q, &s, err, errlen))
		return -1;
	if (workload)
		bind_text(s, 1, workload);
	else
		sqlite3_bind_null(s, 1);
	sqlite3_bind_int64(s, 2, id);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct run_info ri = { sqlite3_column_int64(s, 0), col(s, 1), col(s, 2), col(s, 3), col(s, 4),
				       col(s, 5), col(s, 6), col(s, 7), sqlite3_column_int(s, 8) != 0,
				       col(s, 9), col(s, 10), col(s, 11), col(s, 12), col(s, 13), col(s, 14),
				       col(s, 15), col(s, 16), sqlite3_column_double(s, 17) };
		fn(opaque, &ri);
	}
	return finish(r, s, rc, err, errlen);
}

struct each_run_ctx {
	void (*fn)(void *, long long, const char *, const char *, const char *, const char *, const char *);
	void *opaque;
};

/* results_runs → the older callback of results_each_run. */
static void each_run_adapter(void *opaque, const struct run_info *ri)
{
	struct each_run_ctx *c = opaque;
	c->fn(c->opaque, ri->id, ri->workload, ri->config, ri->profile, ri->date, ri->json);
}

int results_each_run(struct results *r, const char *workload,
		     void (*fn)(void *, long long, const char *, const char *, const char *,
				const char *, const char *),
		     void *opaque, char *err, size_t errlen)
{
	struct each_run_ctx c = { fn, opaque };
	return results_runs(r, workload, 0, each_run_adapter, &c, err, errlen);
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
	char q[1024], c1[64], c2[64];
	snprintf(q, sizeof(q),
		 "SELECT r.workload, m.name, r.config, m.overhead FROM measurements m"
		 " JOIN runs r ON r.id = m.run_id"
		 " WHERE r.profile = ? AND m.overhead IS NOT NULL AND r.id = ("
		 "  SELECT max(r2.id) FROM runs r2 WHERE r2.workload = r.workload"
		 "  AND r2.config = r.config AND r2.profile = r.profile AND %s)"
		 " AND %s ORDER BY r.workload, m.name, r.config",
		 complete_sql(r, "r2.", c2, sizeof(c2)), complete_sql(r, "r.", c1, sizeof(c1)));
	if (prepare(r, q, &s, err, errlen))
		return -1;
	bind_text(s, 1, profile);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(opaque, col(s, 0), col(s, 1), col(s, 2), sqlite3_column_double(s, 3));
	return finish(r, s, rc, err, errlen);
}

#define TABLE_MAX_WORKLOADS 256

int results_table_overheads(struct results *r, const char *profile, const char *profile_hash,
			    void (*fn)(void *, const char *, const char *, const char *, double),
			    void (*set_fn)(void *, const struct table_set *), void *opaque,
			    int left_out[2], char *err, size_t errlen)
{
	sqlite3_stmt *s;
	char q[2048], c1[64], c2[64];
	int rc;
	left_out[0] = left_out[1] = 0;
	/* what is left out: another profile file, or not complete */
	snprintf(q, sizeof(q),
		 "SELECT coalesce(sum(profile_hash IS NOT ?2), 0), coalesce(sum(profile_hash IS ?2 AND NOT %s), 0)"
		 " FROM runs WHERE profile = ?1",
		 complete_sql(r, "", c1, sizeof(c1)));
	if (prepare(r, q, &s, err, errlen))
		return -1;
	bind_text(s, 1, profile);
	bind_text(s, 2, profile_hash);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		left_out[0] = sqlite3_column_int(s, 0);
		left_out[1] = sqlite3_column_int(s, 1);
		rc = sqlite3_step(s);
	}
	if (finish(r, s, rc, err, errlen))
		return -1;

	/* per workload, the arguments to use */
	static char wl[TABLE_MAX_WORKLOADS][64], args[TABLE_MAX_WORKLOADS][256];
	bool is_default[TABLE_MAX_WORKLOADS];
	int nw = 0;
	snprintf(q, sizeof(q),
		 "SELECT workload, args, %s FROM runs WHERE profile = ?1 AND profile_hash = ?2 AND %s"
		 " ORDER BY workload, %s DESC, id DESC",
		 r->has_default_args ? "coalesce(default_args, 0)" : "0", complete_sql(r, "", c1, sizeof(c1)),
		 r->has_default_args ? "coalesce(default_args, 0)" : "0");
	if (prepare(r, q, &s, err, errlen))
		return -1;
	bind_text(s, 1, profile);
	bind_text(s, 2, profile_hash);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (nw && !strcmp(wl[nw - 1], col(s, 0)))
			continue; /* the first row of a workload decides */
		if (nw == TABLE_MAX_WORKLOADS)
			break;
		snprintf(wl[nw], sizeof(wl[0]), "%s", col(s, 0));
		snprintf(args[nw], sizeof(args[0]), "%s", col(s, 1));
		is_default[nw] = sqlite3_column_int(s, 2) != 0;
		nw++;
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE; /* stopped at the limit */
	if (finish(r, s, rc, err, errlen))
		return -1;

	/* per workload and configuration, the latest run with those arguments */
	snprintf(q, sizeof(q),
		 "SELECT r.id, r.config, m.name, m.overhead FROM runs r JOIN measurements m ON m.run_id = r.id"
		 " WHERE r.profile = ?1 AND r.profile_hash = ?2 AND r.workload = ?3 AND r.args = ?4 AND %s"
		 " AND r.id = (SELECT max(r2.id) FROM runs r2 WHERE r2.profile = ?1 AND r2.profile_hash = ?2"
		 "  AND r2.workload = ?3 AND r2.args = ?4 AND r2.config = r.config AND %s)"
		 " ORDER BY m.name, r.config",
		 complete_sql(r, "r.", c1, sizeof(c1)), complete_sql(r, "r2.", c2, sizeof(c2)));
	if (prepare(r, q, &s, err, errlen))
		return -1;
	for (int w = 0; w < nw; w++) {
		sqlite3_reset(s);
		bind_text(s, 1, profile);
		bind_text(s, 2, profile_hash);
		bind_text(s, 3, wl[w]);
		bind_text(s, 4, args[w]);
		struct table_set set = { wl[w], args[w], is_default[w], 0, 0, 0 };
		long long seen[64];
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			long long id = sqlite3_column_int64(s, 0);
			bool known = false;
			for (int k = 0; k < set.nruns; k++)
				known |= seen[k] == id;
			if (!known && set.nruns < 64) {
				seen[set.nruns++] = id;
				if (!set.first || id < set.first)
					set.first = id;
				if (id > set.last)
					set.last = id;
			}
			if (sqlite3_column_type(s, 3) != SQLITE_NULL)
				fn(opaque, wl[w], col(s, 2), col(s, 1), sqlite3_column_double(s, 3));
		}
		if (rc != SQLITE_DONE)
			return finish(r, s, rc, err, errlen);
		if (set_fn)
			set_fn(opaque, &set);
	}
	sqlite3_finalize(s);
	return 0;
}

int results_measurements(struct results *r, const char *workload,
			 void (*fn)(void *, const struct meas_info *), void *opaque, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	char q[1400], cbuf[64];
	snprintf(q, sizeof(q),
		 "SELECT r.id, r.workload, r.config, r.profile, r.git_rev, r.date, m.name, m.ops,"
		 " m.modeled_cycles, m.cycles_per_op, m.overhead, m.categories, m.exits, %s,"
		 " r.profile_hash, r.args, coalesce(%s, ''), coalesce(%s, '') FROM measurements m"
		 " JOIN runs r ON r.id = m.run_id WHERE (?1 IS NULL OR r.workload = ?1)"
		 " ORDER BY r.id, m.rowid",
		 complete_sql(r, "r.", cbuf, sizeof(cbuf)), opt_col(r->has_sweep, "r.sweep"),
		 opt_col(r->has_sweep_spec, "r.sweep_spec"));
	if (prepare(r, q, &s, err, errlen))
		return -1;
	if (workload)
		bind_text(s, 1, workload);
	else
		sqlite3_bind_null(s, 1);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct measurement_row m = { col(s, 6), (u64)sqlite3_column_int64(s, 7),
					     (u64)sqlite3_column_int64(s, 8), sqlite3_column_double(s, 9),
					     sqlite3_column_type(s, 10) == SQLITE_NULL ? -1 : sqlite3_column_double(s, 10),
					     col(s, 11), col(s, 12), sqlite3_column_int(s, 13) == 0 };
		struct meas_info mi = { sqlite3_column_int64(s, 0), col(s, 1), col(s, 2), col(s, 3),
					col(s, 14), col(s, 15), col(s, 4), col(s, 5), col(s, 16), col(s, 17), &m };
		fn(opaque, &mi);
	}
	return finish(r, s, rc, err, errlen);
}

struct each_meas_ctx {
	void (*fn)(void *, long long, const char *, const char *, const char *, const char *, const char *,
		   const struct measurement_row *);
	void *opaque;
};

/* results_measurements → the older callback of results_each_measurement. */
static void each_meas_adapter(void *opaque, const struct meas_info *mi)
{
	struct each_meas_ctx *c = opaque;
	c->fn(c->opaque, mi->id, mi->workload, mi->config, mi->profile, mi->git_rev, mi->date, mi->m);
}

int results_each_measurement(struct results *r, const char *workload,
			     void (*fn)(void *, long long, const char *, const char *, const char *,
					const char *, const char *, const struct measurement_row *),
			     void *opaque, char *err, size_t errlen)
{
	struct each_meas_ctx c = { fn, opaque };
	return results_measurements(r, workload, each_meas_adapter, &c, err, errlen);
}

/* Which later columns the attached database `src` has runs with; 0, or -1 if it has
 * no runs table. */
static int src_columns(sqlite3 *db, bool have[5])
{
	static const char *const names[5] = { "batch", "complete", "default_args", "sweep", "sweep_spec" };
	sqlite3_stmt *s;
	bool any = false;
	memset(have, 0, 5 * sizeof(bool));
	if (sqlite3_prepare_v2(db, "PRAGMA src.table_info(runs)", -1, &s, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(s, 1);
		any = true;
		for (int i = 0; c && i < 5; i++)
			have[i] |= !strcmp(c, names[i]);
	}
	sqlite3_finalize(s);
	return any ? 0 : -1;
}

int results_merge(struct results *r, const char *in_path, int *added, int *present, char *err,
		  size_t errlen)
{
	sqlite3_stmt *a = NULL, *s = NULL, *find = NULL, *ins = NULL, *meas = NULL;
	bool have[5], attached = false, began = false;
	*added = *present = 0;
	if (sqlite3_prepare_v2(r->db, "ATTACH DATABASE ? AS src", -1, &a, NULL) != SQLITE_OK)
		goto fail;
	bind_text(a, 1, in_path);
	if (sqlite3_step(a) != SQLITE_DONE)
		goto fail;
	attached = true;
	if (src_columns(r->db, have)) {
		snprintf(err, errlen, "%s has no runs table (not a ringlab database?)", in_path);
		*added = *present = -1;
		goto out;
	}
	/* the columns of the source, with stand-ins for those it predates (old rows:
	 * complete, arguments unknown, no sweep) */
	static const char keys[] = "workload, config, engine, mmu, profile, profile_hash, args, cmdline,"
				   " guest_hash, git_rev, host, date, status, host_timer, host_seconds,"
				   " guest_instructions, modeled_cycles, json";
	char q[2048];
	snprintf(q, sizeof(q), "SELECT id, %s, %s, %s, %s, %s, %s FROM src.runs ORDER BY id", keys,
		 have[0] ? "batch" : "NULL", have[1] ? "complete" : "1", have[2] ? "default_args" : "NULL",
		 have[3] ? "sweep" : "NULL", have[4] ? "sweep_spec" : "NULL");
	if (sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	began = true;
	if (sqlite3_prepare_v2(r->db, q, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->db,
			       "SELECT 1 FROM main.runs WHERE workload IS ?1 AND config IS ?2 AND profile IS ?5"
			       " AND profile_hash IS ?6 AND args IS ?7 AND cmdline IS ?8 AND guest_hash IS ?9"
			       " AND git_rev IS ?10 AND host IS ?11 AND date IS ?12 AND json IS ?18"
			       " AND batch IS ?19 LIMIT 1",
			       -1, &find, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->db,
			       "INSERT INTO main.runs (workload, config, engine, mmu, profile, profile_hash, args,"
			       " cmdline, guest_hash, git_rev, host, date, status, host_timer, host_seconds,"
			       " guest_instructions, modeled_cycles, json, batch, complete, default_args, sweep,"
			       " sweep_spec) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,"
			       "?18,?19,?20,?21,?22,?23)",
			       -1, &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->db,
			       "INSERT INTO main.measurements (run_id, name, ops, modeled_cycles, cycles_per_op,"
			       " overhead, categories, exits) SELECT ?1, name, ops, modeled_cycles, cycles_per_op,"
			       " overhead, categories, exits FROM src.measurements WHERE run_id = ?2 ORDER BY rowid",
			       -1, &meas, NULL) != SQLITE_OK)
		goto fail;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite3_reset(find);
		sqlite3_reset(ins);
		for (int i = 1; i <= 23; i++) {
			if (i <= 19)
				sqlite3_bind_value(find, i, sqlite3_column_value(s, i));
			sqlite3_bind_value(ins, i, sqlite3_column_value(s, i));
		}
		int f = sqlite3_step(find);
		if (f == SQLITE_ROW) {
			(*present)++;
			continue;
		}
		if (f != SQLITE_DONE || sqlite3_step(ins) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(meas);
		sqlite3_bind_int64(meas, 1, sqlite3_last_insert_rowid(r->db));
		sqlite3_bind_int64(meas, 2, sqlite3_column_int64(s, 0));
		if (sqlite3_step(meas) != SQLITE_DONE)
			goto fail;
		(*added)++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	began = false;
	goto out;
fail:
	snprintf(err, errlen, "merging %s: %s", in_path, sqlite3_errmsg(r->db));
	*added = *present = -1;
out:
	sqlite3_finalize(a);
	sqlite3_finalize(s);
	sqlite3_finalize(find);
	sqlite3_finalize(ins);
	sqlite3_finalize(meas);
	if (began)
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	if (attached)
		sqlite3_exec(r->db, "DETACH DATABASE src", NULL, NULL, NULL);
	return *added < 0 ? -1 : 0;
}
