/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-site"

#include "site.h"
#include "calendar.h"
#include "http.h"

#include <string.h>

#define SITE_DATA_KEY "relais-site"
/* how long a sync's write waits for another process's lock (ms) */
#define SITE_SYNC_BUSY_MS 100

/* What was last written for a connected booth, so that an unchanged one is
 * not rewritten at every sync. */
typedef struct {
	gint64 site_id;
	char *state;
	char *reason;
	char *software, *slot; /* as its hello said them */
	gboolean software_written;
	gint64 written_us;
} Written;

struct _SbSiteBooths {
	SbStore *store;
	SbHub *hub;	     /* NULL without sb_site_register() */
	GHashTable *written; /* booth_id -> Written: booths seen connected */
	guint timer_id;
	/* the store could not take the states for a fault of the moment (a
	 * full disk, a lock): logged once until a sync goes through */
	gboolean faulted;
};

static void written_free(Written *w)
{
	g_free(w->state);
	g_free(w->reason);
	g_free(w->software);
	g_free(w->slot);
	g_free(w);
}

const char *sb_site_status_word(const char *state)
{
	if (state == NULL)
		return "offline";
	if (strcmp(state, "queued") == 0 || strcmp(state, "in_call") == 0)
		return "in_use";
	if (strcmp(state, "out_of_order") == 0)
		return "out_of_order";
	return "online";
}

SbSiteBooths *sb_site_booths_new(SbStore *store)
{
	SbSiteBooths *sb = g_new0(SbSiteBooths, 1);
	sb->store = store;
	sb->written = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)written_free);
	return sb;
}

void sb_site_booths_free(SbSiteBooths *sb)
{
	if (sb == NULL)
		return;
	g_clear_handle_id(&sb->timer_id, g_source_remove);
	g_hash_table_unref(sb->written);
	g_free(sb);
}

/* --- snapshot → store ------------------------------------------------------------ */

/* The store site named `name`, or 0: booths name their site; only sites the
 * store knows (made by an administrator or `user add --site`) count. */
static gint64 site_id_for(SbStore *store, const char *name)
{
	if (name == NULL || *name == '\0')
		return 0;
	g_autoptr(GError) error = NULL;
	g_autoptr(SbSite) site = sb_store_site_get_by_name(store, name, &error);
	return site ? site->id : 0;
}

/* The store's row of `booth_id`, from `*list` (read once per sync, when
 * needed), or NULL. */
static SbBooth *stored_booth(SbStore *store, GPtrArray **list, const char *booth_id, GError **error)
{
	if (*list == NULL && (*list = sb_store_booth_list(store, 0, error)) == NULL)
		return NULL;
	for (guint i = 0; i < (*list)->len; i++) {
		SbBooth *b = (*list)->pdata[i];
		if (strcmp(b->id, booth_id) == 0)
			return b;
	}
	return NULL;
}

gint64 sb_site_booth_site(SbStore *store, const char *site_name, const char *booth_id)
{
	gint64 id = site_id_for(store, site_name);
	if (id != 0 || booth_id == NULL)
		return id;
	/* one row, not the list of every booth: this runs at each call's end */
	g_autoptr(GError) error = NULL;
	g_autofree char *registered = sb_store_booth_site_name(store, booth_id, &error);
	return site_id_for(store, registered);
}

static void keep_first_error(SbSiteBooths *sb, GError **error, GError *e)
{
	/* each sync tries again: a full disk is one warning, not one a sync */
	if (!sb_store_error_is_transient(e))
		g_warning("%s", e->message);
	else if (!sb->faulted)
		g_warning("booth states cannot be written now, retried at each sync: %s", e->message);
	else
		g_debug("%s", e->message);
	if (sb_store_error_is_transient(e))
		sb->faulted = TRUE;
	if (error && *error == NULL)
		g_propagate_error(error, e);
	else
		g_error_free(e);
}

static gboolean write_booth(SbSiteBooths *sb, GPtrArray **list, const char *id, gint64 site_id, const char *state,
			    const char *reason, Written *w, GError **error)
{
	if (w == NULL || w->site_id != site_id) {
		/* keep a name an administrator gave; (re)place it under its site */
		GError *e = NULL;
		SbBooth *row = stored_booth(sb->store, list, id, &e);
		if (e) {
			g_propagate_prefixed_error(error, e, "booth %s: ", id);
			return FALSE;
		}
		/* a booth naming no site the store knows keeps the one an
		 * administrator gave it */
		gboolean keep = row && site_id == 0 && row->site_id != 0;
		if ((row == NULL || row->site_id != site_id) && !keep &&
		    !sb_store_booth_upsert(sb->store, id, site_id, row ? row->name : "", &e)) {
			g_propagate_prefixed_error(error, e, "booth %s: ", id);
			return FALSE;
		}
	}
	GError *e = NULL;
	if (!sb_store_booth_seen(sb->store, id, state, reason, &e)) {
		g_propagate_prefixed_error(error, e, "booth %s: ", id);
		return FALSE;
	}
	return TRUE;
}

static gboolean booths_sync(SbSiteBooths *sb, JsonArray *snapshot, gint64 now_us, GError **error);

gboolean sb_site_booths_sync(SbSiteBooths *sb, JsonArray *snapshot, gint64 now_us, GError **error)
{
	/* a locked database must not hold the main loop for the store's busy
	 * timeout at each sync: the next sync tries again */
	sb_store_set_busy_ms(sb->store, SITE_SYNC_BUSY_MS);
	gboolean ok = booths_sync(sb, snapshot, now_us, error);
	sb_store_set_busy_ms(sb->store, 0);
	if (ok && sb->faulted) {
		g_message("booth states written again");
		sb->faulted = FALSE;
	}
	return ok;
}

/* What a sync wrote for one booth, kept in `written` once committed. */
typedef struct {
	char *id;
	gint64 site_id;
	const char *state, *reason, *software, *slot; /* the snapshot's */
	gboolean software_written;
} Wrote;

static gboolean booths_sync(SbSiteBooths *sb, JsonArray *snapshot, gint64 now_us, GError **error)
{
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GHashTable) present = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GHashTable) site_ids = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	g_autoptr(GArray) wrote = g_array_new(FALSE, TRUE, sizeof(Wrote));
	g_autoptr(GPtrArray) gone = g_ptr_array_new();
	gboolean ok = TRUE;
	/* one transaction: one commit for every booth written (a fleet's
	 * heartbeat was one fsync a booth, on the main loop) */
	GError *e = NULL;
	if (!sb_store_batch_begin(sb->store, &e)) {
		keep_first_error(sb, error, e);
		return FALSE;
	}
	guint n = snapshot ? json_array_get_length(snapshot) : 0;
	for (guint i = 0; i < n; i++) {
		JsonObject *o = json_array_get_object_element(snapshot, i);
		const char *id = o ? json_object_get_string_member_with_default(o, "booth_id", NULL) : NULL;
		if (id == NULL)
			continue;
		const char *state = json_object_get_string_member_with_default(o, "state", "idle");
		const char *reason = json_object_get_string_member_with_default(o, "reason", "");
		/* a region's booths name a few sites: each name read once a sync */
		const char *site = json_object_get_string_member_with_default(o, "site", "");
		gpointer known;
		if (!g_hash_table_lookup_extended(site_ids, site, NULL, &known)) {
			gint64 sid = site_id_for(sb->store, site);
			known = g_memdup2(&sid, sizeof sid);
			g_hash_table_insert(site_ids, (gpointer)site, known);
		}
		gint64 site_id = *(gint64 *)known;
		g_hash_table_add(present, (gpointer)id);
		Written *w = g_hash_table_lookup(sb->written, id);
		/* the software it runs: once per connection (a new hello) */
		const char *software = json_object_get_string_member_with_default(o, "software", NULL);
		const char *slot = json_object_get_string_member_with_default(o, "slot", NULL);
		gboolean software_due = w == NULL || !w->software_written || g_strcmp0(w->software, software) != 0 ||
					g_strcmp0(w->slot, slot) != 0;
		if (w && !software_due && w->site_id == site_id && g_strcmp0(w->state, state) == 0 &&
		    g_strcmp0(w->reason, reason) == 0 &&
		    now_us - w->written_us < (gint64)SB_SITE_HEARTBEAT_S * G_USEC_PER_SEC)
			continue;
		if (!write_booth(sb, &list, id, site_id, state, reason, w, &e)) {
			keep_first_error(sb, error, e);
			e = NULL;
			ok = FALSE;
			continue;
		}
		Wrote r = {.id = (char *)id, .site_id = site_id, .state = state, .reason = reason};
		r.software_written = w && w->software_written && !software_due;
		if (software_due) {
			if (!sb_store_booth_software(sb->store, id, software, slot, &e)) {
				g_prefix_error(&e, "booth %s: ", id);
				keep_first_error(sb, error, e);
				e = NULL;
				ok = FALSE;
			} else {
				r.software_written = TRUE;
			}
		}
		r.software = r.software_written ? software : (w ? w->software : NULL);
		r.slot = r.software_written ? slot : (w ? w->slot : NULL);
		g_array_append_val(wrote, r);
	}
	GHashTableIter it;
	gpointer key;
	g_hash_table_iter_init(&it, sb->written);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		if (g_hash_table_contains(present, key))
			continue;
		/* NOT_FOUND: an administrator deleted it meanwhile; nothing to mark */
		if (!sb_store_booth_seen(sb->store, key, "offline", NULL, &e) &&
		    !g_error_matches(e, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND)) {
			g_prefix_error(&e, "booth %s: ", (const char *)key);
			keep_first_error(sb, error, e);
			e = NULL;
			ok = FALSE;
			continue; /* try again at the next sync */
		}
		g_clear_error(&e);
		g_ptr_array_add(gone, key);
	}
	if (!sb_store_batch_end(sb->store, &e)) {
		/* nothing of this sync is kept: all of it again at the next */
		keep_first_error(sb, error, e);
		return FALSE;
	}
	for (guint i = 0; i < wrote->len; i++) {
		Wrote *r = &g_array_index(wrote, Wrote, i);
		Written *w = g_hash_table_lookup(sb->written, r->id);
		if (w == NULL) {
			w = g_new0(Written, 1);
			g_hash_table_insert(sb->written, g_strdup(r->id), w);
		}
		if (w->software != r->software) {
			char *software = g_strdup(r->software);
			g_free(w->software);
			w->software = software;
		}
		if (w->slot != r->slot) {
			char *slot = g_strdup(r->slot);
			g_free(w->slot);
			w->slot = slot;
		}
		w->software_written = r->software_written;
		w->site_id = r->site_id;
		g_free(w->state);
		w->state = g_strdup(r->state);
		g_free(w->reason);
		w->reason = g_strdup(r->reason);
		w->written_us = now_us;
	}
	for (guint i = 0; i < gone->len; i++)
		g_hash_table_remove(sb->written, gone->pdata[i]);
	return ok;
}

/* --- store → reply ------------------------------------------------------------------ */

static void add_site(JsonBuilder *b, const char *member, SbSite *site)
{
	json_builder_set_member_name(b, member);
	if (site == NULL) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, site->id);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, site->name);
	json_builder_end_object(b);
}

JsonNode *sb_site_booths_json(SbStore *store, JsonArray *snapshot, gint64 site_id, gint64 now_s, GError **error)
{
	g_autoptr(GPtrArray) booths = sb_store_booth_list(store, site_id, error);
	if (booths == NULL)
		return NULL;
	/* booth_id -> its state, for the connected ones */
	g_autoptr(GHashTable) live = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GHashTable) reasons = g_hash_table_new(g_str_hash, g_str_equal);
	guint n = snapshot ? json_array_get_length(snapshot) : 0;
	for (guint i = 0; i < n; i++) {
		JsonObject *o = json_array_get_object_element(snapshot, i);
		const char *id = o ? json_object_get_string_member_with_default(o, "booth_id", NULL) : NULL;
		if (id == NULL)
			continue;
		g_hash_table_insert(live, (gpointer)id,
				    (gpointer)json_object_get_string_member_with_default(o, "state", "idle"));
		g_hash_table_insert(reasons, (gpointer)id,
				    (gpointer)json_object_get_string_member_with_default(o, "reason", ""));
	}
	/* site id -> SbSite, for the names */
	g_autoptr(GHashTable) sites =
		g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, (GDestroyNotify)sb_site_free);
	g_autoptr(GPtrArray) all_sites = sb_store_site_list(store, error);
	if (all_sites == NULL)
		return NULL;
	for (guint i = 0; i < all_sites->len; i++) {
		SbSite *s = g_steal_pointer(&all_sites->pdata[i]);
		g_hash_table_insert(sites, &s->id, s);
	}

	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	add_site(b, "site", site_id ? g_hash_table_lookup(sites, &site_id) : NULL);
	g_autofree char *updated = sb_calendar_iso_utc(now_s);
	json_builder_set_member_name(b, "updated");
	json_builder_add_string_value(b, updated);
	json_builder_set_member_name(b, "booths");
	json_builder_begin_array(b);
	for (guint i = 0; i < booths->len; i++) {
		SbBooth *row = booths->pdata[i];
		const char *state = g_hash_table_lookup(live, row->id);
		const char *status = sb_site_status_word(state);
		SbSite *site = row->site_id ? g_hash_table_lookup(sites, &row->site_id) : NULL;
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_string_value(b, row->id);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, row->name ? row->name : "");
		json_builder_set_member_name(b, "site_id");
		if (site)
			json_builder_add_int_value(b, site->id);
		else
			json_builder_add_null_value(b);
		json_builder_set_member_name(b, "site");
		json_builder_add_string_value(b, site ? site->name : "");
		json_builder_set_member_name(b, "status");
		json_builder_add_string_value(b, status);
		if (strcmp(status, "out_of_order") == 0) {
			const char *reason = g_hash_table_lookup(reasons, row->id);
			json_builder_set_member_name(b, "reason");
			json_builder_add_string_value(b, reason ? reason : "");
		}
		/* a connected booth is seen now; the store's time may be a
		 * heartbeat old */
		g_autofree char *seen = state		 ? sb_calendar_iso_utc(now_s)
					: row->last_seen ? sb_calendar_iso_utc(row->last_seen)
							 : NULL;
		json_builder_set_member_name(b, "last_seen");
		if (seen)
			json_builder_add_string_value(b, seen);
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

/* --- GET /api/site/booths ------------------------------------------------------------ */

static void sync_now(SbSiteBooths *sb)
{
	g_autoptr(JsonArray) snapshot = sb_hub_booths_snapshot(sb->hub);
	g_autoptr(GError) error = NULL;
	if (!sb_site_booths_sync(sb, snapshot, g_get_monotonic_time(), &error))
		g_debug("booth sync: %s", error->message); /* each failure was logged */
}

static gboolean on_sync(gpointer data)
{
	sync_now(data);
	return G_SOURCE_CONTINUE;
}

static void on_site_booths(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
			   gpointer user_data)
{
	SbSiteBooths *sb = user_data;
	if (g_strcmp0(path, "/api/site/booths") != 0) {
		sb_http_set_json_error(msg, SOUP_STATUS_NOT_FOUND, "no such endpoint");
		return;
	}
	if (!sb_http_allow(msg, "GET, HEAD"))
		return;
	g_autoptr(GError) error = NULL;
	g_autoptr(SbUser) user =
		sb_http_require_role(sb->store, msg, SB_HTTP_ROLE(SB_ROLE_STAFF) | SB_HTTP_ROLE(SB_ROLE_ADMIN), NULL);
	if (user == NULL)
		return;
	const char *site_q = query ? g_hash_table_lookup(query, "site") : NULL;
	gint64 site_id = 0;
	if (site_q && (site_id = sb_http_parse_id(site_q)) == 0) {
		sb_http_set_json_error(msg, SOUP_STATUS_BAD_REQUEST, "site is a site id");
		return;
	}
	if (user->role == SB_ROLE_STAFF) {
		/* staff see their own site, whatever they ask */
		if (site_id != 0 && site_id != user->site_id) {
			sb_http_set_json_error(msg, SOUP_STATUS_FORBIDDEN, "staff see their own site only");
			return;
		}
		site_id = user->site_id;
	}
	if (site_id != 0) {
		g_autoptr(SbSite) site = sb_store_site_get(sb->store, site_id, &error);
		if (site == NULL) {
			gboolean missing = g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
			if (!missing)
				g_warning("site %" G_GINT64_FORMAT ": %s", site_id, error->message);
			sb_http_set_json_error(msg, missing ? SOUP_STATUS_NOT_FOUND : SOUP_STATUS_INTERNAL_SERVER_ERROR,
					       missing ? "no such site" : "the store failed");
			return;
		}
	}
	sync_now(sb);
	g_autoptr(JsonArray) snapshot = sb_hub_booths_snapshot(sb->hub);
	g_autoptr(JsonNode) root =
		sb_site_booths_json(sb->store, snapshot, site_id, g_get_real_time() / G_USEC_PER_SEC, &error);
	if (root == NULL) {
		g_warning("site booths: %s", error->message);
		sb_http_set_json_error(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "the store failed");
		return;
	}
	sb_http_set_json_node(msg, SOUP_STATUS_OK, root);
}

SbSiteBooths *sb_site_register(SoupServer *soup, SbStore *store, SbHub *hub)
{
	SbSiteBooths *sb = sb_site_booths_new(store);
	sb->hub = hub;
	g_object_set_data_full(G_OBJECT(soup), SITE_DATA_KEY, sb, (GDestroyNotify)sb_site_booths_free);
	soup_server_add_handler(soup, "/api/site/booths", on_site_booths, sb, NULL);
	sb->timer_id = g_timeout_add_seconds(SB_SITE_SYNC_S, on_sync, sb);
	return sb;
}
