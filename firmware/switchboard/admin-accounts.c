/* SPDX-License-Identifier: GPL-2.0-or-later */
/* admin-accounts: /api/admin/users: the accounts (never a password hash),
 * add, change, reset a password, delete; the last administrator stays. */
#define G_LOG_DOMAIN "relais-admin"

#include "admin-private.h"
#include "calendar.h"
#include "auth.h"

#include <string.h>

static void user_json(JsonBuilder *b, const SbUser *u, GHashTable *site_names)
{
	json_builder_begin_object(b);
	sb_api_add_string(b, "login", u->login);
	sb_api_add_string(b, "name", u->display_name);
	sb_api_add_string(b, "role", sb_role_to_string(u->role));
	sb_api_add_id_or_null(b, "site_id", u->site_id);
	sb_api_add_string(b, "site", u->site_id && site_names ? g_hash_table_lookup(site_names, &u->site_id) : "");
	sb_api_add_strv(b, "languages", u->languages);
	sb_api_add_strv(b, "topics", u->topics);
	json_builder_set_member_name(b, "disabled");
	json_builder_add_boolean_value(b, u->disabled);
	g_autofree char *created = sb_calendar_iso_utc(u->created);
	sb_api_add_string(b, "created", created);
	json_builder_end_object(b);
}

/* site id → name, for the lists */
static GHashTable *site_names(SbAdmin *a, GError **error)
{
	g_autoptr(GPtrArray) sites = sb_store_site_list(a->store, error);
	if (sites == NULL)
		return NULL;
	GHashTable *names = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	for (guint i = 0; i < sites->len; i++) {
		SbSite *s = sites->pdata[i];
		g_hash_table_insert(names, g_memdup2(&s->id, sizeof s->id), g_strdup(s->name));
	}
	return names;
}

/* The site names, or NULL with the store's error replied (`error`'s when the
 * caller's own read failed: !`read`). */
static GHashTable *site_names_or_reply(SbAdmin *a, SoupServerMessage *msg, gboolean read, GError **error)
{
	GHashTable *names = read ? site_names(a, error) : NULL;
	if (names == NULL)
		sb_api_reply_store_error(msg, *error, NULL);
	return names;
}

void sb_admin_users_list(SbAdmin *a, SoupServerMessage *msg)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) users = sb_store_user_list(a->store, &error);
	g_autoptr(GHashTable) names = site_names_or_reply(a, msg, users != NULL, &error);
	if (names == NULL)
		return;
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "users");
	json_builder_begin_array(b);
	for (guint i = 0; i < users->len; i++)
		user_json(b, users->pdata[i], names);
	json_builder_end_array(b);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

void sb_admin_user_reply(SbAdmin *a, SoupServerMessage *msg, guint status, const char *login, const char *password)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbUser) u = sb_store_user_get(a->store, login, &error);
	g_autoptr(GHashTable) names = site_names_or_reply(a, msg, u != NULL, &error);
	if (names == NULL)
		return;
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "user");
	user_json(b, u, names);
	if (password) {
		/* generated: shown once, here, and kept nowhere in clear */
		sb_api_add_string(b, "password", password);
	}
	json_builder_end_object(b);
	sb_http_set_json(msg, status, b);
}

/* The new password's hash from {password} or {generate: true}; *generated:
 * the generated password (to show once). NULL: replied. */
static char *password_from(SoupServerMessage *msg, JsonObject *o, const char *login, char **generated)
{
	const char *password;
	gboolean generate;
	if (!sb_api_opt_string(msg, o, "password", &password) || !sb_api_opt_bool(msg, o, "generate", &generate))
		return NULL;
	if ((password != NULL) == generate) {
		sb_api_reply_error(msg, SOUP_STATUS_BAD_REQUEST, "password",
				   "give a password, or ask for one to be generated (not both)");
		return NULL;
	}
	g_autoptr(GError) error = NULL;
	g_autofree char *trial = NULL;
	if (generate) {
		trial = sb_auth_trial_password(&error);
		password = trial;
	} else if (!sb_auth_check_password_policy(password, login, 0, &error)) {
		sb_api_reply_error(msg, SOUP_STATUS_BAD_REQUEST, "password", "password refused: %s", error->message);
		return NULL;
	}
	char *hash = password ? sb_auth_hash_password(password, &error) : NULL;
	if (hash == NULL) {
		g_warning("password for %s: %s", login, error ? error->message : "failed");
		sb_api_reply_error(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL, "could not make the password");
		return NULL;
	}
	*generated = g_steal_pointer(&trial);
	return hash;
}

static const char *user_field(const GError *error)
{
	static const struct {
		const char *word, *field;
	} words[] = {{"login", "login"},  {"display name", "name"}, {"languages", "languages"}, {"topics", "topics"},
		     {"site", "site_id"}, {"role", "role"},	    {"password", "password"}};
	for (guint i = 0; error && i < G_N_ELEMENTS(words); i++)
		if (strstr(error->message, words[i].word))
			return words[i].field;
	return NULL;
}

static gboolean role_member(SoupServerMessage *msg, JsonObject *o, gboolean required, SbRole *role, gboolean *given)
{
	const char *text;
	if (!sb_api_opt_string(msg, o, "role", &text))
		return FALSE;
	*given = text != NULL;
	if (text == NULL && !required)
		return TRUE;
	if (!sb_role_from_string(text, role)) {
		sb_api_reply_error(msg, SOUP_STATUS_BAD_REQUEST, "role", "role is adviser, admin or staff");
		return FALSE;
	}
	return TRUE;
}

/* Staff accounts have a site, and only they; a site given must exist. FALSE:
 * 400 (field site_id) replied. */
static gboolean site_fits_role(SbAdmin *a, SoupServerMessage *msg, SbRole role, gint64 site_id)
{
	if ((role == SB_ROLE_STAFF) != (site_id != 0)) {
		sb_api_reply_error(msg, SOUP_STATUS_BAD_REQUEST, "site_id",
				   role == SB_ROLE_STAFF ? "a staff account needs a site"
							 : "only staff accounts have a site");
		return FALSE;
	}
	return sb_admin_site_known(a, msg, site_id);
}

void sb_admin_user_add(SbAdmin *a, SoupServerMessage *msg)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = sb_api_read_object(msg, parser, SB_ADMIN_MAX_BODY);
	const char *login, *name;
	SbRole role = SB_ROLE_ADVISER;
	gboolean given, has_site, has_l, has_t;
	gint64 site_id;
	g_auto(GStrv) langs = NULL;
	g_auto(GStrv) topics = NULL;
	if (o == NULL || !sb_api_req_string(msg, o, "login", &login) || !sb_api_opt_string(msg, o, "name", &name) ||
	    !role_member(msg, o, TRUE, &role, &given) || !sb_api_opt_id(msg, o, "site_id", &site_id, &has_site) ||
	    !sb_api_opt_strv(msg, o, "languages", &langs, &has_l) ||
	    !sb_api_opt_strv(msg, o, "topics", &topics, &has_t))
		return;
	if (!site_fits_role(a, msg, role, site_id))
		return;
	g_autoptr(GError) error = NULL;
	g_autoptr(SbUser) exists = sb_store_user_get(a->store, login, &error);
	if (exists) {
		sb_api_reply_error(msg, SOUP_STATUS_CONFLICT, "login", "the login '%s' is taken", exists->login);
		return;
	}
	if (!g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND)) {
		sb_api_reply_store_error(msg, error, "login");
		return;
	}
	g_clear_error(&error);
	g_autofree char *generated = NULL;
	g_autofree char *hash = password_from(msg, o, login, &generated);
	if (hash == NULL)
		return;
	SbUser u = {
		.login = (char *)login,
		.display_name = (char *)(name && *name ? name : login),
		.role = role,
		.site_id = site_id,
		.languages = langs,
		.topics = topics,
		.password_hash = hash,
	};
	if (sb_store_user_add(a->store, &u, &error) == 0) {
		sb_api_reply_store_error(msg, error, user_field(error));
		return;
	}
	g_message("%s '%s' added by the administration page", sb_role_to_string(role), login);
	sb_admin_user_reply(a, msg, SOUP_STATUS_CREATED, login, generated);
	if (generated)
		memset(generated, 0, strlen(generated));
}

static gboolean count_admins(SbAdmin *a, guint *n, GError **error)
{
	g_autoptr(GPtrArray) users = sb_store_user_list(a->store, error);
	if (users == NULL)
		return FALSE;
	*n = 0;
	for (guint i = 0; i < users->len; i++)
		if (((SbUser *)users->pdata[i])->role == SB_ROLE_ADMIN && !((SbUser *)users->pdata[i])->disabled)
			(*n)++;
	return TRUE;
}

/* 409 unless `target` (an admin now) may stop being one: not `me`, not the
 * last. `what`: "delete", "demote". */
static gboolean may_lose_admin(SbAdmin *a, SoupServerMessage *msg, const SbUser *me, const SbUser *target,
			       const char *what)
{
	if (target->id == me->id) {
		sb_api_reply_error(msg, SOUP_STATUS_CONFLICT, strcmp(what, "demote") == 0 ? "role" : NULL,
				   "you cannot %s your own account: ask another administrator", what);
		return FALSE;
	}
	if (target->role != SB_ROLE_ADMIN)
		return TRUE;
	g_autoptr(GError) error = NULL;
	guint n;
	if (!count_admins(a, &n, &error)) {
		sb_api_reply_store_error(msg, error, NULL);
		return FALSE;
	}
	if (n <= 1) {
		sb_api_reply_error(msg, SOUP_STATUS_CONFLICT, NULL, "'%s' is the last administrator", target->login);
		return FALSE;
	}
	return TRUE;
}

/* The account's sign-ins, read before they end: their consoles are closed
 * after. */
static char **signin_hashes(SbAdmin *a, gint64 user_id)
{
	g_autoptr(GError) error = NULL;
	char **hashes = sb_store_signin_hashes(a->store, user_id, &error);
	if (hashes == NULL)
		g_warning("sessions of account %" G_GINT64_FORMAT ": %s", user_id, error->message);
	return hashes;
}

static void close_consoles(SbAdmin *a, char **hashes)
{
	if (a->close_consoles && hashes && *hashes)
		a->close_consoles((const char *const *)hashes, a->close_data);
}

/* The account `login`, or NULL with the store's error (404) replied. */
static SbUser *user_or_reply(SbAdmin *a, SoupServerMessage *msg, const char *login)
{
	g_autoptr(GError) error = NULL;
	SbUser *u = sb_store_user_get(a->store, login, &error);
	if (u == NULL)
		sb_api_reply_store_error(msg, error, NULL);
	return u;
}

void sb_admin_user_update(SbAdmin *a, SoupServerMessage *msg, const SbUser *me, const char *login)
{
	g_autoptr(SbUser) old = user_or_reply(a, msg, login);
	if (old == NULL)
		return;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = sb_api_read_object(msg, parser, SB_ADMIN_MAX_BODY);
	const char *name;
	SbRole role = old->role;
	gboolean has_role, has_site, has_l, has_t;
	gint64 site_id;
	g_auto(GStrv) langs = NULL;
	g_auto(GStrv) topics = NULL;
	if (o == NULL || !sb_api_opt_string(msg, o, "name", &name) || !role_member(msg, o, FALSE, &role, &has_role) ||
	    !sb_api_opt_id(msg, o, "site_id", &site_id, &has_site) ||
	    !sb_api_opt_strv(msg, o, "languages", &langs, &has_l) ||
	    !sb_api_opt_strv(msg, o, "topics", &topics, &has_t))
		return;
	if (old->role == SB_ROLE_ADMIN && role != SB_ROLE_ADMIN && !may_lose_admin(a, msg, me, old, "demote"))
		return;
	/* a site only for staff: leaving staff drops it unless one is given */
	if (!has_site)
		site_id = role == SB_ROLE_STAFF ? old->site_id : 0;
	if (!site_fits_role(a, msg, role, site_id))
		return;
	SbUser u = {
		.login = old->login,
		.display_name = name && *name ? (char *)name : old->display_name,
		.role = role,
		.site_id = site_id,
		.languages = has_l ? langs : old->languages,
		.topics = has_t ? topics : old->topics,
	};
	/* staff do not answer calls: their open consoles close now (a change
	 * between adviser and admin, of name or skills, waits for the next
	 * connection rather than cut a visitor's call) */
	gboolean stops_answering = old->role != SB_ROLE_STAFF && role == SB_ROLE_STAFF;
	g_auto(GStrv) hashes = stops_answering ? signin_hashes(a, old->id) : NULL;
	if (!sb_store_user_update(a->store, &u, &error)) {
		sb_api_reply_store_error(msg, error, user_field(error));
		return;
	}
	close_consoles(a, hashes);
	g_message("account '%s' changed by the administration page", old->login);
	sb_admin_user_reply(a, msg, SOUP_STATUS_OK, old->login, NULL);
}

void sb_admin_user_password(SbAdmin *a, SoupServerMessage *msg, const char *login)
{
	g_autoptr(SbUser) old = user_or_reply(a, msg, login);
	if (old == NULL)
		return;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = sb_api_read_object(msg, parser, SB_ADMIN_MAX_BODY);
	if (o == NULL)
		return;
	g_autofree char *generated = NULL;
	g_autofree char *hash = password_from(msg, o, old->login, &generated);
	if (hash == NULL)
		return;
	g_auto(GStrv) hashes = signin_hashes(a, old->id);
	if (!sb_store_user_set_password(a->store, old->login, hash, &error)) {
		sb_api_reply_store_error(msg, error, "password");
		return;
	}
	close_consoles(a, hashes);
	g_message("password of '%s' reset by the administration page (its sessions are ended)", old->login);
	sb_admin_user_reply(a, msg, SOUP_STATUS_OK, old->login, generated);
	if (generated)
		memset(generated, 0, strlen(generated));
}

void sb_admin_user_delete(SbAdmin *a, SoupServerMessage *msg, const SbUser *me, const char *login)
{
	g_autoptr(SbUser) old = user_or_reply(a, msg, login);
	if (old == NULL)
		return;
	g_autoptr(GError) error = NULL;
	if (!may_lose_admin(a, msg, me, old, "delete"))
		return;
	g_auto(GStrv) hashes = signin_hashes(a, old->id);
	if (!sb_store_user_del(a->store, old->login, &error)) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	close_consoles(a, hashes);
	g_message("account '%s' deleted by the administration page", old->login);
	sb_api_reply_ok(msg);
}
