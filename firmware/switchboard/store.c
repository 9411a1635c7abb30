/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-store"

#include "store.h"
#include "auth.h"
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

static const char *const migrations[] = {MIGRATION_1, MIGRATION_2, MIGRATION_3};
G_STATIC_ASSERT(G_N_ELEMENTS(migrations) == SB_STORE_SCHEMA_VERSION);

/* --- the store and its helpers ------------------------------------------------------ */

struct _SbStore {
	sqlite3 *db;
	char *path;
	gint version;
	GHashTable *stmts; /* SQL text (static) -> sqlite3_stmt* */
	SbStoreClock clock;
	gpointer clock_data;
	guint early_min, no_show_min;
};

/* A cached statement borrowed for one query: the cleanup resets it. */
typedef sqlite3_stmt SbStmt;
static void stmt_release(SbStmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbStmt, stmt_release)

static void stmt_finalize(gpointer st)
{
	sqlite3_finalize(st);
}

static gint64 now_s(SbStore *s)
{
	return s->clock ? s->clock(s->clock_data) : g_get_real_time() / G_USEC_PER_SEC;
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

static gboolean invalid(GError **error, const char *format, ...) G_GNUC_PRINTF(2, 3);
static gboolean invalid(GError **error, const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	g_autofree char *msg = g_strdup_vprintf(format, ap);
	va_end(ap);
	g_set_error_literal(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID, msg);
	return FALSE;
}

static SbStmt *prep(SbStore *s, const char *sql, GError **error)
{
	sqlite3_stmt *st = g_hash_table_lookup(s->stmts, sql);
	if (st != NULL)
		return st;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		sql_error(s, error, "preparing a query");
		return NULL;
	}
	g_hash_table_insert(s->stmts, (gpointer)sql, st);
	return st;
}

/* SQLITE_ROW or SQLITE_DONE, or 0 with `error` set */
static int step(SbStore *s, SbStmt *st, const char *what, GError **error)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc;
	sql_error(s, error, what);
	return 0;
}

/* Runs a statement that returns no rows. */
static gboolean run(SbStore *s, SbStmt *st, const char *what, GError **error)
{
	return step(s, st, what, error) == SQLITE_DONE;
}

static int bind_text(SbStmt *st, int i, const char *v)
{
	return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

/* 0 binds NULL (optional references, times not reached) */
static int bind_opt(SbStmt *st, int i, gint64 v)
{
	return v ? sqlite3_bind_int64(st, i, v) : sqlite3_bind_null(st, i);
}

static gboolean bound(SbStore *s, int rc, GError **error)
{
	if (rc == SQLITE_OK)
		return TRUE;
	return sql_error(s, error, "binding a parameter");
}

static char *col_str(SbStmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? g_strdup((const char *)t) : NULL;
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

static gboolean tx_begin(SbStore *s, GError **error)
{
	return exec(s, "BEGIN IMMEDIATE", "starting a transaction", error);
}

static gboolean tx_commit(SbStore *s, GError **error)
{
	return exec(s, "COMMIT", "committing", error);
}

static void tx_rollback(SbStore *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* --- input checks -------------------------------------------------------------------- */

/* UTF-8 text of min..max characters without control characters (newlines
 * only where allowed). */
static gboolean check_text(const char *field, const char *v, glong min, glong max, gboolean newlines, GError **error)
{
	if (v == NULL)
		v = "";
	if (!g_utf8_validate(v, -1, NULL))
		return invalid(error, "%s is not valid UTF-8 text", field);
	glong n = g_utf8_strlen(v, -1);
	if (n < min)
		return min == 1 ? invalid(error, "%s is empty", field)
				: invalid(error, "%s is shorter than %ld characters", field, min);
	if (n > max)
		return invalid(error, "%s is longer than %ld characters", field, max);
	for (const char *c = v; *c; c = g_utf8_next_char(c)) {
		gunichar u = g_utf8_get_char(c);
		if ((u < 0x20 && !(newlines && u == '\n')) || u == 0x7f || (u >= 0x80 && u < 0xa0))
			return invalid(error, "%s contains a control character", field);
	}
	return TRUE;
}

/* PROTOCOL.md's id: 1..max of [A-Za-z0-9._:-] */
static gboolean is_id(const char *v, gsize max)
{
	gsize n = v ? strlen(v) : 0;
	if (n == 0 || n > max)
		return FALSE;
	for (const char *c = v; *c; c++)
		if (!g_ascii_isalnum(*c) && !strchr("._:-", *c))
			return FALSE;
	return TRUE;
}

static gboolean check_id(const char *field, const char *v, gsize max, GError **error)
{
	if (!is_id(v, max))
		return invalid(error, "%s must be 1..%zu characters of A-Z a-z 0-9 . _ : -", field, max);
	return TRUE;
}

/* PROTOCOL.md's lang: 2..8 of [a-z-] */
static gboolean is_lang(const char *v)
{
	gsize n = v ? strlen(v) : 0;
	if (n < 2 || n > 8)
		return FALSE;
	for (const char *c = v; *c; c++)
		if (!g_ascii_islower(*c) && *c != '-')
			return FALSE;
	return TRUE;
}

/* lower-case word: [a-z0-9_-], 1..max (booth states, outcome codes) */
static gboolean is_word(const char *v, gsize max)
{
	gsize n = v ? strlen(v) : 0;
	if (n == 0 || n > max)
		return FALSE;
	for (const char *c = v; *c; c++)
		if (!g_ascii_islower(*c) && !g_ascii_isdigit(*c) && *c != '_' && *c != '-')
			return FALSE;
	return TRUE;
}

/* Lower-cases and checks a login. Returns: (transfer full) or NULL. */
static char *norm_login(const char *login, GError **error)
{
	if (login == NULL || login[0] == '\0') {
		invalid(error, "the login is empty");
		return NULL;
	}
	gsize n = strlen(login);
	if (n < 2 || n > SB_STORE_MAX_LOGIN) {
		invalid(error, "a login has 2..%d characters", SB_STORE_MAX_LOGIN);
		return NULL;
	}
	g_autofree char *l = g_ascii_strdown(login, -1);
	for (const char *c = l; *c; c++) {
		if (!g_ascii_islower(*c) && !g_ascii_isdigit(*c) && !strchr("._-@", *c)) {
			invalid(error, "a login may contain only letters a-z, digits and . _ - @");
			return NULL;
		}
	}
	if (!g_ascii_isalnum(l[0])) {
		invalid(error, "a login starts with a letter or a digit");
		return NULL;
	}
	return g_steal_pointer(&l);
}

/* Joins a list of lang tags or topic ids, checking each. */
static char *join_list(const char *field, char **items, gboolean langs, GError **error)
{
	guint n = items ? g_strv_length(items) : 0;
	if (n > SB_STORE_MAX_LIST) {
		invalid(error, "more than %d %s", SB_STORE_MAX_LIST, field);
		return NULL;
	}
	for (guint i = 0; i < n; i++) {
		gboolean ok = langs ? is_lang(items[i]) : is_id(items[i], SB_STORE_MAX_ID);
		if (!ok) {
			invalid(error, "%s: '%s' is not a %s", field, items[i],
				langs ? "language tag (2..8 of a-z -)" : "topic id");
			return NULL;
		}
		for (guint j = 0; j < i; j++) {
			if (strcmp(items[i], items[j]) == 0) {
				invalid(error, "%s: '%s' twice", field, items[i]);
				return NULL;
			}
		}
	}
	return n ? g_strjoinv(",", items) : g_strdup("");
}

static char **split_list(const char *joined)
{
	if (joined == NULL || joined[0] == '\0')
		return g_new0(char *, 1);
	return g_strsplit(joined, ",", 0);
}

static gboolean looks_like_hash(const char *h)
{
	if (h == NULL || !g_str_has_prefix(h, "scrypt$") || strlen(h) > 512)
		return FALSE;
	for (const char *c = h; *c; c++)
		if (!g_ascii_isgraph(*c))
			return FALSE;
	return TRUE;
}

/* "YYYY-MM-DD", a real date */
static gboolean parse_date(const char *v, GDate *out)
{
	if (v == NULL || strlen(v) != 10 || v[4] != '-' || v[7] != '-')
		return FALSE;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !g_ascii_isdigit(v[i]))
			return FALSE;
	int y = atoi(v), m = atoi(v + 5), d = atoi(v + 8);
	if (!g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y) || y < 1970)
		return FALSE;
	g_date_clear(out, 1);
	g_date_set_dmy(out, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
	return TRUE;
}

gboolean sb_store_parse_date(const char *text, GDate *out)
{
	return parse_date(text, out);
}

static void format_date(const GDate *d, char out[11])
{
	g_snprintf(out, 11, "%04u-%02u-%02u", g_date_get_year(d), g_date_get_month(d), g_date_get_day(d));
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
	g_autofree char *result = rc == SQLITE_ROW ? col_str(st, 0) : NULL;
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
		gboolean ok = tx_begin(s, &local) && exec(s, migrations[v], "applying the migration", &local) &&
			      pragma_int(s, "SELECT count(*) FROM pragma_foreign_key_check", &violations, &local);
		if (ok && violations > 0) {
			g_set_error(&local, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT,
				    "%" G_GINT64_FORMAT " rows refer to rows that do not exist", violations);
			ok = FALSE;
		}
		ok = ok && exec(s, set_version, "setting the version", &local) && tx_commit(s, &local);
		if (!ok) {
			tx_rollback(s);
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
	sqlite3_busy_timeout(s->db, CONFIG_RELAIS_SB_STORE_BUSY_MS);

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
	g_autofree char *mode = rc == SQLITE_ROW ? col_str(st, 0) : NULL;
	sqlite3_finalize(st);
	if (g_strcmp0(mode, "wal") != 0) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "cannot use WAL mode (%s)",
			    mode ? mode : sqlite3_errmsg(s->db));
		return FALSE;
	}
	/* Deleted rows (sessions, attempts, notes) are overwritten, not left in
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
		invalid(error, "no data folder given");
		return NULL;
	}
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		int e = errno;
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "cannot create %s: %s", dir, g_strerror(e));
		return NULL;
	}
	g_autoptr(SbStore) s = g_new0(SbStore, 1);
	s->path = g_build_filename(dir, SB_STORE_FILE, NULL);
	s->stmts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, stmt_finalize);
	s->early_min = CONFIG_RELAIS_SB_BOOKING_CHECKIN_EARLY_MIN;
	s->no_show_min = CONFIG_RELAIS_SB_BOOKING_NO_SHOW_MIN;
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
	if (s->db)
		sqlite3_close_v2(s->db);
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
	return now_s(s);
}

gboolean sb_store_maintain(SbStore *s, GError **error)
{
	return sb_store_session_purge(s, NULL, error) && sb_store_attempts_prune(s, 0, NULL, error) &&
	       sb_store_bookings_expire(s, NULL, error);
}

/* --- users ------------------------------------------------------------------------------ */

static const char *const role_names[] = {"adviser", "admin", "staff"};

const char *sb_role_to_string(SbRole role)
{
	return (guint)role < G_N_ELEMENTS(role_names) ? role_names[role] : "unknown";
}

gboolean sb_role_from_string(const char *text, SbRole *role)
{
	for (guint i = 0; text && i < G_N_ELEMENTS(role_names); i++) {
		if (strcmp(text, role_names[i]) == 0) {
			*role = (SbRole)i;
			return TRUE;
		}
	}
	return FALSE;
}

void sb_user_free(SbUser *u)
{
	if (u == NULL)
		return;
	g_free(u->login);
	g_free(u->display_name);
	g_strfreev(u->languages);
	g_strfreev(u->topics);
	if (u->password_hash)
		memset(u->password_hash, 0, strlen(u->password_hash));
	g_free(u->password_hash);
	g_free(u);
}

#define USER_COLS "u.id, u.login, u.display_name, u.role, u.site_id, u.languages, u.topics, u.created, u.disabled"

static SbUser *user_from_row(SbStmt *st, int col_hash)
{
	SbUser *u = g_new0(SbUser, 1);
	u->id = sqlite3_column_int64(st, 0);
	u->login = col_str(st, 1);
	u->display_name = col_str(st, 2);
	g_autofree char *role = col_str(st, 3);
	if (!sb_role_from_string(role, &u->role))
		u->role = SB_ROLE_ADVISER; /* the schema's CHECK makes this unreachable */
	u->site_id = sqlite3_column_int64(st, 4);
	g_autofree char *langs = col_str(st, 5);
	g_autofree char *topics = col_str(st, 6);
	u->languages = split_list(langs);
	u->topics = split_list(topics);
	u->created = sqlite3_column_int64(st, 7);
	u->disabled = sqlite3_column_int(st, 8) != 0;
	if (col_hash >= 0)
		u->password_hash = col_str(st, col_hash);
	return u;
}

static gboolean site_exists(SbStore *s, gint64 site_id, GError **error)
{
	g_autoptr(SbStmt) st = prep(s, "SELECT 1 FROM sites WHERE id = ?", error);
	if (st == NULL || !bound(s, sqlite3_bind_int64(st, 1, site_id), error))
		return FALSE;
	int rc = step(s, st, "looking up a site", error);
	if (rc == SQLITE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no site %" G_GINT64_FORMAT, site_id);
	return rc == SQLITE_ROW;
}

/* The checks shared by add and update: fills the joined lists. */
static gboolean check_user(SbStore *s, const SbUser *u, char **langs, char **topics, GError **error)
{
	if (!check_text("the display name", u->display_name, 1, SB_STORE_MAX_NAME, FALSE, error))
		return FALSE;
	if ((guint)u->role >= G_N_ELEMENTS(role_names))
		return invalid(error, "unknown role %d (adviser, admin or staff)", (int)u->role);
	if (u->role == SB_ROLE_STAFF && u->site_id <= 0)
		return invalid(error, "a staff account belongs to a site");
	if (u->role != SB_ROLE_STAFF && u->site_id != 0)
		return invalid(error, "only staff accounts belong to a site");
	if (u->role == SB_ROLE_STAFF && !site_exists(s, u->site_id, error))
		return FALSE;
	*langs = join_list("languages", u->languages, TRUE, error);
	if (*langs == NULL)
		return FALSE;
	*topics = join_list("topics", u->topics, FALSE, error);
	return *topics != NULL;
}

gint64 sb_store_user_add(SbStore *s, const SbUser *u, GError **error)
{
	g_return_val_if_fail(s != NULL && u != NULL, 0);
	g_autofree char *login = norm_login(u->login, error);
	if (login == NULL)
		return 0;
	g_autofree char *langs = NULL, *topics = NULL;
	if (!check_user(s, u, &langs, &topics, error))
		return 0;
	if (!looks_like_hash(u->password_hash)) {
		invalid(error, "refusing to store something that is not a password hash");
		return 0;
	}
	g_autoptr(SbStmt) st = prep(s,
				    "INSERT INTO users (login, display_name, role, site_id, languages, topics, "
				    "password_hash, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				    error);
	if (st == NULL)
		return 0;
	int rc = bind_text(st, 1, login) | bind_text(st, 2, u->display_name) |
		 bind_text(st, 3, sb_role_to_string(u->role)) | bind_opt(st, 4, u->site_id) | bind_text(st, 5, langs) |
		 bind_text(st, 6, topics) | bind_text(st, 7, u->password_hash) | sqlite3_bind_int64(st, 8, now_s(s));
	if (!bound(s, rc, error))
		return 0;
	g_autoptr(GError) local = NULL;
	if (!run(s, st, "adding the account", &local)) {
		if (g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS))
			g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS, "the login '%s' is taken", login);
		else
			g_propagate_error(error, g_steal_pointer(&local));
		return 0;
	}
	return sqlite3_last_insert_rowid(s->db);
}

static gboolean changed_one(SbStore *s, const char *what, const char *key, GError **error)
{
	if (sqlite3_changes(s->db) > 0)
		return TRUE;
	g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no %s '%s'", what, key);
	return FALSE;
}

gboolean sb_store_user_update(SbStore *s, const SbUser *u, GError **error)
{
	g_autofree char *login = norm_login(u->login, error);
	if (login == NULL)
		return FALSE;
	g_autofree char *langs = NULL, *topics = NULL;
	if (!check_user(s, u, &langs, &topics, error))
		return FALSE;
	g_autoptr(SbStmt) st = prep(s,
				    "UPDATE users SET display_name = ?, role = ?, site_id = ?, languages = ?, "
				    "topics = ? WHERE login = ?",
				    error);
	if (st == NULL)
		return FALSE;
	int rc = bind_text(st, 1, u->display_name) | bind_text(st, 2, sb_role_to_string(u->role)) |
		 bind_opt(st, 3, u->site_id) | bind_text(st, 4, langs) | bind_text(st, 5, topics) |
		 bind_text(st, 6, login);
	return bound(s, rc, error) && run(s, st, "updating the account", error) &&
	       changed_one(s, "account", login, error);
}

static gint64 user_id_of(SbStore *s, const char *login, GError **error)
{
	g_autoptr(SbUser) u = sb_store_user_get(s, login, error);
	return u ? u->id : 0;
}

gboolean sb_store_user_set_password(SbStore *s, const char *login, const char *password_hash, GError **error)
{
	if (!looks_like_hash(password_hash))
		return invalid(error, "refusing to store something that is not a password hash");
	gint64 id = user_id_of(s, login, error);
	if (id == 0 || !tx_begin(s, error))
		return FALSE;
	g_autoptr(SbStmt) st = prep(s, "UPDATE users SET password_hash = ? WHERE id = ?", error);
	gboolean ok = st && bound(s, bind_text(st, 1, password_hash) | sqlite3_bind_int64(st, 2, id), error) &&
		      run(s, st, "setting the password", error) && sb_store_session_delete_user(s, id, NULL, error) &&
		      tx_commit(s, error);
	if (!ok)
		tx_rollback(s);
	return ok;
}

gboolean sb_store_user_set_disabled(SbStore *s, const char *login, gboolean disabled, GError **error)
{
	gint64 id = user_id_of(s, login, error);
	if (id == 0 || !tx_begin(s, error))
		return FALSE;
	g_autoptr(SbStmt) st = prep(s, "UPDATE users SET disabled = ? WHERE id = ?", error);
	gboolean ok = st &&
		      bound(s, sqlite3_bind_int(st, 1, disabled ? 1 : 0) | sqlite3_bind_int64(st, 2, id), error) &&
		      run(s, st, "disabling the account", error) &&
		      (!disabled || sb_store_session_delete_user(s, id, NULL, error)) && tx_commit(s, error);
	if (!ok)
		tx_rollback(s);
	return ok;
}

gboolean sb_store_user_del(SbStore *s, const char *login, GError **error)
{
	g_autofree char *l = norm_login(login, error);
	if (l == NULL)
		return FALSE;
	/* sessions go with it (ON DELETE CASCADE) */
	g_autoptr(SbStmt) st = prep(s, "DELETE FROM users WHERE login = ?", error);
	return st && bound(s, bind_text(st, 1, l), error) && run(s, st, "deleting the account", error) &&
	       changed_one(s, "account", l, error);
}

SbUser *sb_store_user_get(SbStore *s, const char *login, GError **error)
{
	g_autofree char *l = norm_login(login, error);
	if (l == NULL)
		return NULL;
	g_autoptr(SbStmt) st = prep(s, "SELECT " USER_COLS ", u.password_hash FROM users u WHERE u.login = ?", error);
	if (st == NULL || !bound(s, bind_text(st, 1, l), error))
		return NULL;
	int rc = step(s, st, "reading the account", error);
	if (rc == SQLITE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no account '%s'", l);
	return rc == SQLITE_ROW ? user_from_row(st, 9) : NULL;
}

SbUser *sb_store_user_get_by_id(SbStore *s, gint64 id, GError **error)
{
	g_autoptr(SbStmt) st = prep(s, "SELECT " USER_COLS ", u.password_hash FROM users u WHERE u.id = ?", error);
	if (st == NULL || !bound(s, sqlite3_bind_int64(st, 1, id), error))
		return NULL;
	int rc = step(s, st, "reading the account", error);
	if (rc == SQLITE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no account %" G_GINT64_FORMAT, id);
	return rc == SQLITE_ROW ? user_from_row(st, 9) : NULL;
}

GPtrArray *sb_store_user_list(SbStore *s, GError **error)
{
	g_autoptr(SbStmt) st = prep(s, "SELECT " USER_COLS " FROM users u ORDER BY u.login", error);
	if (st == NULL)
		return NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)sb_user_free);
	int rc;
	while ((rc = step(s, st, "listing accounts", error)) == SQLITE_ROW)
		g_ptr_array_add(out, user_from_row(st, -1));
	return rc == SQLITE_DONE ? g_steal_pointer(&out) : NULL;
}

/* --- sessions --------------------------------------------------------------------------- */

/* A token longer than this cannot be ours: not even hashed. */
#define TOKEN_MAX 128

static gboolean check_address(const char *addr, GError **error)
{
	if (addr == NULL)
		return TRUE;
	if (strlen(addr) > SB_STORE_MAX_ADDRESS)
		return invalid(error, "the remote address is longer than %d characters", SB_STORE_MAX_ADDRESS);
	for (const char *c = addr; *c; c++)
		if (!g_ascii_isgraph(*c))
			return invalid(error, "the remote address contains a space or a control character");
	return TRUE;
}

char *sb_store_session_create(SbStore *s, gint64 user_id, const char *remote_addr, guint ttl_s, GError **error)
{
	if (!check_address(remote_addr, error))
		return NULL;
	g_autoptr(SbUser) u = sb_store_user_get_by_id(s, user_id, error);
	if (u == NULL)
		return NULL;
	if (u->disabled) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_DISABLED, "the account '%s' is disabled", u->login);
		return NULL;
	}
	if (ttl_s == 0)
		ttl_s = CONFIG_RELAIS_SB_SESSION_TTL_S;
	g_autofree char *token = sb_auth_new_token(error);
	if (token == NULL)
		return NULL;
	g_autofree char *hash = sb_auth_token_hash(token);
	gint64 now = now_s(s);
	g_autoptr(SbStmt) st = prep(s,
				    "INSERT INTO sessions (token_hash, user_id, created, expires, last_used, "
				    "remote_addr) VALUES (?, ?, ?, ?, ?, ?)",
				    error);
	if (st == NULL)
		return NULL;
	int rc = bind_text(st, 1, hash) | sqlite3_bind_int64(st, 2, user_id) | sqlite3_bind_int64(st, 3, now) |
		 sqlite3_bind_int64(st, 4, now + ttl_s) | sqlite3_bind_int64(st, 5, now) |
		 bind_text(st, 6, remote_addr ? remote_addr : "");
	if (!bound(s, rc, error) || !run(s, st, "opening a session", error))
		return NULL;
	return g_steal_pointer(&token);
}

/* NULL (not found) for what cannot be a token */
static char *token_key(const char *token, GError **error)
{
	if (token == NULL || token[0] == '\0' || strlen(token) > TOKEN_MAX) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no such session");
		return NULL;
	}
	return sb_auth_token_hash(token);
}

SbUser *sb_store_session_lookup(SbStore *s, const char *token, GError **error)
{
	g_autofree char *hash = token_key(token, error);
	if (hash == NULL)
		return NULL;
	return sb_store_session_lookup_key(s, hash, error);
}

SbUser *sb_store_session_lookup_key(SbStore *s, const char *hash, GError **error)
{
	g_autoptr(SbStmt) st = prep(s,
				    "SELECT " USER_COLS ", s.expires FROM sessions s JOIN users u ON u.id = s.user_id "
				    "WHERE s.token_hash = ?",
				    error);
	if (st == NULL || !bound(s, bind_text(st, 1, hash), error))
		return NULL;
	int rc = step(s, st, "looking up the session", error);
	if (rc == 0)
		return NULL;
	if (rc == SQLITE_DONE) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no such session");
		return NULL;
	}
	g_autoptr(SbUser) u = user_from_row(st, -1);
	gint64 expires = sqlite3_column_int64(st, 9);
	stmt_release(st);
	if (expires <= now_s(s)) {
		g_autoptr(GError) ignored = NULL;
		g_autoptr(SbStmt) del = prep(s, "DELETE FROM sessions WHERE token_hash = ?", &ignored);
		if (del == NULL || !bound(s, bind_text(del, 1, hash), &ignored) ||
		    !run(s, del, "ending the session", &ignored))
			g_debug("deleting an expired session: %s", ignored->message);
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXPIRED, "the session has expired: sign in again");
		return NULL;
	}
	if (u->disabled) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_DISABLED, "the account '%s' is disabled", u->login);
		return NULL;
	}
	return g_steal_pointer(&u);
}

gboolean sb_store_session_touch(SbStore *s, const char *token, GError **error)
{
	g_autofree char *hash = token_key(token, error);
	if (hash == NULL)
		return FALSE;
	g_autoptr(SbStmt) st = prep(s, "UPDATE sessions SET last_used = ? WHERE token_hash = ?", error);
	return st && bound(s, sqlite3_bind_int64(st, 1, now_s(s)) | bind_text(st, 2, hash), error) &&
	       run(s, st, "touching the session", error) && changed_one(s, "session", "(token)", error);
}

gboolean sb_store_session_delete(SbStore *s, const char *token, GError **error)
{
	g_autofree char *hash = token_key(token, error);
	if (hash == NULL)
		return FALSE;
	g_autoptr(SbStmt) st = prep(s, "DELETE FROM sessions WHERE token_hash = ?", error);
	return st && bound(s, bind_text(st, 1, hash), error) && run(s, st, "ending the session", error) &&
	       changed_one(s, "session", "(token)", error);
}

gboolean sb_store_session_delete_user(SbStore *s, gint64 user_id, guint *n_removed, GError **error)
{
	g_autoptr(SbStmt) st = prep(s, "DELETE FROM sessions WHERE user_id = ?", error);
	if (!st || !bound(s, sqlite3_bind_int64(st, 1, user_id), error) || !run(s, st, "ending sessions", error))
		return FALSE;
	if (n_removed)
		*n_removed = (guint)sqlite3_changes(s->db);
	return TRUE;
}

char **sb_store_session_hashes(SbStore *s, gint64 user_id, GError **error)
{
	g_autoptr(SbStmt) st = prep(s, "SELECT token_hash FROM sessions WHERE user_id = ? ORDER BY created", error);
	if (!st || !bound(s, sqlite3_bind_int64(st, 1, user_id), error))
		return NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
	int rc;
	while ((rc = step(s, st, "listing sessions", error)) == SQLITE_ROW)
		g_ptr_array_add(out, col_str(st, 0));
	if (rc != SQLITE_DONE)
		return NULL;
	g_ptr_array_add(out, NULL);
	g_ptr_array_set_free_func(out, NULL);
	return (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
}

gboolean sb_store_session_purge(SbStore *s, guint *n_removed, GError **error)
{
	g_autoptr(SbStmt) st = prep(s, "DELETE FROM sessions WHERE expires <= ?", error);
	if (!st || !bound(s, sqlite3_bind_int64(st, 1, now_s(s)), error) || !run(s, st, "purging sessions", error))
		return FALSE;
	if (n_removed)
		*n_removed = (guint)sqlite3_changes(s->db);
	return TRUE;
}

/* --- sign-in attempts ---------------------------------------------------------------------- */

static char *attempt_key(const char *kind, const char *value)
{
	g_autofree char *v = g_ascii_strdown(value ? value : "", -1);
	g_autofree char *text = g_strconcat(kind, ":", v, NULL);
	return g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
}

gboolean sb_store_attempt_record(SbStore *s, const char *login, const char *address, GError **error)
{
	g_autofree char *lk = attempt_key("login", login);
	g_autofree char *ak = attempt_key("address", address);
	g_autoptr(SbStmt) st =
		prep(s, "INSERT INTO sign_in_attempts (login_key, address_key, at) VALUES (?, ?, ?)", error);
	return st &&
	       bound(s, bind_text(st, 1, lk) | bind_text(st, 2, ak) | sqlite3_bind_int64(st, 3, now_s(s)), error) &&
	       run(s, st, "recording a failed sign-in", error);
}

static gboolean count_key(SbStore *s, const char *sql, const char *key, gint64 since, SbAttempts *out, GError **error)
{
	g_autoptr(SbStmt) st = prep(s, sql, error);
	if (!st || !bound(s, bind_text(st, 1, key) | sqlite3_bind_int64(st, 2, since), error) ||
	    step(s, st, "counting failed sign-ins", error) != SQLITE_ROW)
		return FALSE;
	out->failures = (guint)sqlite3_column_int64(st, 0);
	out->oldest_s = sqlite3_column_int64(st, 1);
	return TRUE;
}

gboolean sb_store_attempts_count(SbStore *s, const char *login, const char *address, guint window_s,
				 SbAttempts *per_login, SbAttempts *per_address, GError **error)
{
	if (window_s == 0)
		window_s = CONFIG_RELAIS_SB_SIGNIN_WINDOW_S;
	gint64 since = now_s(s) - window_s;
	g_autofree char *lk = attempt_key("login", login);
	g_autofree char *ak = attempt_key("address", address);
	return count_key(s,
			 "SELECT count(*), coalesce(min(at), 0) FROM sign_in_attempts "
			 "WHERE login_key = ? AND at > ?",
			 lk, since, per_login, error) &&
	       count_key(s,
			 "SELECT count(*), coalesce(min(at), 0) FROM sign_in_attempts "
			 "WHERE address_key = ? AND at > ?",
			 ak, since, per_address, error);
}

gboolean sb_store_attempts_forget_login(SbStore *s, const char *login, GError **error)
{
	g_autofree char *lk = attempt_key("login", login);
	/* the address's count stays: keep the row, drop its login */
	g_autoptr(SbStmt) st = prep(s, "UPDATE sign_in_attempts SET login_key = '' WHERE login_key = ?", error);
	return st && bound(s, bind_text(st, 1, lk), error) && run(s, st, "forgetting failed sign-ins", error);
}

gboolean sb_store_attempts_prune(SbStore *s, guint window_s, guint *n_removed, GError **error)
{
	if (window_s == 0)
		window_s = CONFIG_RELAIS_SB_SIGNIN_WINDOW_S;
	g_autoptr(SbStmt) st = prep(s, "DELETE FROM sign_in_attempts WHERE at <= ?", error);
	if (!st || !bound(s, sqlite3_bind_int64(st, 1, now_s(s) - window_s), error) ||
	    !run(s, st, "pruning failed sign-ins", error))
		return FALSE;
	if (n_removed)
		*n_removed = (guint)sqlite3_changes(s->db);
	return TRUE;
}

/* --- sites and booths ------------------------------------------------------------------------ */

void sb_site_free(SbSite *site)
{
	if (site == NULL)
		return;
	g_free(site->name);
	g_free(site->timezone);
	g_free(site);
}

static gboolean check_timezone(const char *tz, GError **error)
{
	if (tz == NULL || tz[0] == '\0' || strlen(tz) > 64)
		return invalid(error, "the time zone is missing or too long");
	g_autoptr(GTimeZone) z = g_time_zone_new_identifier(tz);
	if (z == NULL)
		return invalid(error, "unknown time zone '%s' (an IANA name such as Europe/Paris)", tz);
	return TRUE;
}

gint64 sb_store_site_upsert(SbStore *s, gint64 id, const char *name, const char *timezone, GError **error)
{
	if (!check_text("the site name", name, 1, SB_STORE_MAX_NAME, FALSE, error) || !check_timezone(timezone, error))
		return 0;
	const char *sql = id ? "UPDATE sites SET name = ?, timezone = ? WHERE id = ?"
			     : "INSERT INTO sites (name, timezone) VALUES (?, ?)";
	g_autoptr(SbStmt) st = prep(s, sql, error);
	if (!st)
		return 0;
	int rc = bind_text(st, 1, name) | bind_text(st, 2, timezone);
	if (id)
		rc |= sqlite3_bind_int64(st, 3, id);
	g_autoptr(GError) local = NULL;
	if (!bound(s, rc, error))
		return 0;
	if (!run(s, st, "saving the site", &local)) {
		if (g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS))
			g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS, "a site is already named '%s'", name);
		else
			g_propagate_error(error, g_steal_pointer(&local));
		return 0;
	}
	if (id) {
		if (sqlite3_changes(s->db) == 0) {
			g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no site %" G_GINT64_FORMAT, id);
			return 0;
		}
		return id;
	}
	return sqlite3_last_insert_rowid(s->db);
}

static SbSite *site_from_row(SbStmt *st)
{
	SbSite *site = g_new0(SbSite, 1);
	site->id = sqlite3_column_int64(st, 0);
	site->name = col_str(st, 1);
	site->timezone = col_str(st, 2);
	return site;
}

SbSite *sb_store_site_get(SbStore *s, gint64 id, GError **error)
{
	g_autoptr(SbStmt) st = prep(s, "SELECT id, name, timezone FROM sites WHERE id = ?", error);
	if (!st || !bound(s, sqlite3_bind_int64(st, 1, id), error))
		return NULL;
	int rc = step(s, st, "reading the site", error);
	if (rc == SQLITE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no site %" G_GINT64_FORMAT, id);
	return rc == SQLITE_ROW ? site_from_row(st) : NULL;
}

SbSite *sb_store_site_get_by_name(SbStore *s, const char *name, GError **error)
{
	g_autoptr(SbStmt) st = prep(s, "SELECT id, name, timezone FROM sites WHERE name = ?", error);
	if (!st || !bound(s, bind_text(st, 1, name ? name : ""), error))
		return NULL;
	int rc = step(s, st, "reading the site", error);
	if (rc == SQLITE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no site named '%s'", name);
	return rc == SQLITE_ROW ? site_from_row(st) : NULL;
}

GPtrArray *sb_store_site_list(SbStore *s, GError **error)
{
	g_autoptr(SbStmt) st = prep(s, "SELECT id, name, timezone FROM sites ORDER BY name, id", error);
	if (!st)
		return NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)sb_site_free);
	int rc;
	while ((rc = step(s, st, "listing sites", error)) == SQLITE_ROW)
		g_ptr_array_add(out, site_from_row(st));
	return rc == SQLITE_DONE ? g_steal_pointer(&out) : NULL;
}

gboolean sb_store_site_del(SbStore *s, gint64 id, GError **error)
{
	g_autoptr(SbStmt) st = prep(s, "DELETE FROM sites WHERE id = ?", error);
	if (!st || !bound(s, sqlite3_bind_int64(st, 1, id), error))
		return FALSE;
	g_autoptr(GError) local = NULL;
	if (!run(s, st, "deleting the site", &local)) {
		if (g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_IN_USE))
			g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_IN_USE,
				    "site %" G_GINT64_FORMAT " still has booths, staff, bookings or call records: "
				    "rename it instead",
				    id);
		else
			g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	g_autofree char *key = g_strdup_printf("%" G_GINT64_FORMAT, id);
	return changed_one(s, "site", key, error);
}

gboolean sb_store_site_usage(SbStore *s, gint64 id, SbSiteUsage *usage, GError **error)
{
	*usage = (SbSiteUsage){0};
	if (!site_exists(s, id, error))
		return FALSE;
	g_autoptr(SbStmt) st = prep(s,
				    "SELECT (SELECT count(*) FROM booths WHERE site_id = ?1), "
				    "(SELECT count(*) FROM users WHERE site_id = ?1), "
				    "(SELECT count(*) FROM bookings WHERE site_id = ?1), "
				    "(SELECT count(*) FROM call_records WHERE site_id = ?1)",
				    error);
	if (!st || !bound(s, sqlite3_bind_int64(st, 1, id), error))
		return FALSE;
	if (step(s, st, "counting what refers to the site", error) != SQLITE_ROW)
		return FALSE;
	usage->booths = (guint)sqlite3_column_int64(st, 0);
	usage->staff = (guint)sqlite3_column_int64(st, 1);
	usage->bookings = (guint)sqlite3_column_int64(st, 2);
	usage->call_records = (guint)sqlite3_column_int64(st, 3);
	return TRUE;
}

void sb_booth_free(SbBooth *b)
{
	if (b == NULL)
		return;
	g_free(b->id);
	g_free(b->name);
	g_free(b->state);
	g_free(b->reason);
	g_free(b);
}

gboolean sb_store_booth_upsert(SbStore *s, const char *booth_id, gint64 site_id, const char *name, GError **error)
{
	if (!check_id("the booth id", booth_id, SB_STORE_MAX_ID, error) ||
	    !check_text("the booth name", name, 0, SB_STORE_MAX_NAME, FALSE, error))
		return FALSE;
	if (site_id != 0 && !site_exists(s, site_id, error))
		return FALSE;
	g_autoptr(SbStmt) st = prep(s,
				    "INSERT INTO booths (id, site_id, name) VALUES (?, ?, ?) "
				    "ON CONFLICT (id) DO UPDATE SET site_id = excluded.site_id, name = excluded.name",
				    error);
	return st &&
	       bound(s, bind_text(st, 1, booth_id) | bind_opt(st, 2, site_id) | bind_text(st, 3, name ? name : ""),
		     error) &&
	       run(s, st, "saving the booth", error);
}

gboolean sb_store_booth_seen(SbStore *s, const char *booth_id, const char *state, const char *reason, GError **error)
{
	if (!check_id("the booth id", booth_id, SB_STORE_MAX_ID, error))
		return FALSE;
	if (!is_word(state, 32))
		return invalid(error, "a booth state is 1..32 characters of a-z 0-9 _ -");
	/* the protocol allows longer reasons than are kept: a booth's
	 * diagnostics are cut, not refused, so that its state is recorded */
	g_autofree char *cut = NULL;
	if (reason && g_utf8_validate(reason, -1, NULL) && g_utf8_strlen(reason, -1) > SB_STORE_MAX_REASON)
		reason = cut = g_utf8_substring(reason, 0, SB_STORE_MAX_REASON);
	if (!check_text("the reason", reason, 0, SB_STORE_MAX_REASON, FALSE, error))
		return FALSE;
	g_autoptr(SbStmt) st = prep(s, "UPDATE booths SET last_seen = ?, state = ?, reason = ? WHERE id = ?", error);
	return st &&
	       bound(s,
		     sqlite3_bind_int64(st, 1, now_s(s)) | bind_text(st, 2, state) |
			     bind_text(st, 3, reason && reason[0] ? reason : NULL) | bind_text(st, 4, booth_id),
		     error) &&
	       run(s, st, "recording the booth's state", error) && changed_one(s, "booth", booth_id, error);
}

GPtrArray *sb_store_booth_list(SbStore *s, gint64 site_id, GError **error)
{
	g_autoptr(SbStmt) st = prep(s,
				    "SELECT id, site_id, name, last_seen, state, reason FROM booths "
				    "WHERE ?1 = 0 OR site_id = ?1 ORDER BY id",
				    error);
	if (!st || !bound(s, sqlite3_bind_int64(st, 1, site_id), error))
		return NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)sb_booth_free);
	int rc;
	while ((rc = step(s, st, "listing booths", error)) == SQLITE_ROW) {
		SbBooth *b = g_new0(SbBooth, 1);
		b->id = col_str(st, 0);
		b->site_id = sqlite3_column_int64(st, 1);
		b->name = col_str(st, 2);
		b->last_seen = sqlite3_column_int64(st, 3);
		b->state = col_str(st, 4);
		b->reason = col_str(st, 5);
		g_ptr_array_add(out, b);
	}
	return rc == SQLITE_DONE ? g_steal_pointer(&out) : NULL;
}

gboolean sb_store_booth_del(SbStore *s, const char *booth_id, GError **error)
{
	g_autoptr(SbStmt) st = prep(s, "DELETE FROM booths WHERE id = ?", error);
	return st && bound(s, bind_text(st, 1, booth_id ? booth_id : ""), error) &&
	       run(s, st, "deleting the booth", error) && changed_one(s, "booth", booth_id, error);
}

/* --- opening hours ------------------------------------------------------------------------ */

gboolean sb_store_slots_set(SbStore *s, gint64 site_id, const SbSlot *slots, guint n, GError **error)
{
	g_return_val_if_fail(n == 0 || slots != NULL, FALSE);
	if (n > 14)
		return invalid(error, "a week has at most 14 half-days");
	const SbSlot *seen[7][2] = {{NULL}};
	for (guint i = 0; i < n; i++) {
		const SbSlot *sl = &slots[i];
		if (sl->weekday > 6)
			return invalid(error, "weekday %u: 0 is Monday, 6 Sunday", sl->weekday);
		if ((guint)sl->half > SB_HALF_PM)
			return invalid(error, "a half-day is am or pm");
		if (sl->start_min >= sl->end_min || sl->end_min > 1440)
			return invalid(error, "slot %u: it must start before it ends, by midnight", i);
		if (sl->half == SB_HALF_AM && sl->end_min > 840)
			return invalid(error, "slot %u: a morning ends by 14:00", i);
		if (sl->half == SB_HALF_PM && sl->start_min < 720)
			return invalid(error, "slot %u: an afternoon starts at 12:00 or later", i);
		if (sl->capacity < 1 || sl->capacity > 1000)
			return invalid(error, "slot %u: capacity is 1..1000 advisers", i);
		if (seen[sl->weekday][sl->half])
			return invalid(error, "two slots for the same half-day (weekday %u)", sl->weekday);
		seen[sl->weekday][sl->half] = sl;
	}
	for (guint d = 0; d < 7; d++)
		if (seen[d][0] && seen[d][1] && seen[d][0]->end_min > seen[d][1]->start_min)
			return invalid(error, "weekday %u: the morning ends after the afternoon starts", d);
	if (!site_exists(s, site_id, error) || !tx_begin(s, error))
		return FALSE;
	gboolean ok;
	{
		g_autoptr(SbStmt) del = prep(s, "DELETE FROM opening_slots WHERE site_id = ?", error);
		ok = del && bound(s, sqlite3_bind_int64(del, 1, site_id), error) &&
		     run(s, del, "replacing the hours", error);
	}
	for (guint i = 0; ok && i < n; i++) {
		g_autoptr(SbStmt) st = prep(s,
					    "INSERT INTO opening_slots (site_id, weekday, half, start_min, end_min, "
					    "capacity) VALUES (?, ?, ?, ?, ?, ?)",
					    error);
		ok = st &&
		     bound(s,
			   sqlite3_bind_int64(st, 1, site_id) | sqlite3_bind_int(st, 2, (int)slots[i].weekday) |
				   bind_text(st, 3, slots[i].half == SB_HALF_AM ? "am" : "pm") |
				   sqlite3_bind_int(st, 4, (int)slots[i].start_min) |
				   sqlite3_bind_int(st, 5, (int)slots[i].end_min) |
				   sqlite3_bind_int(st, 6, (int)slots[i].capacity),
			   error) &&
		     run(s, st, "saving the hours", error);
	}
	ok = ok && tx_commit(s, error);
	if (!ok)
		tx_rollback(s);
	return ok;
}

GArray *sb_store_slots_list(SbStore *s, gint64 site_id, GError **error)
{
	g_autoptr(SbStmt) st = prep(s,
				    "SELECT weekday, half, start_min, end_min, capacity FROM opening_slots "
				    "WHERE site_id = ? ORDER BY weekday, half",
				    error);
	if (!st || !bound(s, sqlite3_bind_int64(st, 1, site_id), error))
		return NULL;
	g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(SbSlot));
	int rc;
	while ((rc = step(s, st, "reading the hours", error)) == SQLITE_ROW) {
		SbSlot sl = {
			.weekday = (guint)sqlite3_column_int(st, 0),
			.half = strcmp((const char *)sqlite3_column_text(st, 1), "am") == 0 ? SB_HALF_AM : SB_HALF_PM,
			.start_min = (guint)sqlite3_column_int(st, 2),
			.end_min = (guint)sqlite3_column_int(st, 3),
			.capacity = (guint)sqlite3_column_int(st, 4),
		};
		g_array_append_val(out, sl);
	}
	return rc == SQLITE_DONE ? g_steal_pointer(&out) : NULL;
}

void sb_closure_free(SbClosure *c)
{
	if (c == NULL)
		return;
	g_free(c->date_from);
	g_free(c->date_to);
	g_free(c->reason);
	g_free(c);
}

gint64 sb_store_closure_add(SbStore *s, gint64 site_id, const char *date_from, const char *date_to, const char *reason,
			    GError **error)
{
	GDate from, to;
	if (!parse_date(date_from, &from) || !parse_date(date_to, &to)) {
		invalid(error, "closure dates are YYYY-MM-DD");
		return 0;
	}
	if (g_date_compare(&from, &to) > 0) {
		invalid(error, "the closure ends before it starts");
		return 0;
	}
	if (!check_text("the closure reason", reason, 0, SB_STORE_MAX_REASON, FALSE, error) ||
	    !site_exists(s, site_id, error))
		return 0;
	g_autoptr(SbStmt) st =
		prep(s, "INSERT INTO closures (site_id, date_from, date_to, reason) VALUES (?, ?, ?, ?)", error);
	if (!st ||
	    !bound(s,
		   sqlite3_bind_int64(st, 1, site_id) | bind_text(st, 2, date_from) | bind_text(st, 3, date_to) |
			   bind_text(st, 4, reason ? reason : ""),
		   error) ||
	    !run(s, st, "adding the closure", error))
		return 0;
	return sqlite3_last_insert_rowid(s->db);
}

gboolean sb_store_closure_del(SbStore *s, gint64 closure_id, GError **error)
{
	g_autoptr(SbStmt) st = prep(s, "DELETE FROM closures WHERE id = ?", error);
	g_autofree char *key = g_strdup_printf("%" G_GINT64_FORMAT, closure_id);
	return st && bound(s, sqlite3_bind_int64(st, 1, closure_id), error) &&
	       run(s, st, "deleting the closure", error) && changed_one(s, "closure", key, error);
}

GPtrArray *sb_store_closure_list(SbStore *s, gint64 site_id, GError **error)
{
	g_autoptr(SbStmt) st = prep(s,
				    "SELECT id, site_id, date_from, date_to, reason FROM closures "
				    "WHERE site_id = ? ORDER BY date_from, id",
				    error);
	if (!st || !bound(s, sqlite3_bind_int64(st, 1, site_id), error))
		return NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)sb_closure_free);
	int rc;
	while ((rc = step(s, st, "reading closures", error)) == SQLITE_ROW) {
		SbClosure *c = g_new0(SbClosure, 1);
		c->id = sqlite3_column_int64(st, 0);
		c->site_id = sqlite3_column_int64(st, 1);
		c->date_from = col_str(st, 2);
		c->date_to = col_str(st, 3);
		c->reason = col_str(st, 4);
		g_ptr_array_add(out, c);
	}
	return rc == SQLITE_DONE ? g_steal_pointer(&out) : NULL;
}

/* A site's week and closures, loaded once per question. */
typedef struct {
	GTimeZone *tz;
	GArray *slots;	     /* SbSlot */
	GPtrArray *closures; /* SbClosure */
} Hours;

typedef struct {
	gint64 start, end;
	guint capacity;
} Period;

static void hours_clear(Hours *h)
{
	g_clear_pointer(&h->tz, g_time_zone_unref);
	g_clear_pointer(&h->slots, g_array_unref);
	g_clear_pointer(&h->closures, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Hours, hours_clear)

static GTimeZone *tz_or_utc(const char *identifier)
{
	GTimeZone *tz = identifier ? g_time_zone_new_identifier(identifier) : NULL;
	/* the zone was valid when saved; a system without tzdata falls back */
	return tz ? tz : g_time_zone_new_utc();
}

static gboolean hours_load(SbStore *s, gint64 site_id, Hours *h, GError **error)
{
	g_autoptr(SbSite) site = sb_store_site_get(s, site_id, error);
	if (site == NULL)
		return FALSE;
	h->tz = tz_or_utc(site->timezone);
	h->slots = sb_store_slots_list(s, site_id, error);
	h->closures = h->slots ? sb_store_closure_list(s, site_id, error) : NULL;
	return h->closures != NULL;
}

static void local_date(GTimeZone *tz, gint64 t, GDate *out)
{
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(t);
	g_autoptr(GDateTime) local = utc ? g_date_time_to_timezone(utc, tz) : NULL;
	g_date_clear(out, 1);
	if (local == NULL) {
		g_date_set_dmy(out, 1, 1, 1970);
		return;
	}
	g_date_set_dmy(out, (GDateDay)g_date_time_get_day_of_month(local), (GDateMonth)g_date_time_get_month(local),
		       (GDateYear)g_date_time_get_year(local));
}

/* Unix time of `minute` past local midnight of `date` (1440: the next
 * midnight). In a daylight-saving gap GLib moves the time forward. */
static gint64 local_time(GTimeZone *tz, const GDate *date, guint minute)
{
	GDate d = *date;
	if (minute >= 1440) {
		g_date_add_days(&d, 1);
		minute -= 1440;
	}
	g_autoptr(GDateTime) dt =
		g_date_time_new(tz, (gint)g_date_get_year(&d), (gint)g_date_get_month(&d), (gint)g_date_get_day(&d),
				(gint)(minute / 60), (gint)(minute % 60), 0);
	return dt ? g_date_time_to_unix(dt) : 0;
}

/* The opening periods of one local day, am then pm; 0 when closed. */
static guint hours_day(const Hours *h, const GDate *date, Period out[2])
{
	char day[11];
	format_date(date, day);
	for (guint i = 0; i < h->closures->len; i++) {
		SbClosure *c = g_ptr_array_index(h->closures, i);
		if (strcmp(c->date_from, day) <= 0 && strcmp(day, c->date_to) <= 0)
			return 0;
	}
	guint weekday = (guint)g_date_get_weekday(date) - 1; /* G_DATE_MONDAY is 1 */
	guint n = 0;
	for (guint i = 0; i < h->slots->len && n < 2; i++) {
		SbSlot *sl = &g_array_index(h->slots, SbSlot, i);
		if (sl->weekday != weekday)
			continue;
		out[n].start = local_time(h->tz, date, sl->start_min);
		out[n].end = local_time(h->tz, date, sl->end_min);
		out[n].capacity = sl->capacity;
		if (out[n].end > out[n].start)
			n++;
	}
	return n;
}

gboolean sb_store_site_open_at(SbStore *s, gint64 site_id, gint64 t_s, gboolean *open, guint *capacity, GError **error)
{
	g_auto(Hours) h = {0};
	if (!hours_load(s, site_id, &h, error))
		return FALSE;
	GDate date;
	local_date(h.tz, t_s, &date);
	Period p[2];
	guint n = hours_day(&h, &date, p);
	*open = FALSE;
	if (capacity)
		*capacity = 0;
	for (guint i = 0; i < n; i++) {
		if (p[i].start <= t_s && t_s < p[i].end) {
			*open = TRUE;
			if (capacity)
				*capacity = p[i].capacity;
		}
	}
	return TRUE;
}

gboolean sb_store_site_next_opening(SbStore *s, gint64 site_id, gint64 after_s, gint64 *start_s, gint64 *end_s,
				    GError **error)
{
	*start_s = *end_s = 0;
	g_auto(Hours) h = {0};
	if (!hours_load(s, site_id, &h, error))
		return FALSE;
	if (h.slots->len == 0)
		return TRUE;
	GDate date;
	local_date(h.tz, after_s, &date);
	/* periods touching across days (pm until 24:00, am from 00:00) or
	 * within one (am until 12:30, pm from 12:30) form one opening */
	for (guint d = 0; d < 367 + 1; d++, g_date_add_days(&date, 1)) {
		Period p[2];
		guint n = hours_day(&h, &date, p);
		for (guint i = 0; i < n; i++) {
			if (*start_s != 0) {
				if (p[i].start != *end_s)
					return TRUE;
				*end_s = p[i].end;
				continue;
			}
			if (p[i].end <= after_s)
				continue;
			*start_s = MAX(p[i].start, after_s);
			*end_s = p[i].end;
		}
		if (*start_s != 0 && n == 0)
			return TRUE;
	}
	return TRUE;
}

/* --- bookings ------------------------------------------------------------------------------ */

static const char *const booking_states[] = {"booked", "checked_in", "no_show", "cancelled"};

const char *sb_booking_state_to_string(SbBookingState state)
{
	return (guint)state < G_N_ELEMENTS(booking_states) ? booking_states[state] : "unknown";
}

static SbBookingState booking_state_from(const char *text)
{
	for (guint i = 0; text && i < G_N_ELEMENTS(booking_states); i++)
		if (strcmp(text, booking_states[i]) == 0)
			return (SbBookingState)i;
	return SB_BOOKING_CANCELLED; /* unreachable: the schema checks it */
}

void sb_booking_free(SbBooking *b)
{
	if (b == NULL)
		return;
	g_free(b->code);
	g_free(b->language);
	g_free(b->topic);
	g_free(b->used_call_id);
	g_free(b);
}

#define BOOKING_COLS                                                                                                   \
	"id, code, site_id, start_at, end_at, language, topic, state, created, checked_in_at, used_at, used_call_id"

static SbBooking *booking_from_row(SbStmt *st)
{
	SbBooking *b = g_new0(SbBooking, 1);
	b->id = sqlite3_column_int64(st, 0);
	b->code = col_str(st, 1);
	b->site_id = sqlite3_column_int64(st, 2);
	b->start_s = sqlite3_column_int64(st, 3);
	b->end_s = sqlite3_column_int64(st, 4);
	b->language = col_str(st, 5);
	b->topic = col_str(st, 6);
	b->state = booking_state_from((const char *)sqlite3_column_text(st, 7));
	b->created = sqlite3_column_int64(st, 8);
	b->checked_in_at = sqlite3_column_int64(st, 9);
	b->used_at = sqlite3_column_int64(st, 10);
	b->used_call_id = sqlite3_column_type(st, 11) == SQLITE_NULL ? NULL : col_str(st, 11);
	return b;
}

/* The code as the visitor typed it, upper-cased, without spaces and dashes;
 * NULL (CODE_UNKNOWN) when it cannot be a code. */
static char *norm_code(const char *typed, GError **error)
{
	GString *c = g_string_new(NULL);
	for (const char *p = typed ? typed : ""; *p && c->len <= SB_BOOKING_CODE_LEN; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		char u = g_ascii_toupper(*p);
		if (u == '\0' || strchr(SB_BOOKING_ALPHABET, u) == NULL) {
			g_string_truncate(c, 0);
			break;
		}
		g_string_append_c(c, u);
	}
	if (c->len != SB_BOOKING_CODE_LEN) {
		g_string_free(c, TRUE);
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_UNKNOWN, "this is not a booking code");
		return NULL;
	}
	return g_string_free(c, FALSE);
}

static SbBooking *booking_by_code(SbStore *s, const char *code, GError **error)
{
	g_autoptr(SbStmt) st = prep(s, "SELECT " BOOKING_COLS " FROM bookings WHERE code = ?", error);
	if (!st || !bound(s, bind_text(st, 1, code), error))
		return NULL;
	int rc = step(s, st, "reading the booking", error);
	if (rc == SQLITE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_UNKNOWN, "no booking has the code %s", code);
	return rc == SQLITE_ROW ? booking_from_row(st) : NULL;
}

SbBooking *sb_store_booking_create(SbStore *s, gint64 site_id, gint64 start_s, gint64 end_s, const char *language,
				   const char *topic, GError **error)
{
	gint64 now = now_s(s);
	if (end_s <= start_s || end_s - start_s > 4 * 3600) {
		invalid(error, "a booking lasts from a minute to 4 hours");
		return NULL;
	}
	if (start_s < now) {
		invalid(error, "a booking cannot start in the past");
		return NULL;
	}
	if (start_s > now + (gint64)CONFIG_RELAIS_SB_BOOKING_HORIZON_DAYS * 86400) {
		invalid(error, "bookings are taken at most %d days ahead", CONFIG_RELAIS_SB_BOOKING_HORIZON_DAYS);
		return NULL;
	}
	if (language && language[0] && !is_lang(language)) {
		invalid(error, "the language is not a language tag (2..8 of a-z -)");
		return NULL;
	}
	if (topic && topic[0] && !check_id("the topic", topic, SB_STORE_MAX_ID, error))
		return NULL;
	g_auto(Hours) h = {0};
	if (!hours_load(s, site_id, &h, error))
		return NULL;
	GDate date;
	local_date(h.tz, start_s, &date);
	Period p[2];
	guint n = hours_day(&h, &date, p), capacity = 0;
	for (guint i = 0; i < n; i++)
		if (p[i].start <= start_s && end_s <= p[i].end)
			capacity = p[i].capacity;
	if (capacity == 0) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CLOSED,
			    "the site is not open for the whole of this time");
		return NULL;
	}
	if (!tx_begin(s, error))
		return NULL;
	/* the count and the insert in one write transaction: two bookings made
	 * at once cannot both take the last place */
	gint64 overlapping = -1;
	{
		g_autoptr(SbStmt) st = prep(s,
					    "SELECT count(*) FROM bookings WHERE site_id = ? AND state IN "
					    "('booked', 'checked_in') AND start_at < ? AND end_at > ?",
					    error);
		if (st &&
		    bound(s,
			  sqlite3_bind_int64(st, 1, site_id) | sqlite3_bind_int64(st, 2, end_s) |
				  sqlite3_bind_int64(st, 3, start_s),
			  error) &&
		    step(s, st, "counting bookings", error) == SQLITE_ROW)
			overlapping = sqlite3_column_int64(st, 0);
	}
	if (overlapping < 0) {
		tx_rollback(s);
		return NULL;
	}
	if (overlapping >= capacity) {
		tx_rollback(s);
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FULL, "all %u places at this time are booked",
			    capacity);
		return NULL;
	}
	g_autofree char *code = NULL;
	for (guint attempt = 0; attempt < 16 && code == NULL; attempt++) {
		g_autofree char *candidate = sb_auth_random_code(SB_BOOKING_ALPHABET, SB_BOOKING_CODE_LEN, error);
		if (candidate == NULL)
			break;
		g_autoptr(SbStmt) st = prep(s,
					    "INSERT INTO bookings (code, site_id, start_at, end_at, language, topic, "
					    "created) VALUES (?, ?, ?, ?, ?, ?, ?)",
					    error);
		if (!st || !bound(s,
				  bind_text(st, 1, candidate) | sqlite3_bind_int64(st, 2, site_id) |
					  sqlite3_bind_int64(st, 3, start_s) | sqlite3_bind_int64(st, 4, end_s) |
					  bind_text(st, 5, language ? language : "") |
					  bind_text(st, 6, topic ? topic : "") | sqlite3_bind_int64(st, 7, now),
				  error))
			break;
		g_autoptr(GError) local = NULL;
		if (run(s, st, "saving the booking", &local))
			code = g_steal_pointer(&candidate);
		else if (!g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS)) {
			g_propagate_error(error, g_steal_pointer(&local));
			break;
		}
		/* else: that code exists already (1 in 2^30 per booking); draw again */
	}
	if (code == NULL) {
		tx_rollback(s);
		if (error && *error == NULL)
			g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "no free booking code found");
		return NULL;
	}
	if (!tx_commit(s, error)) {
		tx_rollback(s);
		return NULL;
	}
	return booking_by_code(s, code, error);
}

SbBooking *sb_store_booking_get(SbStore *s, const char *typed, GError **error)
{
	g_autofree char *code = norm_code(typed, error);
	return code ? booking_by_code(s, code, error) : NULL;
}

static gboolean mark_no_show(SbStore *s, gint64 id, GError **error)
{
	g_autoptr(SbStmt) st =
		prep(s, "UPDATE bookings SET state = 'no_show' WHERE id = ? AND state = 'booked'", error);
	return st && bound(s, sqlite3_bind_int64(st, 1, id), error) && run(s, st, "marking a no-show", error);
}

/* The refusals common to checking in and cancelling. */
static gboolean booking_usable(SbStore *s, SbBooking *b, gint64 site_id, gint64 now, GError **error)
{
	if (site_id != 0 && b->site_id != site_id) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_WRONG_SITE, "the booking %s is for another site",
			    b->code);
		return FALSE;
	}
	switch (b->state) {
	case SB_BOOKING_CANCELLED:
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_CANCELLED, "the booking %s was cancelled",
			    b->code);
		return FALSE;
	case SB_BOOKING_CHECKED_IN:
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_USED, "the code %s has been used already",
			    b->code);
		return FALSE;
	case SB_BOOKING_NO_SHOW:
		break;
	case SB_BOOKING_BOOKED:
		if (now < b->start_s + (gint64)s->no_show_min * 60)
			return TRUE;
		if (!mark_no_show(s, b->id, error))
			return FALSE;
		break;
	}
	g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_EXPIRED,
		    "the booking %s has expired: it started more than %u minutes ago", b->code, s->no_show_min);
	return FALSE;
}

SbBooking *sb_store_booking_check_in(SbStore *s, gint64 site_id, const char *typed, GError **error)
{
	g_autoptr(SbBooking) b = sb_store_booking_get(s, typed, error);
	gint64 now = now_s(s);
	if (b == NULL || !booking_usable(s, b, site_id, now, error))
		return NULL;
	if (now < b->start_s - (gint64)s->early_min * 60) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_TOO_EARLY,
			    "the booking %s starts later: check in from %u minutes before", b->code, s->early_min);
		return NULL;
	}
	g_autoptr(SbStmt) st = prep(s,
				    "UPDATE bookings SET state = 'checked_in', checked_in_at = ? "
				    "WHERE id = ? AND state = 'booked'",
				    error);
	if (!st || !bound(s, sqlite3_bind_int64(st, 1, now) | sqlite3_bind_int64(st, 2, b->id), error) ||
	    !run(s, st, "checking in", error))
		return NULL;
	if (sqlite3_changes(s->db) == 0) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_USED, "the code %s has been used already",
			    b->code);
		return NULL;
	}
	b->state = SB_BOOKING_CHECKED_IN;
	b->checked_in_at = now;
	return g_steal_pointer(&b);
}

gboolean sb_store_booking_cancel(SbStore *s, const char *typed, GError **error)
{
	g_autoptr(SbBooking) b = sb_store_booking_get(s, typed, error);
	if (b == NULL || !booking_usable(s, b, 0, now_s(s), error))
		return FALSE;
	g_autoptr(SbStmt) st =
		prep(s, "UPDATE bookings SET state = 'cancelled' WHERE id = ? AND state = 'booked'", error);
	return st && bound(s, sqlite3_bind_int64(st, 1, b->id), error) && run(s, st, "cancelling the booking", error) &&
	       changed_one(s, "booking", b->code, error);
}

gboolean sb_store_booking_mark_used(SbStore *s, const char *typed, const char *call_id, GError **error)
{
	g_autofree char *code = norm_code(typed, error);
	if (code == NULL || !check_id("the call id", call_id, SB_STORE_MAX_ID, error))
		return FALSE;
	/* one statement: of two callers, exactly one changes the row */
	g_autoptr(SbStmt) st = prep(s,
				    "UPDATE bookings SET used_at = ?, used_call_id = ? "
				    "WHERE code = ? AND state = 'checked_in' AND used_at IS NULL",
				    error);
	if (!st ||
	    !bound(s, sqlite3_bind_int64(st, 1, now_s(s)) | bind_text(st, 2, call_id) | bind_text(st, 3, code),
		   error) ||
	    !run(s, st, "marking the booking used", error))
		return FALSE;
	if (sqlite3_changes(s->db) > 0)
		return TRUE;
	g_autoptr(SbBooking) b = booking_by_code(s, code, error);
	if (b == NULL)
		return FALSE;
	if (b->used_at != 0)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_USED,
			    "the booking %s was already used for a call (%s)", b->code,
			    b->used_call_id ? b->used_call_id : "?");
	else
		invalid(error, "the booking %s is %s, not checked in: it cannot be used for a call", b->code,
			sb_booking_state_to_string(b->state));
	return FALSE;
}

GPtrArray *sb_store_booking_list(SbStore *s, gint64 site_id, gint64 from_s, gint64 to_s, GError **error)
{
	g_autoptr(SbStmt) st = prep(s,
				    "SELECT " BOOKING_COLS " FROM bookings WHERE (?1 = 0 OR site_id = ?1) "
				    "AND start_at >= ?2 AND start_at < ?3 ORDER BY start_at, id",
				    error);
	if (!st || !bound(s,
			  sqlite3_bind_int64(st, 1, site_id) | sqlite3_bind_int64(st, 2, from_s) |
				  sqlite3_bind_int64(st, 3, to_s),
			  error))
		return NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)sb_booking_free);
	int rc;
	while ((rc = step(s, st, "listing bookings", error)) == SQLITE_ROW)
		g_ptr_array_add(out, booking_from_row(st));
	return rc == SQLITE_DONE ? g_steal_pointer(&out) : NULL;
}

gboolean sb_store_bookings_expire(SbStore *s, guint *n_marked, GError **error)
{
	g_autoptr(SbStmt) st =
		prep(s, "UPDATE bookings SET state = 'no_show' WHERE state = 'booked' AND start_at <= ?", error);
	if (!st || !bound(s, sqlite3_bind_int64(st, 1, now_s(s) - (gint64)s->no_show_min * 60), error) ||
	    !run(s, st, "marking no-shows", error))
		return FALSE;
	if (n_marked)
		*n_marked = (guint)sqlite3_changes(s->db);
	return TRUE;
}

/* --- call records --------------------------------------------------------------------------- */

gint64 sb_store_call_insert(SbStore *s, const SbCallRecord *r, GError **error)
{
	g_return_val_if_fail(r != NULL, 0);
	if (!check_id("the call id", r->call_id, SB_STORE_MAX_ID, error) ||
	    (r->booth_id && !check_id("the booth id", r->booth_id, SB_STORE_MAX_ID, error)) ||
	    !check_id("the topic", r->topic, SB_STORE_MAX_ID, error))
		return 0;
	if (!is_lang(r->language)) {
		invalid(error, "the language is not a language tag (2..8 of a-z -)");
		return 0;
	}
	if (r->end_reason && r->end_reason[0] && !is_word(r->end_reason, 32)) {
		invalid(error, "an end reason is a code of 1..32 characters of a-z 0-9 _ -, not free text");
		return 0;
	}
	if (r->queued_at <= 0 || r->ended_at < r->queued_at ||
	    (r->answered_at != 0 && (r->answered_at < r->queued_at || r->answered_at > r->ended_at))) {
		invalid(error, "the call's times are not in order (queued <= answered <= ended)");
		return 0;
	}
	if (r->site_id != 0 && !site_exists(s, r->site_id, error))
		return 0;
	g_autoptr(SbStmt) st = prep(s,
				    "INSERT INTO call_records (call_id, site_id, booth_id, topic, language, "
				    "queued_at, answered_at, ended_at, end_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
				    error);
	if (!st)
		return 0;
	int rc = bind_text(st, 1, r->call_id) | bind_opt(st, 2, r->site_id) | bind_text(st, 3, r->booth_id) |
		 bind_text(st, 4, r->topic) | bind_text(st, 5, r->language) | sqlite3_bind_int64(st, 6, r->queued_at) |
		 bind_opt(st, 7, r->answered_at) | sqlite3_bind_int64(st, 8, r->ended_at) |
		 bind_text(st, 9, r->end_reason ? r->end_reason : "");
	if (!bound(s, rc, error) || !run(s, st, "recording the call", error))
		return 0;
	return sqlite3_last_insert_rowid(s->db);
}

static gboolean call_exists(SbStore *s, const char *call_id, GError **error)
{
	g_autoptr(SbStmt) st = prep(s, "SELECT 1 FROM call_records WHERE call_id = ?", error);
	if (!st || !bound(s, bind_text(st, 1, call_id), error))
		return FALSE;
	int rc = step(s, st, "looking up the call", error);
	if (rc == SQLITE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no call '%s'", call_id);
	return rc == SQLITE_ROW;
}

gboolean sb_store_call_set_satisfaction(SbStore *s, const char *call_id, gint score, GError **error)
{
	if (score < 1 || score > 5)
		return invalid(error, "a rating is 1..5");
	if (!check_id("the call id", call_id, SB_STORE_MAX_ID, error) || !call_exists(s, call_id, error))
		return FALSE;
	g_autoptr(SbStmt) st =
		prep(s, "UPDATE call_records SET satisfaction = ? WHERE call_id = ? AND satisfaction IS NULL", error);
	if (!st || !bound(s, sqlite3_bind_int(st, 1, score) | bind_text(st, 2, call_id), error) ||
	    !run(s, st, "recording the rating", error))
		return FALSE;
	if (sqlite3_changes(s->db) == 0) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS, "the call '%s' is rated already", call_id);
		return FALSE;
	}
	return TRUE;
}

gboolean sb_store_call_set_outcome(SbStore *s, const char *call_id, const char *outcome, const char *note,
				   gboolean follow_up, GError **error)
{
	if (!check_id("the call id", call_id, SB_STORE_MAX_ID, error))
		return FALSE;
	if (!is_word(outcome, 32))
		return invalid(error, "an outcome is a code of 1..32 characters of a-z 0-9 _ -");
	if (note && note[0] && CONFIG_RELAIS_SB_OUTCOME_NOTE_MAX == 0)
		return invalid(error, "outcome notes are disabled");
	if (!check_text("the note", note, 0, CONFIG_RELAIS_SB_OUTCOME_NOTE_MAX, TRUE, error) ||
	    !call_exists(s, call_id, error))
		return FALSE;
	g_autoptr(SbStmt) st = prep(
		s, "UPDATE call_records SET outcome = ?, outcome_note = ?, follow_up = ? WHERE call_id = ?", error);
	return st &&
	       bound(s,
		     bind_text(st, 1, outcome) | bind_text(st, 2, note && note[0] ? note : NULL) |
			     sqlite3_bind_int(st, 3, follow_up ? 1 : 0) | bind_text(st, 4, call_id),
		     error) &&
	       run(s, st, "recording the outcome", error);
}

/* --- statistics ------------------------------------------------------------------------------- */

void sb_stat_row_free(SbStatRow *row)
{
	if (row == NULL)
		return;
	g_free(row->day);
	g_free(row->site);
	g_free(row->topic);
	g_free(row);
}

typedef struct {
	SbStatRow *row;
	GArray *waits, *durations; /* gint64 seconds */
} Agg;

static void agg_free(Agg *a)
{
	sb_stat_row_free(a->row);
	g_array_unref(a->waits);
	g_array_unref(a->durations);
	g_free(a);
}

typedef struct {
	char *name;
	GTimeZone *tz;
} SiteInfo;

static void site_info_free(SiteInfo *si)
{
	g_free(si->name);
	g_time_zone_unref(si->tz);
	g_free(si);
}

static Agg *agg_get(GHashTable *aggs, GHashTable *sites, SiteInfo *none, gint64 site_id, const char *topic, gint64 t)
{
	SiteInfo *si = g_hash_table_lookup(sites, &site_id);
	if (si == NULL)
		si = none;
	GDate date;
	local_date(si->tz, t, &date);
	char day[11];
	format_date(&date, day);
	g_autofree char *key = g_strdup_printf("%s|%" G_GINT64_FORMAT "|%s", day, site_id, topic);
	Agg *a = g_hash_table_lookup(aggs, key);
	if (a == NULL) {
		a = g_new0(Agg, 1);
		a->row = g_new0(SbStatRow, 1);
		a->row->day = g_strdup(day);
		a->row->site_id = site_id;
		a->row->site = g_strdup(si->name);
		a->row->topic = g_strdup(topic);
		a->waits = g_array_new(FALSE, FALSE, sizeof(gint64));
		a->durations = g_array_new(FALSE, FALSE, sizeof(gint64));
		g_hash_table_insert(aggs, g_steal_pointer(&key), a);
	}
	return a;
}

static gint cmp_i64(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
	return x < y ? -1 : x > y;
}

static void mean_median(GArray *v, gdouble *mean, gdouble *median)
{
	if (v->len == 0) {
		*mean = *median = -1;
		return;
	}
	g_array_sort(v, cmp_i64);
	gdouble sum = 0;
	for (guint i = 0; i < v->len; i++)
		sum += (gdouble)g_array_index(v, gint64, i);
	*mean = sum / v->len;
	guint m = v->len / 2;
	*median = v->len % 2 ? (gdouble)g_array_index(v, gint64, m)
			     : ((gdouble)g_array_index(v, gint64, m - 1) + (gdouble)g_array_index(v, gint64, m)) / 2;
}

static gint cmp_rows(gconstpointer a, gconstpointer b)
{
	const SbStatRow *x = *(SbStatRow *const *)a, *y = *(SbStatRow *const *)b;
	int c = strcmp(x->day, y->day);
	if (c == 0)
		c = strcmp(x->site, y->site); /* code point order: the same everywhere */
	if (c == 0)
		c = (x->site_id > y->site_id) - (x->site_id < y->site_id);
	if (c == 0)
		c = strcmp(x->topic, y->topic);
	return c;
}

GPtrArray *sb_store_stats(SbStore *s, gint64 from_s, gint64 to_s, GError **error)
{
	g_autoptr(GHashTable) sites =
		g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)site_info_free);
	{
		g_autoptr(GPtrArray) list = sb_store_site_list(s, error);
		if (list == NULL)
			return NULL;
		for (guint i = 0; i < list->len; i++) {
			SbSite *site = g_ptr_array_index(list, i);
			SiteInfo *si = g_new0(SiteInfo, 1);
			si->name = g_strdup(site->name);
			si->tz = tz_or_utc(site->timezone);
			g_hash_table_insert(sites, g_memdup2(&site->id, sizeof site->id), si);
		}
	}
	SiteInfo none = {.name = (char *)"", .tz = g_time_zone_new_utc()};
	g_autoptr(GHashTable) aggs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)agg_free);
	gboolean ok = FALSE;
	{
		g_autoptr(SbStmt) st = prep(s,
					    "SELECT coalesce(site_id, 0), topic, queued_at, answered_at, ended_at, "
					    "satisfaction, follow_up FROM call_records WHERE queued_at >= ? AND "
					    "queued_at < ?",
					    error);
		int rc = 0;
		if (st && bound(s, sqlite3_bind_int64(st, 1, from_s) | sqlite3_bind_int64(st, 2, to_s), error)) {
			while ((rc = step(s, st, "reading call records", error)) == SQLITE_ROW) {
				gint64 queued = sqlite3_column_int64(st, 2);
				Agg *a = agg_get(aggs, sites, &none, sqlite3_column_int64(st, 0),
						 (const char *)sqlite3_column_text(st, 1), queued);
				a->row->requests++;
				if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
					gint64 answered = sqlite3_column_int64(st, 3);
					gint64 wait = answered - queued,
					       duration = sqlite3_column_int64(st, 4) - answered;
					a->row->sessions++;
					g_array_append_val(a->waits, wait);
					g_array_append_val(a->durations, duration);
				}
				int score = sqlite3_column_int(st, 5);
				if (score >= 1 && score <= 5)
					a->row->satisfaction[score - 1]++;
				if (sqlite3_column_int(st, 6))
					a->row->follow_ups++;
			}
		}
		ok = rc == SQLITE_DONE;
	}
	if (ok) {
		g_autoptr(SbStmt) st = prep(s,
					    "SELECT site_id, topic, start_at, state FROM bookings WHERE start_at >= ? "
					    "AND start_at < ? AND state != 'cancelled'",
					    error);
		int rc = 0;
		gint64 late = now_s(s) - (gint64)s->no_show_min * 60;
		if (st && bound(s, sqlite3_bind_int64(st, 1, from_s) | sqlite3_bind_int64(st, 2, to_s), error)) {
			while ((rc = step(s, st, "reading bookings", error)) == SQLITE_ROW) {
				gint64 start = sqlite3_column_int64(st, 2);
				Agg *a = agg_get(aggs, sites, &none, sqlite3_column_int64(st, 0),
						 (const char *)sqlite3_column_text(st, 1), start);
				const char *state = (const char *)sqlite3_column_text(st, 3);
				a->row->bookings++;
				/* not marked yet by the periodic expiry: counted all the same */
				if (strcmp(state, "no_show") == 0 || (strcmp(state, "booked") == 0 && start <= late))
					a->row->no_shows++;
			}
		}
		ok = rc == SQLITE_DONE;
	}
	g_time_zone_unref(none.tz);
	if (!ok)
		return NULL;
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)sb_stat_row_free);
	GHashTableIter it;
	gpointer value;
	g_hash_table_iter_init(&it, aggs);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		Agg *a = value;
		mean_median(a->waits, &a->row->wait_mean_s, &a->row->wait_median_s);
		mean_median(a->durations, &a->row->duration_mean_s, &a->row->duration_median_s);
		g_ptr_array_add(rows, g_steal_pointer(&a->row));
	}
	g_ptr_array_sort(rows, cmp_rows);
	return rows;
}

/* One RFC 4180 field. Text from people (site names) that starts like a
 * spreadsheet formula gets a leading ' so that opening the file runs nothing. */
static void csv_text(GString *out, const char *v)
{
	g_autofree char *safe = NULL;
	if (v[0] && strchr("=+-@\t\r", v[0]))
		v = safe = g_strconcat("'", v, NULL);
	if (strpbrk(v, ",\"\r\n") == NULL) {
		g_string_append(out, v);
		return;
	}
	g_string_append_c(out, '"');
	for (const char *c = v; *c; c++) {
		if (*c == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *c);
	}
	g_string_append_c(out, '"');
}

static void csv_seconds(GString *out, gdouble v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	g_string_append_c(out, ',');
	/* -1: no answered call that day; an empty cell, not a zero */
	if (v >= 0)
		g_string_append(out, g_ascii_formatd(buf, sizeof buf, "%.1f", v));
}

char *sb_stats_to_csv(GPtrArray *rows)
{
	GString *out = g_string_new("day,site,topic,requests,sessions,wait_mean_s,wait_median_s,duration_mean_s,"
				    "duration_median_s,satisfaction_1,satisfaction_2,satisfaction_3,satisfaction_4,"
				    "satisfaction_5,follow_ups,bookings,no_shows\r\n");
	for (guint i = 0; rows && i < rows->len; i++) {
		SbStatRow *r = g_ptr_array_index(rows, i);
		csv_text(out, r->day);
		g_string_append_c(out, ',');
		csv_text(out, r->site);
		g_string_append_c(out, ',');
		csv_text(out, r->topic);
		g_string_append_printf(out, ",%u,%u", r->requests, r->sessions);
		csv_seconds(out, r->wait_mean_s);
		csv_seconds(out, r->wait_median_s);
		csv_seconds(out, r->duration_mean_s);
		csv_seconds(out, r->duration_median_s);
		for (guint k = 0; k < 5; k++)
			g_string_append_printf(out, ",%u", r->satisfaction[k]);
		g_string_append_printf(out, ",%u,%u,%u\r\n", r->follow_ups, r->bookings, r->no_shows);
	}
	return g_string_free(out, FALSE);
}
