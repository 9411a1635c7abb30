/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * api-json: the one JSON kit of the switchboard's HTTP API handlers: reading
 * a request's JSON object body, checking its fields, and the replies
 * {error, field?} and {ok: true}.
 *
 * Two layers. The checks on a JsonObject (sb_api_json_*) are pure: they say
 * what is wrong in a GError (SB_API_JSON_ERROR) whose message names the
 * field, and never touch a request, so they are unit-tested alone. The
 * request layer (sb_api_*) runs the same checks and, on failure, replies 400
 * {error: message, field: name} and returns FALSE: the handler just returns.
 *
 * A member that is absent or null counts as not given, for every type.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define SB_API_JSON_ERROR (sb_api_json_error_quark())
GQuark sb_api_json_error_quark(void);

/* The one code: the field is missing, of the wrong type or out of range. */
typedef enum {
	SB_API_JSON_ERROR_INVALID,
} SbApiJsonError;

/* What a string member must be. The zero value: optional, any length, any
 * text. */
typedef struct {
	gboolean required;   /* absent, null or "" is an error */
	guint max_chars;     /* at most this many characters (not bytes); 0: no limit */
	const char *pattern; /* a GRegex the whole value must match; NULL: any */
	const char *what;    /* what the pattern means, for the message ("a date YYYY-MM-DD") */
} SbApiString;

/* --- pure checks ------------------------------------------------------------------- */

/* Member `name` as a string following `rule` (NULL: optional, anything);
 * *out: it, or NULL when not given. */
gboolean sb_api_json_string(JsonObject *o, const char *name, const SbApiString *rule, const char **out,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Member `name`: a positive integer id, or null / 0 (→ 0). *present: the
 * member was there (even null). */
gboolean sb_api_json_id(JsonObject *o, const char *name, gint64 *out, gboolean *present,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Member `name`: true or false; not given → FALSE. */
gboolean sb_api_json_bool(JsonObject *o, const char *name, gboolean *out, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Member `name`: an integer in [min, max]; not given → an error if
 * `required`, else *out 0 and *present FALSE. */
gboolean sb_api_json_int(JsonObject *o, const char *name, gboolean required, gint64 min, gint64 max, gint64 *out,
			 gboolean *present, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Member `name` of `o` if it is a string, else NULL (absent, null, a
 * number, an array, an object: json-glib's get_string_member_with_default
 * raises a critical on those). */
const char *sb_api_member_string(JsonObject *o, const char *name);

/* Whether `n` (nullable) holds an integer in [min, max] (then *out is it):
 * for an array's elements, whose messages their handler words. */
gboolean sb_api_node_int_in(JsonNode *n, gint64 min, gint64 max, gint64 *out);

/* Member `name`: an array of strings or one comma-separated string, each
 * item stripped and blanks dropped; not given → an empty list and *present
 * FALSE. *out: (transfer full) NULL-terminated, only on success. */
gboolean sb_api_json_strv(JsonObject *o, const char *name, char ***out, gboolean *present,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* --- requests ---------------------------------------------------------------------- */

/* A request body as a JSON object: `content_type` application/json, `len`
 * bytes of valid UTF-8 without NUL. Returns: (transfer none) the object,
 * owned by `parser`, or NULL. The pure half of sb_api_read_object (fuzzed:
 * tests/fuzz/). */
JsonObject *sb_api_parse_object(const char *content_type, const char *data, gsize len, JsonParser *parser);

/* The request body as a JSON object (application/json, valid UTF-8, no NUL),
 * owned by `parser`; or NULL with 413 (more than `max_body` bytes) or 400
 * replied. */
JsonObject *sb_api_read_object(SoupServerMessage *msg, JsonParser *parser, gsize max_body);

/* The checks above; FALSE: 400 {error, field: name} replied. */
gboolean sb_api_string(SoupServerMessage *msg, JsonObject *o, const char *name, const SbApiString *rule,
		       const char **out);
/* An optional string of any length (a rule's zero value). */
gboolean sb_api_opt_string(SoupServerMessage *msg, JsonObject *o, const char *name, const char **out);
/* A required, non-empty string of any length. */
gboolean sb_api_req_string(SoupServerMessage *msg, JsonObject *o, const char *name, const char **out);
gboolean sb_api_opt_id(SoupServerMessage *msg, JsonObject *o, const char *name, gint64 *out, gboolean *present);
gboolean sb_api_opt_bool(SoupServerMessage *msg, JsonObject *o, const char *name, gboolean *out);
gboolean sb_api_int(SoupServerMessage *msg, JsonObject *o, const char *name, gboolean required, gint64 min, gint64 max,
		    gint64 *out, gboolean *present);
/* *out: (transfer full), only on success. */
gboolean sb_api_opt_strv(SoupServerMessage *msg, JsonObject *o, const char *name, char ***out, gboolean *present);

/* --- replies ----------------------------------------------------------------------- */

/* Sets the reply {error: text, field?} (`field` NULL: none). */
void sb_api_reply_error(SoupServerMessage *msg, guint status, const char *field, const char *format, ...)
	G_GNUC_PRINTF(4, 5);

/* Seconds a client is told to wait (Retry-After) when the store cannot
 * write for a fault of the moment (a full disk, a locked database). */
#define SB_API_STORE_RETRY_S 5

/* A store error as a reply: INVALID 400, NOT_FOUND 404, EXISTS and IN_USE 409
 * (`field` named for 400 and 409), UNAVAILABLE 503 "could not be saved now,
 * try again" with Retry-After, anything else 500. The store's own words of
 * a 503 or a 500 are logged, never shown. */
void sb_api_reply_store_error(SoupServerMessage *msg, const GError *error, const char *field);

/* Sets the reply {ok: true}. */
void sb_api_reply_ok(SoupServerMessage *msg);

/* --- reply members ----------------------------------------------------------------- */

/* Member `name`: `value`, or "" for NULL. */
void sb_api_add_string(JsonBuilder *b, const char *name, const char *value);
void sb_api_add_int(JsonBuilder *b, const char *name, gint64 value);
void sb_api_add_bool(JsonBuilder *b, const char *name, gboolean value);
/* Member `name`: `id`, or null for 0. */
void sb_api_add_id_or_null(JsonBuilder *b, const char *name, gint64 id);
/* Member `name`: the strings of `items` (NULL: empty). */
void sb_api_add_strv(JsonBuilder *b, const char *name, char **items);
/* Member `name`: minutes since midnight as "HH:MM". */
void sb_api_add_time(JsonBuilder *b, const char *name, guint minutes);

G_END_DECLS
