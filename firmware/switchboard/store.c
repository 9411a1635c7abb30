/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-store"

#include "store-engine.h"
#include "relais-config.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK(sb - store - error - quark, sb_store_error)

/* "RLAY" in the file header (PRAGMA application_id): tells our databases from
 * other programs' SQLite files. */
#define APPLICATION_ID 0x524c4159

/* --- schema ------------------------------------------------------------------
 * migrations[i] takes the schema from version i to i + 1. Never edit one that
 * has shipped: add the next. STORE.md has the policy. */

static const char MIGRATION_1[] = "CREATE TABLE sites (\n"
				  "	id INTEGER PRIMARY KEY,\n"
				  "	name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),\n"
				  "	timezone TEXT NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64)\n"
				  ") STRICT;\n"
				  "CREATE TABLE booths (\n"
				  "	id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),\n"
				  "	site_id INTEGER REFERENCES sites(id),\n"
				  "	name TEXT NOT NULL DEFAULT '' CHECK (length(name) <= 100),\n"
				  "	last_seen INTEGER,\n"
				  "	state TEXT NOT NULL DEFAULT 'offline' CHECK (length(state) BETWEEN 1 AND 32),\n"
				  "	reason TEXT CHECK (length(reason) <= 200)\n"
				  ") STRICT;\n"
				  "CREATE TABLE users (\n"
				  "	id INTEGER PRIMARY KEY,\n"
				  "	login TEXT NOT NULL UNIQUE CHECK (length(login) BETWEEN 2 AND 64),\n"
				  "	display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),\n"
				  "	role TEXT NOT NULL CHECK (role IN ('adviser', 'admin')),\n"
				  "	languages TEXT NOT NULL DEFAULT '',\n"
				  "	topics TEXT NOT NULL DEFAULT '',\n"
				  "	password_hash TEXT NOT NULL CHECK (password_hash LIKE 'scrypt$%'),\n"
				  "	created INTEGER NOT NULL\n"
				  ") STRICT;\n"
				  "CREATE TABLE sessions (\n"
				  "	token_hash TEXT PRIMARY KEY CHECK (length(token_hash) = 64),\n"
				  "	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
				  "	created INTEGER NOT NULL,\n"
				  "	expires INTEGER NOT NULL,\n"
				  "	last_used INTEGER NOT NULL,\n"
				  "	remote_addr TEXT NOT NULL DEFAULT '' CHECK (length(remote_addr) <= 64)\n"
				  ") STRICT;\n"
				  "CREATE INDEX sessions_user ON sessions(user_id);\n"
				  "CREATE INDEX sessions_expires ON sessions(expires);\n"
				  "CREATE TABLE sign_in_attempts (\n"
				  "	id INTEGER PRIMARY KEY,\n"
				  "	login_key TEXT NOT NULL,\n"
				  "	address_key TEXT NOT NULL,\n"
				  "	at INTEGER NOT NULL\n"
				  ") STRICT;\n"
				  "CREATE INDEX attempts_login ON sign_in_attempts(login_key, at);\n"
				  "CREATE INDEX attempts_address ON sign_in_attempts(address_key, at);\n"
				  "CREATE TABLE call_records (\n"
				  "	id INTEGER PRIMARY KEY,\n"
				  "	call_id TEXT NOT NULL UNIQUE CHECK (length(call_id) BETWEEN 1 AND 64),\n"
				  "	site_id INTEGER REFERENCES sites(id),\n"
				  "	booth_id TEXT,\n"
				  "	topic TEXT NOT NULL DEFAULT '',\n"
				  "	language TEXT NOT NULL DEFAULT '',\n"
				  "	queued_at INTEGER NOT NULL,\n"
				  "	answered_at INTEGER,\n"
				  "	ended_at INTEGER NOT NULL,\n"
				  "	end_reason TEXT NOT NULL DEFAULT '',\n"
				  "	satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5)\n"
				  ") STRICT;\n"
				  "CREATE INDEX calls_queued ON call_records(queued_at);\n";

/* Version 2: site staff (a role bound to a site) and disabled accounts, which
 * need the users table rebuilt (SQLite cannot change a CHECK constraint);
 * the adviser's outcome on call records; opening hours, closures, bookings. */
static const char MIGRATION_2[] =
	"CREATE TABLE users_new (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	login TEXT NOT NULL UNIQUE CHECK (length(login) BETWEEN 2 AND 64),\n"
	"	display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),\n"
	"	role TEXT NOT NULL CHECK (role IN ('adviser', 'admin', 'staff')),\n"
	"	site_id INTEGER REFERENCES sites(id),\n"
	"	languages TEXT NOT NULL DEFAULT '',\n"
	"	topics TEXT NOT NULL DEFAULT '',\n"
	"	password_hash TEXT NOT NULL CHECK (password_hash LIKE 'scrypt$%'),\n"
	"	created INTEGER NOT NULL,\n"
	"	disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),\n"
	"	CHECK ((role = 'staff') = (site_id IS NOT NULL))\n"
	") STRICT;\n"
	"INSERT INTO users_new (id, login, display_name, role, languages, topics, password_hash, created)\n"
	"	SELECT id, login, display_name, role, languages, topics, password_hash, created FROM users;\n"
	"DROP TABLE users;\n"
	"ALTER TABLE users_new RENAME TO users;\n"
	"CREATE INDEX users_site ON users(site_id);\n"
	"ALTER TABLE call_records ADD COLUMN outcome TEXT CHECK (length(outcome) BETWEEN 1 AND 32);\n"
	"ALTER TABLE call_records ADD COLUMN outcome_note TEXT CHECK (length(outcome_note) <= 500);\n"
	"ALTER TABLE call_records ADD COLUMN follow_up INTEGER NOT NULL DEFAULT 0 CHECK (follow_up IN (0, 1));\n"
	"CREATE INDEX calls_site ON call_records(site_id);\n"
	"CREATE TABLE opening_slots (\n"
	"	site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,\n"
	"	weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),\n"
	"	half TEXT NOT NULL CHECK (half IN ('am', 'pm')),\n"
	"	start_min INTEGER NOT NULL,\n"
	"	end_min INTEGER NOT NULL,\n"
	"	capacity INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 1000),\n"
	"	PRIMARY KEY (site_id, weekday, half),\n"
	"	CHECK (start_min >= 0 AND start_min < end_min AND end_min <= 1440),\n"
	"	CHECK (half = 'pm' OR end_min <= 840),\n"
	"	CHECK (half = 'am' OR start_min >= 720)\n"
	") STRICT;\n"
	"CREATE TABLE closures (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,\n"
	"	date_from TEXT NOT NULL CHECK (date_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),\n"
	"	date_to TEXT NOT NULL CHECK (date_to GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),\n"
	"	reason TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 200),\n"
	"	CHECK (date_from <= date_to)\n"
	") STRICT;\n"
	"CREATE INDEX closures_site ON closures(site_id, date_from);\n"
	"CREATE TABLE bookings (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	code TEXT NOT NULL UNIQUE CHECK (length(code) = 6),\n"
	"	site_id INTEGER NOT NULL REFERENCES sites(id),\n"
	"	start_at INTEGER NOT NULL,\n"
	"	end_at INTEGER NOT NULL,\n"
	"	language TEXT NOT NULL DEFAULT '',\n"
	"	topic TEXT NOT NULL DEFAULT '',\n"
	"	state TEXT NOT NULL DEFAULT 'booked'\n"
	"		CHECK (state IN ('booked', 'checked_in', 'no_show', 'cancelled')),\n"
	"	created INTEGER NOT NULL,\n"
	"	checked_in_at INTEGER,\n"
	"	CHECK (end_at > start_at)\n"
	") STRICT;\n"
	"CREATE INDEX bookings_site_start ON bookings(site_id, start_at);\n"
	"CREATE INDEX bookings_state_start ON bookings(state, start_at);\n";

/* Version 3: a checked-in booking made into a call is marked used (when, by
 * which call), so that a restart of the switchboard does not let the same
 * code make a second call. */
static const char MIGRATION_3[] =
	"ALTER TABLE bookings ADD COLUMN used_at INTEGER;\n"
	"ALTER TABLE bookings ADD COLUMN used_call_id TEXT CHECK (length(used_call_id) BETWEEN 1 AND 64);\n";

/* Version 4: booth enrolment (STORE.md "Booth enrolment"): one-time tokens,
 * kept only as their SHA-256 and burnt (used_at) when a certificate is
 * issued for them, and the certificates the booth CA issued, so that a
 * revoked or unknown serial is refused at the handshake. */
static const char MIGRATION_4[] = "CREATE TABLE enrol_tokens (\n"
				  "	token_hash TEXT PRIMARY KEY CHECK (length(token_hash) = 64),\n"
				  "	booth_id TEXT NOT NULL REFERENCES booths(id) ON DELETE CASCADE,\n"
				  "	created INTEGER NOT NULL,\n"
				  "	expires INTEGER NOT NULL,\n"
				  "	used_at INTEGER,\n"
				  "	used_serial TEXT CHECK (length(used_serial) BETWEEN 1 AND 64),\n"
				  "	CHECK (expires > created),\n"
				  "	CHECK ((used_at IS NULL) = (used_serial IS NULL))\n"
				  ") STRICT;\n"
				  "CREATE INDEX enrol_tokens_booth ON enrol_tokens(booth_id);\n"
				  "CREATE TABLE booth_certs (\n"
				  "	serial TEXT PRIMARY KEY CHECK (length(serial) BETWEEN 1 AND 64),\n"
				  "	booth_id TEXT NOT NULL REFERENCES booths(id) ON DELETE CASCADE,\n"
				  "	not_before INTEGER NOT NULL,\n"
				  "	not_after INTEGER NOT NULL,\n"
				  "	issued INTEGER NOT NULL,\n"
				  "	revoked_at INTEGER,\n"
				  "	CHECK (not_after > not_before)\n"
				  ") STRICT;\n"
				  "CREATE INDEX booth_certs_booth ON booth_certs(booth_id);\n";

/* Version 5: the software a booth runs and its A/B slot (its hello), and
 * the last update report of each booth (STORE.md "Software and updates"):
 * one row per booth, the same report twice being one record. */
static const char MIGRATION_5[] =
	"ALTER TABLE booths ADD COLUMN software TEXT CHECK (length(software) BETWEEN 1 AND 64);\n"
	"ALTER TABLE booths ADD COLUMN slot TEXT CHECK (slot IN ('A', 'B'));\n"
	"CREATE TABLE update_reports (\n"
	"	booth_id TEXT PRIMARY KEY REFERENCES booths(id) ON DELETE CASCADE,\n"
	"	result TEXT NOT NULL CHECK (result IN ('kept', 'rolled-back', 'install-failed')),\n"
	"	version TEXT NOT NULL CHECK (length(version) BETWEEN 1 AND 64),\n"
	"	from_version TEXT CHECK (length(from_version) BETWEEN 1 AND 64),\n"
	"	slot TEXT NOT NULL CHECK (slot IN ('A', 'B')),\n"
	"	at TEXT NOT NULL CHECK (length(at) BETWEEN 1 AND 40),\n"
	"	detail TEXT CHECK (length(detail) <= 2000),\n"
	"	received_at INTEGER NOT NULL\n"
	") STRICT;\n";

/* Version 6: updates sent from afar (STORE.md "Updates sent from afar"):
 * the bundles uploaded (named by their SHA-256) and the update jobs, at most
 * one active per booth (a partial unique index: two requests at once make
 * one job). Jobs keep their bundle's id without a foreign key, so that a
 * deleted bundle leaves the history readable. */
static const char MIGRATION_6[] =
	"CREATE TABLE bundles (\n"
	"	id TEXT PRIMARY KEY CHECK (length(id) = 64),\n"
	"	size INTEGER NOT NULL CHECK (size > 0),\n"
	"	version TEXT CHECK (length(version) BETWEEN 1 AND 64),\n"
	"	compatible TEXT CHECK (length(compatible) BETWEEN 1 AND 64),\n"
	"	uploaded_at INTEGER NOT NULL,\n"
	"	uploaded_by TEXT NOT NULL DEFAULT '' CHECK (length(uploaded_by) <= 64)\n"
	") STRICT;\n"
	"CREATE TABLE update_jobs (\n"
	"	id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),\n"
	"	booth_id TEXT NOT NULL REFERENCES booths(id) ON DELETE CASCADE,\n"
	"	bundle_id TEXT NOT NULL CHECK (length(bundle_id) = 64),\n"
	"	state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'downloading', 'installing', "
	"'installed', 'kept', 'rolled-back', 'failed', 'cancelled')),\n"
	"	progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),\n"
	"	message TEXT CHECK (length(message) <= 2000),\n"
	"	created INTEGER NOT NULL,\n"
	"	updated INTEGER NOT NULL\n"
	") STRICT;\n"
	"CREATE INDEX update_jobs_booth ON update_jobs(booth_id, created);\n"
	"CREATE UNIQUE INDEX update_jobs_one_active ON update_jobs(booth_id)\n"
	"	WHERE state IN ('pending', 'downloading', 'installing', 'installed');\n";

/* Version 7: the calls in progress (STORE.md "Calls in progress"), written
 * when an adviser answers and removed with the call's record, so that a
 * switchboard started again (a restart, an update, a crash) takes them back
 * and their two ends can resume them. No visitor data: ids, a site, a
 * topic, times, and the login of the adviser who answered (only they may
 * resume it). */
static const char MIGRATION_7[] = "CREATE TABLE live_calls (\n"
				  "	call_id TEXT PRIMARY KEY CHECK (length(call_id) BETWEEN 1 AND 64),\n"
				  "	booth_id TEXT NOT NULL CHECK (length(booth_id) BETWEEN 1 AND 64),\n"
				  "	adviser TEXT NOT NULL CHECK (length(adviser) BETWEEN 1 AND 64),\n"
				  "	ticket TEXT NOT NULL CHECK (length(ticket) BETWEEN 1 AND 64),\n"
				  "	site TEXT CHECK (length(site) BETWEEN 1 AND 100),\n"
				  "	topic TEXT NOT NULL CHECK (length(topic) BETWEEN 1 AND 64),\n"
				  "	language TEXT NOT NULL CHECK (length(language) BETWEEN 2 AND 8),\n"
				  "	queued_at INTEGER NOT NULL,\n"
				  "	answered_at INTEGER NOT NULL CHECK (answered_at >= queued_at)\n"
				  ") STRICT;\n";

/* Version 8: a site's postal address, for the calendar event a booth shows
 * after a booking (PROTOCOL.md "Bookings"); empty until an administrator
 * sets it. One line: it is printed on the booth and in the event. */
static const char MIGRATION_8[] =
	"ALTER TABLE sites ADD COLUMN address TEXT NOT NULL DEFAULT '' CHECK (length(address) <= 200);\n";

/* Version 9: warm transfers (PROTOCOL.md "Warm transfer"): how many times
 * a call was handed from one adviser to another. One session with a
 * transfer stays one record; the statistics count the transferred ones. */
static const char MIGRATION_9[] = "ALTER TABLE call_records ADD COLUMN transfers INTEGER NOT NULL DEFAULT 0 "
				  "CHECK (transfers BETWEEN 0 AND 5);\n";

static const char *const migrations[] = {MIGRATION_1, MIGRATION_2, MIGRATION_3, MIGRATION_4, MIGRATION_5,
					 MIGRATION_6, MIGRATION_7, MIGRATION_8, MIGRATION_9};
G_STATIC_ASSERT(G_N_ELEMENTS(migrations) == SB_STORE_SCHEMA_VERSION);

/* --- the store and its engines (store-private.h, store-engine.h) ------------------------ */

SbStore *store_new(const StoreEngine *engine, const char *path, GDestroyNotify stmt_free)
{
	SbStore *s = g_new0(SbStore, 1);
	s->engine = engine;
	s->path = g_strdup(path);
	s->stmts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, stmt_free);
	s->early_min = CONFIG_RELAIS_SB_BOOKING_CHECKIN_EARLY_MIN;
	s->no_show_min = CONFIG_RELAIS_SB_BOOKING_NO_SHOW_MIN;
	s->busy_ms = CONFIG_RELAIS_SB_STORE_BUSY_MS;
	return s;
}

/* What the area files call: each dispatches to the store's (or the
 * statement's) engine. */

void store_stmt_release(SbStmt *st)
{
	st->engine->release(st);
}

SbStmt *store_prep(SbStore *s, const char *sql, GError **error)
{
	return s->engine->prep(s, sql, error);
}

StoreStep store_step(SbStore *s, SbStmt *st, const char *what, GError **error)
{
	return s->engine->step(s, st, what, error);
}

gboolean store_run(SbStore *s, SbStmt *st, const char *what, GError **error)
{
	return store_step(s, st, what, error) == STORE_DONE;
}

int store_bind_text(SbStmt *st, int i, const char *v)
{
	return v ? st->engine->bind_text(st, i, v) : st->engine->bind_null(st, i);
}

int store_bind_int(SbStmt *st, int i, gint v)
{
	return st->engine->bind_int64(st, i, v);
}

int store_bind_int64(SbStmt *st, int i, gint64 v)
{
	return st->engine->bind_int64(st, i, v);
}

/* 0 binds NULL (optional references, times not reached) */
int store_bind_opt(SbStmt *st, int i, gint64 v)
{
	return v ? st->engine->bind_int64(st, i, v) : st->engine->bind_null(st, i);
}

gboolean store_bound(SbStore *s, int rc, GError **error)
{
	return s->engine->bound(s, rc, error);
}

char *store_col_str(SbStmt *st, int i)
{
	return g_strdup(st->engine->col_text(st, i));
}

const char *store_col_text(SbStmt *st, int i)
{
	return st->engine->col_text(st, i);
}

gint store_col_int(SbStmt *st, int i)
{
	return (gint)st->engine->col_int64(st, i);
}

gint64 store_col_int64(SbStmt *st, int i)
{
	return st->engine->col_int64(st, i);
}

gboolean store_col_is_null(SbStmt *st, int i)
{
	return st->engine->col_is_null(st, i);
}

guint store_changes(SbStore *s)
{
	return s->engine->changes(s);
}

gint64 store_last_id(SbStore *s)
{
	return s->engine->last_id(s);
}

gboolean store_changed_one(SbStore *s, const char *what, const char *key, GError **error)
{
	if (store_changes(s) > 0)
		return TRUE;
	g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no %s '%s'", what, key);
	return FALSE;
}

/* Inside a batch (sb_store_batch_begin, the write queue's grouped writes)
 * an area's own transaction is a savepoint: its rollback undoes its own
 * work and leaves the batch's other writes alone. */
gboolean store_tx_begin(SbStore *s, GError **error)
{
	return s->engine->tx_begin(s, error);
}

gboolean store_tx_commit(SbStore *s, GError **error)
{
	return s->engine->tx_commit(s, error);
}

void store_tx_rollback(SbStore *s)
{
	s->engine->tx_rollback(s);
}

/* --- SQLite's engine ------------------------------------------------------------------ */

/* SQLite's statement: a sqlite3_stmt behind the common head. */
typedef struct {
	SbStmt head;
	sqlite3_stmt *st;
} LiteStmt;

#define ST(st) (((LiteStmt *)(gpointer)(st))->st)

static void lite_release(SbStmt *st)
{
	sqlite3_reset(ST(st));
	sqlite3_clear_bindings(ST(st));
}

static void stmt_finalize(gpointer st)
{
	sqlite3_finalize(ST(st));
	g_free(st);
}

static SbStoreError code_for(int rc)
{
	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return SB_STORE_ERROR_EXISTS;
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return SB_STORE_ERROR_IN_USE;
	default:
		break;
	}
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		return SB_STORE_ERROR_INVALID;
	/* the moment's faults: a full disk, an I/O error (ENOSPC on some file
	 * systems), another writer's lock held past the busy timeout */
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return SB_STORE_ERROR_UNAVAILABLE;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return SB_STORE_ERROR_CORRUPT;
	default:
		return SB_STORE_ERROR_FAILED;
	}
}

static gboolean sql_error(SbStore *s, GError **error, const char *what)
{
	int rc = sqlite3_extended_errcode(s->db);
	g_set_error(error, SB_STORE_ERROR, code_for(rc), "%s: %s", what, sqlite3_errmsg(s->db));
	return FALSE;
}

static const StoreEngine lite_engine;

static SbStmt *lite_prep(SbStore *s, const char *sql, GError **error)
{
	LiteStmt *st = g_hash_table_lookup(s->stmts, sql);
	if (st != NULL)
		return &st->head;
	sqlite3_stmt *raw = NULL;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, NULL) != SQLITE_OK) {
		sql_error(s, error, "preparing a query");
		return NULL;
	}
	st = g_new0(LiteStmt, 1);
	st->head.engine = &lite_engine;
	st->st = raw;
	g_hash_table_insert(s->stmts, (gpointer)sql, st);
	return &st->head;
}

static StoreStep lite_step(SbStore *s, SbStmt *st, const char *what, GError **error)
{
	int rc = sqlite3_step(ST(st));
	if (rc == SQLITE_ROW)
		return STORE_ROW;
	if (rc == SQLITE_DONE)
		return STORE_DONE;
	sql_error(s, error, what);
	return STORE_FAILED;
}

static int lite_bind_text(SbStmt *st, int i, const char *v)
{
	return sqlite3_bind_text(ST(st), i, v, -1, SQLITE_TRANSIENT);
}

static int lite_bind_int64(SbStmt *st, int i, gint64 v)
{
	return sqlite3_bind_int64(ST(st), i, v);
}

static int lite_bind_null(SbStmt *st, int i)
{
	return sqlite3_bind_null(ST(st), i);
}

static gboolean lite_bound(SbStore *s, int rc, GError **error)
{
	if (rc == SQLITE_OK)
		return TRUE;
	return sql_error(s, error, "binding a parameter");
}

static const char *lite_col_text(SbStmt *st, int i)
{
	return (const char *)sqlite3_column_text(ST(st), i);
}

static gint64 lite_col_int64(SbStmt *st, int i)
{
	return sqlite3_column_int64(ST(st), i);
}

static gboolean lite_col_is_null(SbStmt *st, int i)
{
	return sqlite3_column_type(ST(st), i) == SQLITE_NULL;
}

static guint lite_changes(SbStore *s)
{
	return (guint)sqlite3_changes(s->db);
}

static gint64 lite_last_id(SbStore *s)
{
	return sqlite3_last_insert_rowid(s->db);
}

static gboolean exec(SbStore *s, const char *sql, const char *what, GError **error)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return TRUE;
	int rc = sqlite3_extended_errcode(s->db);
	g_set_error(error, SB_STORE_ERROR, code_for(rc), "%s: %s", what, msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return FALSE;
}

static gboolean lite_tx_begin(SbStore *s, GError **error)
{
	if (sqlite3_get_autocommit(s->db)) {
		s->savepoints = 0;
		return exec(s, "BEGIN IMMEDIATE", "starting a transaction", error);
	}
	if (!exec(s, "SAVEPOINT relais_tx", "starting a savepoint", error))
		return FALSE;
	s->savepoints++;
	return TRUE;
}

/* SQLite rolls a whole transaction back on some errors (a full disk, an
 * I/O error): the savepoints went with it. */
static gboolean tx_lost(SbStore *s, GError **error)
{
	s->savepoints = 0;
	g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_UNAVAILABLE,
		    "a write failed and the transaction was rolled back");
	return FALSE;
}

static gboolean lite_tx_commit(SbStore *s, GError **error)
{
	if (s->savepoints == 0)
		return exec(s, "COMMIT", "committing", error);
	if (sqlite3_get_autocommit(s->db))
		return tx_lost(s, error);
	s->savepoints--;
	return exec(s, "RELEASE relais_tx", "releasing a savepoint", error);
}

static void lite_tx_rollback(SbStore *s)
{
	if (sqlite3_get_autocommit(s->db)) {
		s->savepoints = 0;
		return;
	}
	if (s->savepoints == 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return;
	}
	s->savepoints--;
	sqlite3_exec(s->db, "ROLLBACK TO relais_tx; RELEASE relais_tx", NULL, NULL, NULL);
}

static gboolean lite_in_tx(SbStore *s)
{
	return !sqlite3_get_autocommit(s->db);
}
/* (transfer full) the first column of a one-off statement's row */
static char *first_text(sqlite3_stmt *st)
{
	const unsigned char *t = sqlite3_column_text(st, 0);
	return t ? g_strdup((const char *)t) : NULL;
}

/* --- open, migrate, close ------------------------------------------------------------ */

static gboolean prepare_file(const char *path, GError **error)
{
	/* created here, not by SQLite, so that it never exists with the
	 * umask's mode; SQLite gives -wal and -shm the same mode */
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		int e = errno;
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "cannot open: %s", g_strerror(e));
		return FALSE;
	}
	struct stat st;
	gboolean ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	if (!ok)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "not a regular file");
	else if ((st.st_mode & 0077) != 0 && fchmod(fd, 0600) != 0) {
		int e = errno;
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "cannot make it private (0600): %s",
			    g_strerror(e));
		ok = FALSE;
	}
	close(fd);
	return ok;
}

static gboolean pragma_int(SbStore *s, const char *sql, gint64 *out, GError **error)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_error(s, error, "reading the database");
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return sql_error(s, error, "reading the database");
	return TRUE;
}

/* Fails (CORRUPT) with the first problem PRAGMA quick_check reports. */
static gboolean quick_check(SbStore *s, GError **error)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL) != SQLITE_OK)
		return sql_error(s, error, "checking the database");
	int rc = sqlite3_step(st);
	g_autofree char *result = rc == SQLITE_ROW ? first_text(st) : NULL;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return sql_error(s, error, "checking the database");
	if (g_strcmp0(result, "ok") != 0) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT, "the database is damaged: %s",
			    result ? result : "?");
		return FALSE;
	}
	return TRUE;
}

static gboolean migrate(SbStore *s, gint from, GError **error)
{
	for (gint v = from; v < SB_STORE_SCHEMA_VERSION; v++) {
		g_autoptr(GError) local = NULL;
		g_autofree char *set_version =
			g_strdup_printf("PRAGMA application_id = %d; PRAGMA user_version = %d", APPLICATION_ID, v + 1);
		gint64 violations = 0;
		gboolean ok = store_tx_begin(s, &local) && exec(s, migrations[v], "applying the migration", &local) &&
			      pragma_int(s, "SELECT count(*) FROM pragma_foreign_key_check", &violations, &local);
		if (ok && violations > 0) {
			g_set_error(&local, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT,
				    "%" G_GINT64_FORMAT " rows refer to rows that do not exist", violations);
			ok = FALSE;
		}
		ok = ok && exec(s, set_version, "setting the version", &local) && store_tx_commit(s, &local);
		if (!ok) {
			store_tx_rollback(s);
			g_propagate_prefixed_error(error, g_steal_pointer(&local),
						   "migrating from schema version %d to %d (nothing changed): ", v,
						   v + 1);
			return FALSE;
		}
		s->version = v + 1;
	}
	return TRUE;
}

static gboolean open_db(SbStore *s, GError **error)
{
	int rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		g_set_error(error, SB_STORE_ERROR, code_for(rc), "%s",
			    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		return FALSE;
	}
	sqlite3_extended_result_codes(s->db, 1);
	s->busy_ms = CONFIG_RELAIS_SB_STORE_BUSY_MS;
	sqlite3_busy_timeout(s->db, (int)s->busy_ms);

	/* the first read of the header: garbage fails here */
	gint64 version = 0, app_id = 0, objects = 0;
	if (!pragma_int(s, "PRAGMA user_version", &version, error) ||
	    !pragma_int(s, "PRAGMA application_id", &app_id, error) ||
	    !pragma_int(s, "SELECT count(*) FROM sqlite_schema", &objects, error))
		return FALSE;
	if ((app_id != 0 && app_id != APPLICATION_ID) || (version == 0 && objects > 0) ||
	    (version > 0 && app_id == 0)) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_RELAIS,
			    "a SQLite database of another program (application id %" G_GINT64_FORMAT
			    ", version %" G_GINT64_FORMAT "): refusing to touch it",
			    app_id, version);
		return FALSE;
	}
	if (version > SB_STORE_SCHEMA_VERSION || version < 0) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_TOO_NEW,
			    "schema version %" G_GINT64_FORMAT
			    " is newer than this relais-switchboard knows (%d): refusing to open it; "
			    "run the newer version, or restore a backup",
			    version, SB_STORE_SCHEMA_VERSION);
		return FALSE;
	}
	s->version = (gint)version;
	if (!quick_check(s, error))
		return FALSE;

	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK)
		return sql_error(s, error, "setting WAL mode");
	rc = sqlite3_step(st);
	g_autofree char *mode = rc == SQLITE_ROW ? first_text(st) : NULL;
	sqlite3_finalize(st);
	if (g_strcmp0(mode, "wal") != 0) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "cannot use WAL mode (%s)",
			    mode ? mode : sqlite3_errmsg(s->db));
		return FALSE;
	}
	/* Deleted rows (sign-ins, attempts, notes) are overwritten, not left in
	 * free pages. Foreign keys stay off while migrating: a table rebuild
	 * must not cascade-delete the rows that refer to it (SQLite's "making
	 * other kinds of table schema changes"); each migration checks them
	 * before it commits instead. */
	if (!exec(s, "PRAGMA secure_delete = ON; PRAGMA foreign_keys = OFF", "setting up", error))
		return FALSE;
	if (!migrate(s, s->version, error))
		return FALSE;
	gint64 fk = 0;
	if (!exec(s, "PRAGMA foreign_keys = ON", "enabling foreign keys", error) ||
	    !pragma_int(s, "PRAGMA foreign_keys", &fk, error))
		return FALSE;
	if (fk != 1) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "this SQLite has no foreign keys");
		return FALSE;
	}
	return TRUE;
}

SbStore *sb_store_open(const char *dir, GError **error)
{
	if (dir == NULL || dir[0] == '\0') {
		store_invalid(error, "no data folder given");
		return NULL;
	}
	if (store_pg_location(dir))
		return store_pg_open(dir, error);
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		int e = errno;
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "cannot create %s: %s", dir, g_strerror(e));
		return NULL;
	}
	g_autofree char *path = g_build_filename(dir, SB_STORE_FILE, NULL);
	g_autoptr(SbStore) s = store_new(&lite_engine, path, stmt_finalize);
	g_autoptr(GError) local = NULL;
	if (!prepare_file(s->path, &local) || !open_db(s, &local)) {
		if (g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT))
			g_propagate_prefixed_error(error, g_steal_pointer(&local),
						   "store %s is damaged or not a SQLite database "
						   "(move it away or restore a backup): ",
						   s->path);
		else
			g_propagate_prefixed_error(error, g_steal_pointer(&local), "store %s: ", s->path);
		return NULL;
	}
	return g_steal_pointer(&s);
}

void sb_store_free(SbStore *s)
{
	if (s == NULL)
		return;
	if (s->stmts)
		g_hash_table_destroy(s->stmts);
	s->engine->close(s);
	g_free(s->path);
	g_free(s);
}

gint sb_store_schema_version(SbStore *s)
{
	return s->version;
}

const char *sb_store_path(SbStore *s)
{
	return s->path;
}

char *sb_store_folder(SbStore *s)
{
	return s->engine == &lite_engine ? g_path_get_dirname(s->path) : NULL;
}

void sb_store_set_clock(SbStore *s, SbStoreClock clock, gpointer user_data)
{
	s->clock = clock;
	s->clock_data = user_data;
}

void sb_store_set_booking_window(SbStore *s, guint early_min, guint no_show_min)
{
	s->early_min = early_min;
	s->no_show_min = MAX(no_show_min, 1);
}

void sb_store_get_booking_window(SbStore *s, guint *early_min, guint *no_show_min)
{
	if (early_min)
		*early_min = s->early_min;
	if (no_show_min)
		*no_show_min = s->no_show_min;
}

gint64 sb_store_now(SbStore *s)
{
	if (s->writer)
		return sb_store_now(s->writer);
	return s->clock ? s->clock(s->clock_data) : g_get_real_time() / G_USEC_PER_SEC;
}

/* SQLite calls it every few thousand steps of a reader's query: non-zero
 * interrupts the query (SQLITE_INTERRUPT). */
static int reader_progress(void *data)
{
	SbStore *s = data;
	return s->deadline_us && g_get_monotonic_time() > s->deadline_us;
}

/* A second connection to `main`'s store (the file exists and is migrated:
 * `main` made it), opened with `flags`; `what` names it in errors. */
static SbStore *open_sibling(SbStore *main, int flags, const char *what, GError **error)
{
	g_autoptr(SbStore) s = store_new(&lite_engine, main->path, stmt_finalize);
	s->writer = main;
	s->version = main->version;
	s->early_min = main->early_min;
	s->no_show_min = main->no_show_min;
	int rc = sqlite3_open_v2(s->path, &s->db, flags | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		g_set_error(error, SB_STORE_ERROR, code_for(rc), "store %s, %s: %s", s->path, what,
			    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		return NULL;
	}
	sqlite3_extended_result_codes(s->db, 1);
	s->busy_ms = CONFIG_RELAIS_SB_STORE_BUSY_MS;
	sqlite3_busy_timeout(s->db, (int)s->busy_ms);
	return g_steal_pointer(&s);
}

static SbStore *lite_open_reader(SbStore *writer, GError **error)
{
	g_autoptr(SbStore) s = open_sibling(writer, SQLITE_OPEN_READONLY, "reading connection", error);
	if (s == NULL)
		return NULL;
	sqlite3_progress_handler(s->db, 1000, reader_progress, s);
	if (!exec(s, "PRAGMA query_only = ON", "making the reading connection read-only", error))
		return NULL;
	return g_steal_pointer(&s);
}

static SbStore *lite_open_writer(SbStore *main, GError **error)
{
	g_autoptr(SbStore) s = open_sibling(main, SQLITE_OPEN_READWRITE, "writing connection", error);
	if (s == NULL)
		return NULL;
	/* per connection, as the main one's (open_db); synchronous stays FULL */
	gint64 fk = 0;
	if (!exec(s, "PRAGMA secure_delete = ON; PRAGMA foreign_keys = ON", "setting up the writing connection",
		  error) ||
	    !pragma_int(s, "PRAGMA foreign_keys", &fk, error))
		return NULL;
	if (fk != 1) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "this SQLite has no foreign keys");
		return NULL;
	}
	return g_steal_pointer(&s);
}

static SbStore *lite_open_sibling(SbStore *main, gboolean read_only, GError **error)
{
	return read_only ? lite_open_reader(main, error) : lite_open_writer(main, error);
}

SbStore *sb_store_open_reader(SbStore *writer, GError **error)
{
	return writer->engine->open_sibling(writer, TRUE, error);
}

SbStore *sb_store_open_writer(SbStore *main, GError **error)
{
	return main->engine->open_sibling(main, FALSE, error);
}

void sb_store_set_deadline(SbStore *s, gint64 deadline_us)
{
	s->deadline_us = deadline_us;
}

gboolean sb_store_error_is_transient(const GError *error)
{
	return g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_UNAVAILABLE);
}

gboolean sb_store_batch_begin(SbStore *s, GError **error)
{
	return store_tx_begin(s, error);
}

gboolean sb_store_batch_end(SbStore *s, GError **error)
{
	if (!s->engine->in_tx(s)) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_UNAVAILABLE,
			    "a write failed and the transaction was rolled back");
		return FALSE;
	}
	if (store_tx_commit(s, error))
		return TRUE;
	store_tx_rollback(s);
	return FALSE;
}

gboolean sb_store_batch_write(SbStore *s, SbStoreWriteFunc func, gpointer data, GError **error)
{
	if (!store_tx_begin(s, error))
		return FALSE;
	if (func(s, data, error) && store_tx_commit(s, error))
		return TRUE;
	store_tx_rollback(s);
	return FALSE;
}

gboolean sb_store_batch_open(SbStore *s)
{
	return s->engine->in_tx(s);
}

void sb_store_batch_abort(SbStore *s)
{
	/* every savepoint goes with the transaction */
	s->savepoints = 0;
	if (s->engine->in_tx(s))
		s->engine->tx_rollback(s);
}

void sb_store_set_busy_ms(SbStore *s, guint ms)
{
	s->busy_ms = ms ? ms : CONFIG_RELAIS_SB_STORE_BUSY_MS;
	s->engine->set_busy_ms(s, s->busy_ms);
}

gboolean sb_store_can_read(SbStore *s, GError **error)
{
	return s->engine->can_read(s, error);
}

gboolean sb_store_can_write(SbStore *s, guint wait_ms, GError **error)
{
	return s->engine->can_write(s, wait_ms, error);
}

static void lite_set_busy_ms(SbStore *s, guint ms)
{
	sqlite3_busy_timeout(s->db, (int)MIN(ms, (guint)G_MAXINT));
}

static void lite_close(SbStore *s)
{
	if (s->db)
		sqlite3_close_v2(s->db);
}

static gboolean lite_can_read(SbStore *s, GError **error)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return TRUE;
	rc = sqlite3_extended_errcode(s->db);
	g_set_error(error, SB_STORE_ERROR, code_for(rc), "reading: %s", sqlite3_errstr(rc));
	return FALSE;
}

static gboolean lite_can_write(SbStore *s, guint wait_ms, GError **error)
{
	if (!sqlite3_get_autocommit(s->db))
		return TRUE; /* a transaction of ours is open: it holds the lock */
	sqlite3_busy_timeout(s->db, (int)wait_ms);
	gboolean ok = exec(s, "BEGIN IMMEDIATE", "taking the write lock", error);
	if (ok)
		ok = exec(s, "ROLLBACK", "giving the write lock back", error);
	sqlite3_busy_timeout(s->db, (int)s->busy_ms);
	if (!ok)
		return FALSE;
	g_autofree char *dir = g_path_get_dirname(s->path);
	if (access(dir, W_OK) != 0) {
		int e = errno;
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "%s: %s", dir, g_strerror(e));
		return FALSE;
	}
	return TRUE;
}

gboolean sb_store_maintain(SbStore *s, GError **error)
{
	return sb_store_signin_purge(s, NULL, error) && sb_store_attempts_prune(s, 0, NULL, error) &&
	       sb_store_bookings_expire(s, NULL, error);
}

static const StoreEngine lite_engine = {
	.name = "sqlite",
	.prep = lite_prep,
	.step = lite_step,
	.release = lite_release,
	.bind_text = lite_bind_text,
	.bind_int64 = lite_bind_int64,
	.bind_null = lite_bind_null,
	.bound = lite_bound,
	.col_text = lite_col_text,
	.col_int64 = lite_col_int64,
	.col_is_null = lite_col_is_null,
	.changes = lite_changes,
	.last_id = lite_last_id,
	.tx_begin = lite_tx_begin,
	.tx_commit = lite_tx_commit,
	.tx_rollback = lite_tx_rollback,
	.in_tx = lite_in_tx,
	.open_sibling = lite_open_sibling,
	.close = lite_close,
	.set_busy_ms = lite_set_busy_ms,
	.can_read = lite_can_read,
	.can_write = lite_can_write,
};
