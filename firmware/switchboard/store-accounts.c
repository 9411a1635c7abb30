/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-store"

#include "store-private.h"
#include "auth.h"
#include "relais-config.h"

#include <string.h>

/* --- accounts ---------------------------------------------------------------------------- */

/* Lower-cases and checks a login. Returns: (transfer full) or NULL. */
static char *norm_login(const char *login, GError **error)
{
	if (login == NULL || login[0] == '\0') {
		store_invalid(error, "the login is empty");
		return NULL;
	}
	gsize n = strlen(login);
	if (n < 2 || n > SB_STORE_MAX_LOGIN) {
		store_invalid(error, "a login has 2..%d characters", SB_STORE_MAX_LOGIN);
		return NULL;
	}
	g_autofree char *l = g_ascii_strdown(login, -1);
	for (const char *c = l; *c; c++) {
		if (!g_ascii_islower(*c) && !g_ascii_isdigit(*c) && !strchr("._-@", *c)) {
			store_invalid(error, "a login may contain only letters a-z, digits and . _ - @");
			return NULL;
		}
	}
	if (!g_ascii_isalnum(l[0])) {
		store_invalid(error, "a login starts with a letter or a digit");
		return NULL;
	}
	return g_steal_pointer(&l);
}

/* Joins a list of lang tags or topic ids, checking each. */
static char *join_list(const char *field, char **items, gboolean langs, GError **error)
{
	guint n = items ? g_strv_length(items) : 0;
	if (n > SB_STORE_MAX_LIST) {
		store_invalid(error, "more than %d %s", SB_STORE_MAX_LIST, field);
		return NULL;
	}
	for (guint i = 0; i < n; i++) {
		gboolean ok = langs ? relais_proto_valid_lang(items[i]) : store_is_id(items[i], SB_STORE_MAX_ID);
		if (!ok) {
			store_invalid(error, "%s: '%s' is not a %s", field, items[i],
				      langs ? "language tag (2..8 of a-z -)" : "topic id");
			return NULL;
		}
		for (guint j = 0; j < i; j++) {
			if (strcmp(items[i], items[j]) == 0) {
				store_invalid(error, "%s: '%s' twice", field, items[i]);
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
	u->id = store_col_int64(st, 0);
	u->login = store_col_str(st, 1);
	u->display_name = store_col_str(st, 2);
	g_autofree char *role = store_col_str(st, 3);
	if (!sb_role_from_string(role, &u->role))
		u->role = SB_ROLE_ADVISER; /* the schema's CHECK makes this unreachable */
	u->site_id = store_col_int64(st, 4);
	g_autofree char *langs = store_col_str(st, 5);
	g_autofree char *topics = store_col_str(st, 6);
	u->languages = split_list(langs);
	u->topics = split_list(topics);
	u->created = store_col_int64(st, 7);
	u->disabled = store_col_int(st, 8) != 0;
	if (col_hash >= 0)
		u->password_hash = store_col_str(st, col_hash);
	return u;
}

/* The checks shared by add and update: fills the joined lists. */
static gboolean check_user(SbStore *s, const SbUser *u, char **langs, char **topics, GError **error)
{
	if (!store_check_text("the display name", u->display_name, 1, SB_STORE_MAX_NAME, FALSE, error))
		return FALSE;
	if ((guint)u->role >= G_N_ELEMENTS(role_names))
		return store_invalid(error, "unknown role %d (adviser, admin or staff)", (int)u->role);
	if (u->role == SB_ROLE_STAFF && u->site_id <= 0)
		return store_invalid(error, "a staff account belongs to a site");
	if (u->role != SB_ROLE_STAFF && u->site_id != 0)
		return store_invalid(error, "only staff accounts belong to a site");
	if (u->role == SB_ROLE_STAFF && !store_site_exists(s, u->site_id, error))
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
		store_invalid(error, "refusing to store something that is not a password hash");
		return 0;
	}
	g_autoptr(SbStmt) st = store_prep(s,
					  "INSERT INTO users (login, display_name, role, site_id, languages, topics, "
					  "password_hash, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
					  error);
	if (st == NULL)
		return 0;
	int rc = store_bind_text(st, 1, login) | store_bind_text(st, 2, u->display_name) |
		 store_bind_text(st, 3, sb_role_to_string(u->role)) | store_bind_opt(st, 4, u->site_id) |
		 store_bind_text(st, 5, langs) | store_bind_text(st, 6, topics) |
		 store_bind_text(st, 7, u->password_hash) | store_bind_int64(st, 8, sb_store_now(s));
	if (!store_bound(s, rc, error))
		return 0;
	g_autoptr(GError) local = NULL;
	if (!store_run(s, st, "adding the account", &local)) {
		if (g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS))
			g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS, "the login '%s' is taken", login);
		else
			g_propagate_error(error, g_steal_pointer(&local));
		return 0;
	}
	return store_last_id(s);
}

gboolean sb_store_user_update(SbStore *s, const SbUser *u, GError **error)
{
	g_autofree char *login = norm_login(u->login, error);
	if (login == NULL)
		return FALSE;
	g_autofree char *langs = NULL, *topics = NULL;
	if (!check_user(s, u, &langs, &topics, error))
		return FALSE;
	g_autoptr(SbStmt) st = store_prep(s,
					  "UPDATE users SET display_name = ?, role = ?, site_id = ?, languages = ?, "
					  "topics = ? WHERE login = ?",
					  error);
	if (st == NULL)
		return FALSE;
	int rc = store_bind_text(st, 1, u->display_name) | store_bind_text(st, 2, sb_role_to_string(u->role)) |
		 store_bind_opt(st, 3, u->site_id) | store_bind_text(st, 4, langs) | store_bind_text(st, 5, topics) |
		 store_bind_text(st, 6, login);
	return store_bound(s, rc, error) && store_run(s, st, "updating the account", error) &&
	       store_changed_one(s, "account", login, error);
}

static gint64 user_id_of(SbStore *s, const char *login, GError **error)
{
	g_autoptr(SbUser) u = sb_store_user_get(s, login, error);
	return u ? u->id : 0;
}

gboolean sb_store_user_set_password(SbStore *s, const char *login, const char *password_hash, GError **error)
{
	if (!looks_like_hash(password_hash))
		return store_invalid(error, "refusing to store something that is not a password hash");
	gint64 id = user_id_of(s, login, error);
	if (id == 0 || !store_tx_begin(s, error))
		return FALSE;
	g_autoptr(SbStmt) st = store_prep(s, "UPDATE users SET password_hash = ? WHERE id = ?", error);
	gboolean ok = st &&
		      store_bound(s, store_bind_text(st, 1, password_hash) | store_bind_int64(st, 2, id), error) &&
		      store_run(s, st, "setting the password", error) &&
		      sb_store_signin_delete_user(s, id, NULL, error) && store_tx_commit(s, error);
	if (!ok)
		store_tx_rollback(s);
	return ok;
}

gboolean sb_store_user_set_disabled(SbStore *s, const char *login, gboolean disabled, GError **error)
{
	gint64 id = user_id_of(s, login, error);
	if (id == 0 || !store_tx_begin(s, error))
		return FALSE;
	g_autoptr(SbStmt) st = store_prep(s, "UPDATE users SET disabled = ? WHERE id = ?", error);
	gboolean ok = st &&
		      store_bound(s, store_bind_int(st, 1, disabled ? 1 : 0) | store_bind_int64(st, 2, id), error) &&
		      store_run(s, st, "disabling the account", error) &&
		      (!disabled || sb_store_signin_delete_user(s, id, NULL, error)) && store_tx_commit(s, error);
	if (!ok)
		store_tx_rollback(s);
	return ok;
}

gboolean sb_store_user_del(SbStore *s, const char *login, GError **error)
{
	g_autofree char *l = norm_login(login, error);
	if (l == NULL)
		return FALSE;
	/* sign-ins go with it (ON DELETE CASCADE) */
	g_autoptr(SbStmt) st = store_prep(s, "DELETE FROM users WHERE login = ?", error);
	return st && store_bound(s, store_bind_text(st, 1, l), error) &&
	       store_run(s, st, "deleting the account", error) && store_changed_one(s, "account", l, error);
}

SbUser *sb_store_user_get(SbStore *s, const char *login, GError **error)
{
	g_autofree char *l = norm_login(login, error);
	if (l == NULL)
		return NULL;
	g_autoptr(SbStmt) st =
		store_prep(s, "SELECT " USER_COLS ", u.password_hash FROM users u WHERE u.login = ?", error);
	if (st == NULL || !store_bound(s, store_bind_text(st, 1, l), error))
		return NULL;
	int rc = store_step(s, st, "reading the account", error);
	if (rc == STORE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no account '%s'", l);
	return rc == STORE_ROW ? user_from_row(st, 9) : NULL;
}

SbUser *sb_store_user_get_by_id(SbStore *s, gint64 id, GError **error)
{
	g_autoptr(SbStmt) st =
		store_prep(s, "SELECT " USER_COLS ", u.password_hash FROM users u WHERE u.id = ?", error);
	if (st == NULL || !store_bound(s, store_bind_int64(st, 1, id), error))
		return NULL;
	int rc = store_step(s, st, "reading the account", error);
	if (rc == STORE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no account %" G_GINT64_FORMAT, id);
	return rc == STORE_ROW ? user_from_row(st, 9) : NULL;
}

GPtrArray *sb_store_user_list(SbStore *s, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, "SELECT " USER_COLS " FROM users u ORDER BY u.login", error);
	if (st == NULL)
		return NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)sb_user_free);
	int rc;
	while ((rc = store_step(s, st, "listing accounts", error)) == STORE_ROW)
		g_ptr_array_add(out, user_from_row(st, -1));
	return rc == STORE_DONE ? g_steal_pointer(&out) : NULL;
}

/* --- sign-ins --------------------------------------------------------------------------- */

/* A token longer than this cannot be ours: not even hashed. */
#define TOKEN_MAX 128

static gboolean check_address(const char *addr, GError **error)
{
	if (addr == NULL)
		return TRUE;
	if (strlen(addr) > SB_STORE_MAX_ADDRESS)
		return store_invalid(error, "the remote address is longer than %d characters", SB_STORE_MAX_ADDRESS);
	for (const char *c = addr; *c; c++)
		if (!g_ascii_isgraph(*c))
			return store_invalid(error, "the remote address contains a space or a control character");
	return TRUE;
}

char *sb_store_signin_create(SbStore *s, gint64 user_id, const char *remote_addr, guint ttl_s, GError **error)
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
	gint64 now = sb_store_now(s);
	g_autoptr(SbStmt) st = store_prep(s,
					  "INSERT INTO sessions (token_hash, user_id, created, expires, last_used, "
					  "remote_addr) VALUES (?, ?, ?, ?, ?, ?)",
					  error);
	if (st == NULL)
		return NULL;
	int rc = store_bind_text(st, 1, hash) | store_bind_int64(st, 2, user_id) | store_bind_int64(st, 3, now) |
		 store_bind_int64(st, 4, now + ttl_s) | store_bind_int64(st, 5, now) |
		 store_bind_text(st, 6, remote_addr ? remote_addr : "");
	if (!store_bound(s, rc, error) || !store_run(s, st, "opening a session", error))
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

SbUser *sb_store_signin_lookup(SbStore *s, const char *token, GError **error)
{
	g_autofree char *hash = token_key(token, error);
	if (hash == NULL)
		return NULL;
	return sb_store_signin_lookup_key(s, hash, error);
}

SbUser *sb_store_signin_lookup_key(SbStore *s, const char *hash, GError **error)
{
	g_autoptr(SbStmt) st =
		store_prep(s,
			   "SELECT " USER_COLS ", s.expires FROM sessions s JOIN users u ON u.id = s.user_id "
			   "WHERE s.token_hash = ?",
			   error);
	if (st == NULL || !store_bound(s, store_bind_text(st, 1, hash), error))
		return NULL;
	int rc = store_step(s, st, "looking up the session", error);
	if (rc == 0)
		return NULL;
	if (rc == STORE_DONE) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no such session");
		return NULL;
	}
	g_autoptr(SbUser) u = user_from_row(st, -1);
	gint64 expires = store_col_int64(st, 9);
	store_stmt_release(st);
	if (expires <= sb_store_now(s)) {
		g_autoptr(GError) ignored = NULL;
		g_autoptr(SbStmt) del = store_prep(s, "DELETE FROM sessions WHERE token_hash = ?", &ignored);
		if (del == NULL || !store_bound(s, store_bind_text(del, 1, hash), &ignored) ||
		    !store_run(s, del, "ending the session", &ignored))
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

gboolean sb_store_signin_touch(SbStore *s, const char *token, GError **error)
{
	g_autofree char *hash = token_key(token, error);
	if (hash == NULL)
		return FALSE;
	g_autoptr(SbStmt) st = store_prep(s, "UPDATE sessions SET last_used = ? WHERE token_hash = ?", error);
	return st && store_bound(s, store_bind_int64(st, 1, sb_store_now(s)) | store_bind_text(st, 2, hash), error) &&
	       store_run(s, st, "touching the session", error) && store_changed_one(s, "session", "(token)", error);
}

gboolean sb_store_signin_delete(SbStore *s, const char *token, GError **error)
{
	g_autofree char *hash = token_key(token, error);
	if (hash == NULL)
		return FALSE;
	g_autoptr(SbStmt) st = store_prep(s, "DELETE FROM sessions WHERE token_hash = ?", error);
	return st && store_bound(s, store_bind_text(st, 1, hash), error) &&
	       store_run(s, st, "ending the session", error) && store_changed_one(s, "session", "(token)", error);
}

gboolean sb_store_signin_delete_user(SbStore *s, gint64 user_id, guint *n_removed, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, "DELETE FROM sessions WHERE user_id = ?", error);
	if (!st || !store_bound(s, store_bind_int64(st, 1, user_id), error) ||
	    !store_run(s, st, "ending sessions", error))
		return FALSE;
	if (n_removed)
		*n_removed = (guint)store_changes(s);
	return TRUE;
}

char **sb_store_signin_hashes(SbStore *s, gint64 user_id, GError **error)
{
	g_autoptr(SbStmt) st =
		store_prep(s, "SELECT token_hash FROM sessions WHERE user_id = ? ORDER BY created", error);
	if (!st || !store_bound(s, store_bind_int64(st, 1, user_id), error))
		return NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
	int rc;
	while ((rc = store_step(s, st, "listing sessions", error)) == STORE_ROW)
		g_ptr_array_add(out, store_col_str(st, 0));
	if (rc != STORE_DONE)
		return NULL;
	g_ptr_array_add(out, NULL);
	g_ptr_array_set_free_func(out, NULL);
	return (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
}

gboolean sb_store_signin_purge(SbStore *s, guint *n_removed, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, "DELETE FROM sessions WHERE expires <= ?", error);
	if (!st || !store_bound(s, store_bind_int64(st, 1, sb_store_now(s)), error) ||
	    !store_run(s, st, "purging sessions", error))
		return FALSE;
	if (n_removed)
		*n_removed = (guint)store_changes(s);
	return TRUE;
}

/* --- sign-in attempts ---------------------------------------------------------------------- */

static char *attempt_key(const char *kind, const char *value)
{
	g_autofree char *v = g_ascii_strdown(value ? value : "", -1);
	g_autofree char *text = g_strconcat(kind, ":", v, NULL);
	return g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
}

gboolean sb_store_attempt_record(SbStore *s, const char *login, const char *address, gint64 *id_out, GError **error)
{
	g_autofree char *lk = attempt_key("login", login);
	g_autofree char *ak = attempt_key("address", address);
	g_autoptr(SbStmt) st =
		store_prep(s, "INSERT INTO sign_in_attempts (login_key, address_key, at) VALUES (?, ?, ?)", error);
	if (!st ||
	    !store_bound(s,
			 store_bind_text(st, 1, lk) | store_bind_text(st, 2, ak) |
				 store_bind_int64(st, 3, sb_store_now(s)),
			 error) ||
	    !store_run(s, st, "recording a sign-in attempt", error))
		return FALSE;
	if (id_out)
		*id_out = store_last_id(s);
	return TRUE;
}

static gboolean count_key(SbStore *s, const char *sql, const char *key, gint64 since, SbAttempts *out, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, sql, error);
	if (!st || !store_bound(s, store_bind_text(st, 1, key) | store_bind_int64(st, 2, since), error) ||
	    store_step(s, st, "counting failed sign-ins", error) != STORE_ROW)
		return FALSE;
	out->failures = (guint)store_col_int64(st, 0);
	out->oldest_s = store_col_int64(st, 1);
	return TRUE;
}

gboolean sb_store_attempts_count(SbStore *s, const char *login, const char *address, guint window_s,
				 SbAttempts *per_pair, SbAttempts *per_address, SbAttempts *per_login, GError **error)
{
	if (window_s == 0)
		window_s = CONFIG_RELAIS_SB_SIGNIN_WINDOW_S;
	gint64 since = sb_store_now(s) - window_s;
	g_autofree char *lk = attempt_key("login", login);
	g_autofree char *ak = attempt_key("address", address);
	SbAttempts ignored;
	if (per_pair) {
		g_autoptr(SbStmt) st = store_prep(s,
						  "SELECT count(*), coalesce(min(at), 0) FROM sign_in_attempts "
						  "WHERE login_key = ? AND address_key = ? AND at > ?",
						  error);
		if (!st ||
		    !store_bound(
			    s, store_bind_text(st, 1, lk) | store_bind_text(st, 2, ak) | store_bind_int64(st, 3, since),
			    error) ||
		    store_step(s, st, "counting failed sign-ins", error) != STORE_ROW)
			return FALSE;
		per_pair->failures = (guint)store_col_int64(st, 0);
		per_pair->oldest_s = store_col_int64(st, 1);
	}
	return count_key(s,
			 "SELECT count(*), coalesce(min(at), 0) FROM sign_in_attempts "
			 "WHERE address_key = ? AND at > ?",
			 ak, since, per_address ? per_address : &ignored, error) &&
	       count_key(s,
			 "SELECT count(*), coalesce(min(at), 0) FROM sign_in_attempts "
			 "WHERE login_key = ? AND at > ?",
			 lk, since, per_login ? per_login : &ignored, error);
}

gboolean sb_store_attempt_succeeded(SbStore *s, gint64 id, const char *login, const char *address, GError **error)
{
	g_autofree char *lk = attempt_key("login", login);
	g_autofree char *ak = attempt_key("address", address);
	g_autoptr(SbStmt) del = store_prep(s, "DELETE FROM sign_in_attempts WHERE id = ?", error);
	if (!del || !store_bound(s, store_bind_int64(del, 1, id), error) ||
	    !store_run(s, del, "forgetting a sign-in attempt", error))
		return FALSE;
	/* the address's count stays: keep the rows, drop their login */
	g_autoptr(SbStmt) st = store_prep(
		s, "UPDATE sign_in_attempts SET login_key = '' WHERE login_key = ? AND address_key = ?", error);
	return st && store_bound(s, store_bind_text(st, 1, lk) | store_bind_text(st, 2, ak), error) &&
	       store_run(s, st, "forgetting failed sign-ins", error);
}

gboolean sb_store_attempts_prune(SbStore *s, guint window_s, guint *n_removed, GError **error)
{
	if (window_s == 0)
		window_s = CONFIG_RELAIS_SB_SIGNIN_WINDOW_S;
	g_autoptr(SbStmt) st = store_prep(s, "DELETE FROM sign_in_attempts WHERE at <= ?", error);
	if (!st || !store_bound(s, store_bind_int64(st, 1, sb_store_now(s) - window_s), error) ||
	    !store_run(s, st, "pruning failed sign-ins", error))
		return FALSE;
	if (n_removed)
		*n_removed = (guint)store_changes(s);
	return TRUE;
}
