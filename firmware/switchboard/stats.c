/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-stats"

#include "stats.h"
#include "api-json.h"
#include "auth.h"
#include "http.h"
#include "site.h"
#include "calendar.h"
#include "writeq.h"
#include "relais-config.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

/* An outcome is a few short fields: anything bigger is not one. */
#define OUTCOME_MAX_BODY 4096
/* the longest an outcome waits for its call's record to be committed, and
 * how often it looks (the reply is paused meanwhile: the main loop goes on) */
#define OUTCOME_WAIT_WRITER_MS 2000
#define OUTCOME_POLL_MS	       5
/* The longest range a statistics request may ask for. */
#define STATS_MAX_DAYS	   366
#define STATS_DEFAULT_DAYS 30
#define STATS_DATA_KEY	   "relais-stats"

const char *const sb_outcome_codes[] = {"informed", "referred", "appointment", "follow-up-needed", "other", NULL};

/* Which sign-in answered a recent call: the only one that may write its
 * outcome. In memory only, forgotten after OUTCOME_WINDOW_S. */
typedef struct {
	char *signin; /* SHA-256 of the adviser's sign-in token */
	gint64 ended_us;
} Answered;

struct _SbStats {
	SbStore *store;
	SbReader *reader;     /* the statistics are read on its thread */
	SbWriteQueue *writes; /* not owned: call records and ratings go through it */
	gboolean secure;
	GHashTable *answered; /* call id -> Answered */
	GList *pending;	      /* PendingOutcome*: replies paused for the writer */
};

/* An outcome posted before its call's record is written: its reply is
 * paused until the writer has passed the record (or the wait is over). */
typedef struct {
	SbStats *stats;
	SoupServerMessage *msg; /* a reference, paused */
	char *call, *outcome, *note, *login;
	gboolean follow_up;
	guint64 mark;
	gint64 deadline_us;
	guint source;
	gulong finished_id, disconnected_id;
	gboolean gone; /* the message ended meanwhile (the client went, the server stops) */
} PendingOutcome;

static void pending_free(PendingOutcome *p)
{
	if (p->source)
		g_source_remove(p->source);
	g_signal_handler_disconnect(p->msg, p->finished_id);
	g_signal_handler_disconnect(p->msg, p->disconnected_id);
	g_object_unref(p->msg);
	g_free(p->call);
	g_free(p->outcome);
	g_free(p->note);
	g_free(p->login);
	g_free(p);
}

static void answered_free(Answered *a)
{
	g_free(a->signin);
	g_free(a);
}

static void stats_free(SbStats *stats)
{
	/* the server goes with its messages: nothing left to answer */
	g_list_free_full(stats->pending, (GDestroyNotify)pending_free);
	g_hash_table_unref(stats->answered);
	g_free(stats);
}

static void prune_answered(SbStats *stats, gint64 now)
{
	gint64 window = (gint64)CONFIG_RELAIS_SB_OUTCOME_WINDOW_S * G_USEC_PER_SEC;
	GHashTableIter it;
	gpointer value;
	g_hash_table_iter_init(&it, stats->answered);
	while (g_hash_table_iter_next(&it, NULL, &value))
		if (now - ((Answered *)value)->ended_us > window)
			g_hash_table_iter_remove(&it);
}

/* --- records from the hub ------------------------------------------------------ */

/* A call record of our own (the hub's info lives for the callback only),
 * for the write queue. */
typedef struct {
	SbCallRecord r;
	char *call_id, *booth_id, *topic, *language, *end_reason;
} OwnedRecord;

static void owned_record_free(OwnedRecord *o)
{
	g_free(o->call_id);
	g_free(o->booth_id);
	g_free(o->topic);
	g_free(o->language);
	g_free(o->end_reason);
	g_free(o);
}

static gboolean write_record(SbStore *store, gpointer data, GError **error)
{
	OwnedRecord *o = data;
	return sb_store_call_insert(store, &o->r, error) != 0;
}

static char *iso_or_none(gint64 t)
{
	g_autoptr(GDateTime) d = t ? g_date_time_new_from_unix_utc(t) : NULL;
	return d ? g_date_time_format(d, "%FT%TZ") : g_strdup("-");
}

/* What the record holds, for the log should it never reach the store. */
static char *record_summary(const SbCallRecord *r)
{
	g_autofree char *q = iso_or_none(r->queued_at), *a = iso_or_none(r->answered_at), *e = iso_or_none(r->ended_at);
	return g_strdup_printf("call %s: site %" G_GINT64_FORMAT ", booth %s, topic %s, language %s, queued %s, "
			       "answered %s, ended %s, end %s, transfers %u",
			       r->call_id, r->site_id, r->booth_id ? r->booth_id : "-", r->topic, r->language, q, a, e,
			       r->end_reason ? r->end_reason : "-", r->transfers);
}

void sb_stats_call_ended(SbStats *stats, const SbHubCallInfo *info, const char *adviser_signin)
{
	/* booths name their site; only sites an administrator made count, and
	 * a booth naming none of them counts under the site it was given */
	gint64 site_id = sb_site_booth_site(stats->store, info->site, info->booth_id);
	OwnedRecord *o = g_new0(OwnedRecord, 1);
	o->r = (SbCallRecord){
		.call_id = o->call_id = g_strdup(info->call_id),
		.site_id = site_id,
		.booth_id = o->booth_id = g_strdup(info->booth_id),
		.topic = o->topic = g_strdup(info->topic ? info->topic : ""),
		.language = o->language = g_strdup(info->language ? info->language : ""),
		.queued_at = info->queued_at,
		.answered_at = info->answered_at,
		.ended_at = info->ended_at,
		.end_reason = o->end_reason = g_strdup(info->end_reason),
		.transfers = info->transfers,
	};
	/* written now, or kept and retried in order (writeq.h): the call is
	 * over for everyone whatever the disk says */
	SbWriteResult result = sb_write_queue_submit(stats->writes, SB_STATS_OP_CALL, record_summary(&o->r),
						     write_record, o, (GDestroyNotify)owned_record_free);
	if (result != SB_WRITE_WAITING)
		return;
	if (info->answered_at == 0 || adviser_signin == NULL)
		return;
	gint64 now = g_get_monotonic_time();
	prune_answered(stats, now);
	Answered *a = g_new0(Answered, 1);
	a->signin = g_strdup(adviser_signin);
	a->ended_us = now;
	g_hash_table_replace(stats->answered, g_strdup(info->call_id), a);
}

typedef struct {
	char *call_id;
	gint score;
} Rating;

static void rating_free(Rating *r)
{
	g_free(r->call_id);
	g_free(r);
}

static gboolean write_rating(SbStore *store, gpointer data, GError **error)
{
	Rating *r = data;
	return sb_store_call_set_satisfaction(store, r->call_id, r->score, error);
}

void sb_stats_feedback(SbStats *stats, const char *call_id, gint score)
{
	Rating *r = g_new0(Rating, 1);
	r->call_id = g_strdup(call_id);
	r->score = score;
	(void)sb_write_queue_submit(stats->writes, SB_STATS_OP_RATING,
				    g_strdup_printf("rating %d of call %s", score, call_id), write_rating, r,
				    (GDestroyNotify)rating_free);
}

/* --- requests ------------------------------------------------------------------- */

/* The signed-in account if its role is one of `roles` (SB_ROLE_* bits);
 * otherwise the reply is set (401 / 403) and NULL returned.
 * *signin_hash: the SHA-256 of the sign-in token (nullable). */
static SbUser *require_role(SbStats *stats, SoupServerMessage *msg, guint roles, char **signin_hash)
{
	g_autofree char *token = NULL;
	SbUser *user = sb_http_require_role(stats->store, msg, roles, &token);
	if (user && signin_hash)
		*signin_hash = sb_auth_token_hash(token);
	return user;
}

/* --- POST /api/outcome ------------------------------------------------------------ */

/* Writes the outcome and answers; its call's record is written by now, or
 * waits behind a fault (503), or was never made (404). */
static void record_outcome(SbStats *stats, SoupServerMessage *msg, const char *call, const char *outcome,
			   const char *note, gboolean follow_up, const char *login)
{
	g_autoptr(GError) error = NULL;
	if (!sb_store_call_set_outcome(stats->store, call, outcome, note, follow_up, &error)) {
		/* its record may be among the writes that wait for the disk */
		if (g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND) &&
		    sb_write_queue_waiting(stats->writes) > 0) {
			g_clear_error(&error);
			g_set_error(&error, SB_STORE_ERROR, SB_STORE_ERROR_UNAVAILABLE,
				    "the record of call %s is not written yet", call);
		}
		if (g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND))
			sb_http_set_json_error(msg, SOUP_STATUS_NOT_FOUND, "no record of this call");
		else
			sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	g_message("outcome of call %s recorded by '%s'", call, login);
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "call");
	json_builder_add_string_value(b, call);
	json_builder_set_member_name(b, "outcome");
	json_builder_add_string_value(b, outcome);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

static void on_pending_gone(SoupServerMessage *msg, gpointer data)
{
	((PendingOutcome *)data)->gone = TRUE;
}

static gboolean outcome_poll(gpointer data)
{
	PendingOutcome *p = data;
	if (!sb_write_queue_passed(p->stats->writes, p->mark) && g_get_monotonic_time() < p->deadline_us)
		return G_SOURCE_CONTINUE;
	p->source = 0;
	p->stats->pending = g_list_remove(p->stats->pending, p);
	/* written even when its sender went meanwhile: it is what they asked */
	record_outcome(p->stats, p->msg, p->call, p->outcome, p->note, p->follow_up, p->login);
	if (!p->gone)
		soup_server_message_unpause(p->msg);
	pending_free(p);
	return G_SOURCE_REMOVE;
}

static void on_outcome(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
		       gpointer user_data)
{
	SbStats *stats = user_data;
	if (g_strcmp0(path, "/api/outcome") != 0) {
		sb_http_set_json_error(msg, SOUP_STATUS_NOT_FOUND, "no such endpoint");
		return;
	}
	if (!sb_http_allow(msg, "POST"))
		return;
	if (!sb_http_origin_is_ours(msg, stats->secure, FALSE)) {
		sb_http_set_json_error(msg, SOUP_STATUS_FORBIDDEN, "cross-origin request refused");
		return;
	}
	g_autofree char *signin = NULL;
	g_autoptr(SbUser) user =
		require_role(stats, msg, SB_HTTP_ROLE(SB_ROLE_ADVISER) | SB_HTTP_ROLE(SB_ROLE_ADMIN), &signin);
	if (user == NULL)
		return;
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = sb_api_read_object(msg, parser, OUTCOME_MAX_BODY);
	if (o == NULL)
		return;
	const SbApiString note_rule = {.max_chars = CONFIG_RELAIS_SB_OUTCOME_NOTE_MAX};
	const char *call = NULL, *outcome = NULL, *note = NULL, *topic = NULL;
	gboolean follow_up = FALSE;
	if (!sb_api_req_string(msg, o, "call", &call) || !sb_api_req_string(msg, o, "outcome", &outcome) ||
	    !sb_api_string(msg, o, "note", &note_rule, &note) || !sb_api_opt_string(msg, o, "topic", &topic) ||
	    !sb_api_opt_bool(msg, o, "follow_up", &follow_up))
		return;
	if (!g_strv_contains(sb_outcome_codes, outcome)) {
		sb_api_reply_error(msg, SOUP_STATUS_BAD_REQUEST, "outcome", "unknown outcome code");
		return;
	}
	prune_answered(stats, g_get_monotonic_time());
	Answered *a = g_hash_table_lookup(stats->answered, call);
	/* someone else's call looks like no call at all */
	if (a == NULL || g_strcmp0(a->signin, signin) != 0) {
		sb_http_set_json_error(msg, SOUP_STATUS_NOT_FOUND, "no recent call of yours has this id");
		return;
	}
	/* the call's record was queued for the writer as the call ended, and
	 * an outcome posted at once can arrive before its commit: wait for it
	 * (a commit, milliseconds) rather than answer 503, with the reply
	 * paused so that the main loop, which relays calls, never waits. Not
	 * while the store cannot be written: then it is 503 at once. */
	guint64 mark = sb_write_queue_mark(stats->writes);
	if (sb_write_queue_faulty(stats->writes) || sb_write_queue_passed(stats->writes, mark)) {
		record_outcome(stats, msg, call, outcome, note, follow_up, user->login);
		return;
	}
	PendingOutcome *p = g_new0(PendingOutcome, 1);
	p->stats = stats;
	p->msg = g_object_ref(msg);
	p->call = g_strdup(call);
	p->outcome = g_strdup(outcome);
	p->note = g_strdup(note);
	p->login = g_strdup(user->login);
	p->follow_up = follow_up;
	p->mark = mark;
	p->deadline_us = g_get_monotonic_time() + (gint64)OUTCOME_WAIT_WRITER_MS * 1000;
	p->finished_id = g_signal_connect(msg, "finished", G_CALLBACK(on_pending_gone), p);
	p->disconnected_id = g_signal_connect(msg, "disconnected", G_CALLBACK(on_pending_gone), p);
	soup_server_message_pause(msg);
	p->source = g_timeout_add(OUTCOME_POLL_MS, outcome_poll, p);
	stats->pending = g_list_prepend(stats->pending, p);
}

/* --- GET /api/stats, /api/stats.csv ----------------------------------------------------- */

/* "YYYY-MM-DD" → a date, or NULL. */
static GDateTime *parse_day(const char *text)
{
	if (text == NULL || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return NULL;
	for (guint i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !g_ascii_isdigit(text[i]))
			return NULL;
	int y = atoi(text), m = atoi(text + 5), d = atoi(text + 8);
	if (!g_date_valid_dmy(d, m, y))
		return NULL;
	return g_date_time_new_utc(y, m, d, 0, 0, 0);
}

/* The days asked, [from, to] (inclusive, each site's local day), as text
 * and as the unix times to read; FALSE with the reply set. */
static gboolean stats_range(SoupServerMessage *msg, GHashTable *query, char **from_out, char **to_out, gint64 *lo,
			    gint64 *hi)
{
	const char *from_s = query ? g_hash_table_lookup(query, "from") : NULL;
	const char *to_s = query ? g_hash_table_lookup(query, "to") : NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autoptr(GDateTime) today = g_date_time_new_utc(g_date_time_get_year(now), g_date_time_get_month(now),
							 g_date_time_get_day_of_month(now), 0, 0, 0);
	g_autoptr(GDateTime) to = to_s ? parse_day(to_s) : g_date_time_ref(today);
	g_autoptr(GDateTime) from =
		from_s ? parse_day(from_s) : (to ? g_date_time_add_days(to, 1 - STATS_DEFAULT_DAYS) : NULL);
	if (from == NULL || to == NULL) {
		sb_http_set_json_error(msg, SOUP_STATUS_BAD_REQUEST, "from and to are dates YYYY-MM-DD");
		return FALSE;
	}
	GTimeSpan span = g_date_time_difference(to, from);
	if (span < 0 || span / G_TIME_SPAN_DAY >= STATS_MAX_DAYS) {
		sb_http_set_json_error(msg, SOUP_STATUS_BAD_REQUEST,
				       "from must not be after to, at most 366 days apart");
		return FALSE;
	}
	*from_out = g_date_time_format(from, "%Y-%m-%d");
	*to_out = g_date_time_format(to, "%Y-%m-%d");
	/* days are each site's local days: ask a day wider on both sides (no
	 * zone is more than 14 h off UTC), keep the rows of the asked days */
	*lo = g_date_time_to_unix(from) - 86400;
	*hi = g_date_time_to_unix(to) + 2 * 86400;
	return TRUE;
}

/* Only the rows of the days asked, [from, to]. */
static GPtrArray *rows_within(GPtrArray *all, const char *from, const char *to)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)sb_stat_row_free);
	for (guint i = 0; i < all->len; i++) {
		SbStatRow *r = all->pdata[i];
		if (strcmp(r->day, from) >= 0 && strcmp(r->day, to) <= 0)
			g_ptr_array_add(rows, g_steal_pointer(&all->pdata[i]));
	}
	return rows;
}

static void add_seconds(JsonBuilder *b, const char *name, gdouble s)
{
	json_builder_set_member_name(b, name);
	if (s < 0)
		json_builder_add_null_value(b);
	else
		json_builder_add_double_value(b, s);
}

static void add_uint(JsonBuilder *b, const char *name, guint v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, v);
}

/* A statistics request waiting for its rows from the reading thread. */
typedef struct {
	SoupServerMessage *msg;
	gboolean csv;
	char *from, *to;
	gint64 lo, hi;
} StatsAsk;

static void stats_ask_free(StatsAsk *ask)
{
	g_object_unref(ask->msg);
	g_free(ask->from);
	g_free(ask->to);
	g_free(ask);
}

/* On the reading thread. */
static gpointer stats_read(SbStore *store, gpointer data, GError **error)
{
	StatsAsk *ask = data;
	return sb_store_stats(store, ask->lo, ask->hi, error);
}

static void stats_reply(SoupServerMessage *msg, gboolean csv, GPtrArray *rows, const char *from, const char *to)
{
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);
	if (csv) {
		char *text = sb_stats_to_csv(rows);
		g_autofree char *disposition =
			g_strdup_printf("attachment; filename=\"relais-stats-%s-%s.csv\"", from, to);
		soup_message_headers_replace(h, "Content-Disposition", disposition);
		soup_message_headers_replace(h, "Cache-Control", "no-store");
		soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
		soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
		soup_server_message_set_response(msg, "text/csv; charset=utf-8", SOUP_MEMORY_TAKE, text, strlen(text));
		return;
	}
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "from");
	json_builder_add_string_value(b, from);
	json_builder_set_member_name(b, "to");
	json_builder_add_string_value(b, to);
	json_builder_set_member_name(b, "rows");
	json_builder_begin_array(b);
	for (guint i = 0; i < rows->len; i++) {
		SbStatRow *r = rows->pdata[i];
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "day");
		json_builder_add_string_value(b, r->day);
		json_builder_set_member_name(b, "site");
		json_builder_add_string_value(b, r->site);
		json_builder_set_member_name(b, "topic");
		json_builder_add_string_value(b, r->topic);
		add_uint(b, "requests", r->requests);
		add_uint(b, "sessions", r->signins);
		add_seconds(b, "wait_mean_s", r->wait_mean_s);
		add_seconds(b, "wait_median_s", r->wait_median_s);
		add_seconds(b, "duration_mean_s", r->duration_mean_s);
		add_seconds(b, "duration_median_s", r->duration_median_s);
		json_builder_set_member_name(b, "satisfaction");
		json_builder_begin_array(b);
		for (guint k = 0; k < 5; k++)
			json_builder_add_int_value(b, r->satisfaction[k]);
		json_builder_end_array(b);
		add_uint(b, "follow_ups", r->follow_ups);
		add_uint(b, "transferred", r->transferred);
		add_uint(b, "bookings", r->bookings);
		add_uint(b, "no_shows", r->no_shows);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

/* Back on the main loop with the rows (or why not). */
static void on_stats_read(GObject *source, GAsyncResult *result, gpointer user_data)
{
	StatsAsk *ask = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) all = sb_reader_finish(result, &error);
	if (all) {
		g_autoptr(GPtrArray) rows = rows_within(all, ask->from, ask->to);
		stats_reply(ask->msg, ask->csv, rows, ask->from, ask->to);
	} else if (g_error_matches(error, SB_READER_ERROR, SB_READER_ERROR_TIMEOUT)) {
		g_warning("statistics %s to %s: %s", ask->from, ask->to, error->message);
		sb_http_set_json_error(ask->msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
				       "the statistics took too long to read: ask for fewer days");
	} else if (g_error_matches(error, SB_READER_ERROR, SB_READER_ERROR_CLOSED)) {
		sb_http_set_json_error(ask->msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "the switchboard is stopping");
	} else if (sb_store_error_is_transient(error)) {
		/* a lock held too long, an I/O error of the moment (STORE.md
		 * "When a write fails"): the store's words stay in the log */
		g_warning("statistics: %s", error->message);
		soup_message_headers_replace(soup_server_message_get_response_headers(ask->msg), "Retry-After", "5");
		sb_http_set_json_error(ask->msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
				       "the statistics cannot be read now: try again in a few seconds");
	} else {
		g_warning("statistics: %s", error->message);
		sb_http_set_json_error(ask->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "the store failed");
	}
	soup_server_message_unpause(ask->msg);
	stats_ask_free(ask);
}

static void on_stats(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
	SbStats *stats = user_data;
	gboolean csv = g_strcmp0(path, "/api/stats.csv") == 0;
	if (!csv && g_strcmp0(path, "/api/stats") != 0) {
		sb_http_set_json_error(msg, SOUP_STATUS_NOT_FOUND, "no such endpoint");
		return;
	}
	if (!sb_http_allow(msg, "GET, HEAD"))
		return;
	g_autoptr(SbUser) user = require_role(stats, msg, SB_HTTP_ROLE(SB_ROLE_ADMIN), NULL);
	if (user == NULL)
		return;
	StatsAsk *ask = g_new0(StatsAsk, 1);
	ask->csv = csv;
	if (!stats_range(msg, query, &ask->from, &ask->to, &ask->lo, &ask->hi)) {
		g_free(ask);
		return;
	}
	ask->msg = g_object_ref(msg);
	/* read on the reading thread: the main loop relays calls meanwhile */
	g_autoptr(GError) error = NULL;
	if (!sb_reader_run(stats->reader, stats_read, ask, NULL, (GDestroyNotify)g_ptr_array_unref, on_stats_read, ask,
			   &error)) {
		g_message("statistics refused: %s", error->message);
		soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After", "5");
		sb_http_set_json_error(msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
				       "too many statistics requests at once: try again in a few seconds");
		stats_ask_free(ask);
		return;
	}
	soup_server_message_pause(msg);
}

/* --- statistics: anonymous aggregates of the store's records ------------------------- */

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
	sb_calendar_local_day(si->tz, t, &date);
	char day[11];
	sb_calendar_format_date(&date, day);
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

typedef struct {
	GHashTable *aggs, *sites;
	SiteInfo *none;
	gint64 late; /* a booking still "booked" that started by then is a no-show */
} Scan;

static void add_call(const SbCallFacts *f, gpointer user_data)
{
	Scan *scan = user_data;
	Agg *a = agg_get(scan->aggs, scan->sites, scan->none, f->site_id, f->topic, f->queued_at);
	a->row->requests++;
	if (f->answered) {
		gint64 wait = f->answered_at - f->queued_at, duration = f->ended_at - f->answered_at;
		a->row->signins++;
		g_array_append_val(a->waits, wait);
		g_array_append_val(a->durations, duration);
	}
	if (f->satisfaction >= 1 && f->satisfaction <= 5)
		a->row->satisfaction[f->satisfaction - 1]++;
	if (f->follow_up)
		a->row->follow_ups++;
	if (f->answered && f->transfers > 0)
		a->row->transferred++; /* one session, however many hands it went through */
}

static void add_booking(Scan *scan, const SbBooking *b)
{
	if (b->state == SB_BOOKING_CANCELLED)
		return;
	Agg *a = agg_get(scan->aggs, scan->sites, scan->none, b->site_id, b->topic, b->start_s);
	a->row->bookings++;
	/* not marked yet by the periodic expiry: counted all the same */
	if (b->state == SB_BOOKING_NO_SHOW || (b->state == SB_BOOKING_BOOKED && b->start_s <= scan->late))
		a->row->no_shows++;
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
			si->tz = sb_calendar_zone(site->timezone);
			g_hash_table_insert(sites, g_memdup2(&site->id, sizeof site->id), si);
		}
	}
	SiteInfo none = {.name = (char *)"", .tz = g_time_zone_new_utc()};
	g_autoptr(GHashTable) aggs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)agg_free);
	guint no_show_min = 0;
	sb_store_get_booking_window(s, NULL, &no_show_min);
	Scan scan = {aggs, sites, &none, sb_store_now(s) - (gint64)no_show_min * 60};
	gboolean ok = sb_store_call_scan(s, from_s, to_s, add_call, &scan, error);
	if (ok) {
		g_autoptr(GPtrArray) bookings = sb_store_booking_list(s, 0, from_s, to_s, error);
		ok = bookings != NULL;
		for (guint i = 0; ok && i < bookings->len; i++)
			add_booking(&scan, g_ptr_array_index(bookings, i));
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
				    "satisfaction_5,follow_ups,bookings,no_shows,transferred\r\n");
	for (guint i = 0; rows && i < rows->len; i++) {
		SbStatRow *r = g_ptr_array_index(rows, i);
		csv_text(out, r->day);
		g_string_append_c(out, ',');
		csv_text(out, r->site);
		g_string_append_c(out, ',');
		csv_text(out, r->topic);
		g_string_append_printf(out, ",%u,%u", r->requests, r->signins);
		csv_seconds(out, r->wait_mean_s);
		csv_seconds(out, r->wait_median_s);
		csv_seconds(out, r->duration_mean_s);
		csv_seconds(out, r->duration_median_s);
		for (guint k = 0; k < 5; k++)
			g_string_append_printf(out, ",%u", r->satisfaction[k]);
		g_string_append_printf(out, ",%u,%u,%u,%u\r\n", r->follow_ups, r->bookings, r->no_shows,
				       r->transferred);
	}
	return g_string_free(out, FALSE);
}

/* --- registration ------------------------------------------------------------------ */

SbStats *sb_stats_register(SoupServer *soup, SbStore *store, SbReader *reader, SbWriteQueue *writes, gboolean secure)
{
	SbStats *stats = g_new0(SbStats, 1);
	stats->store = store;
	stats->reader = reader;
	stats->writes = writes;
	stats->secure = secure;
	stats->answered = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)answered_free);
	g_object_set_data_full(G_OBJECT(soup), STATS_DATA_KEY, stats, (GDestroyNotify)stats_free);
	soup_server_add_handler(soup, "/api/outcome", on_outcome, stats, NULL);
	soup_server_add_handler(soup, "/api/stats", on_stats, stats, NULL);
	soup_server_add_handler(soup, "/api/stats.csv", on_stats, stats, NULL);
	return stats;
}

SbStats *sb_stats_get(SoupServer *soup)
{
	return soup ? g_object_get_data(G_OBJECT(soup), STATS_DATA_KEY) : NULL;
}
