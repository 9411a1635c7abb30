/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store: the switchboard's SQLite database (STORE.md beside this file):
 * sites, booths, accounts, sign-in sessions and attempts, opening hours,
 * closures, bookings and anonymous call records, with the statistics made
 * from them.
 *
 * One file, DIR/relais.db (0600, WAL), opened by sb_store_open(), which
 * applies the schema migrations. Every query is a prepared statement with
 * bound parameters. Inputs are validated (sizes, character sets, references)
 * before they reach SQL, and the schema re-checks the essentials.
 *
 * Not thread-safe: one SbStore per thread (the switchboard uses it from its
 * main loop). Times are unix seconds (UTC) from the store's clock; opening
 * hours and statistics days are in each site's time zone.
 */
#pragma once

#include <glib.h>
#include "booking.h"

G_BEGIN_DECLS

#define SB_STORE_ERROR (sb_store_error_quark())
GQuark sb_store_error_quark(void);

typedef enum {
	SB_STORE_ERROR_FAILED,	   /* SQLite or the file system failed */
	SB_STORE_ERROR_CORRUPT,	   /* not a SQLite file, or a damaged one */
	SB_STORE_ERROR_NOT_RELAIS, /* a SQLite database of some other program */
	SB_STORE_ERROR_TOO_NEW,	   /* made by a newer relais-switchboard */
	SB_STORE_ERROR_INVALID,	   /* a field is missing, malformed or too long */
	SB_STORE_ERROR_EXISTS,	   /* duplicate (login, site name, call, rating) */
	SB_STORE_ERROR_NOT_FOUND,  /* no such user, site, booth, session, call */
	SB_STORE_ERROR_IN_USE,	   /* still referenced (a site with booths or history) */
	SB_STORE_ERROR_DISABLED,   /* the account is disabled */
	SB_STORE_ERROR_EXPIRED,	   /* the session is past its expiry */
	SB_STORE_ERROR_CLOSED,	   /* booking: not within opening hours, or a closure */
	SB_STORE_ERROR_FULL,	   /* booking: the slot's capacity is taken */
	/* checking in or cancelling a booking code: */
	SB_STORE_ERROR_CODE_UNKNOWN,	/* no booking has this code (or not a code) */
	SB_STORE_ERROR_CODE_WRONG_SITE, /* the booking is for another site */
	SB_STORE_ERROR_CODE_TOO_EARLY,	/* more than CHECKIN_EARLY_MIN before the start */
	SB_STORE_ERROR_CODE_USED,	/* already checked in */
	SB_STORE_ERROR_CODE_EXPIRED,	/* NO_SHOW_MIN after the start passed: a no-show */
	SB_STORE_ERROR_CODE_CANCELLED,	/* the booking was cancelled */
} SbStoreError;

/* The schema version this code writes; a newer file is refused. */
#define SB_STORE_SCHEMA_VERSION 3
#define SB_STORE_FILE		"relais.db"

/* Field caps, in characters (checked before SQL; the schema checks again). */
#define SB_STORE_MAX_LOGIN   64	 /* 2..64 of a-z 0-9 . _ - @, stored lower-case */
#define SB_STORE_MAX_NAME    100 /* display names, site and booth names */
#define SB_STORE_MAX_ID	     64	 /* booth ids, call ids, topics ([A-Za-z0-9._:-]) */
#define SB_STORE_MAX_REASON  200 /* booth state reasons, closure reasons */
#define SB_STORE_MAX_ADDRESS 64	 /* remote address of a session or attempt */
#define SB_STORE_MAX_LIST    32	 /* languages or topics per user */

typedef struct _SbStore SbStore;

/* Opens (creating if needed) DIR/relais.db: DIR is created 0700 when missing
 * (an existing one is left as it is), the file is made 0600, WAL mode, foreign
 * keys on, then migrations up to SB_STORE_SCHEMA_VERSION, one transaction
 * each. Returns: (transfer full) or NULL: CORRUPT (garbage, damaged file),
 * NOT_RELAIS, TOO_NEW, FAILED. */
G_GNUC_WARN_UNUSED_RESULT
SbStore *sb_store_open(const char *dir, GError **error);
void sb_store_free(SbStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbStore, sb_store_free)

/* The schema version of the open file (SB_STORE_SCHEMA_VERSION once open). */
gint sb_store_schema_version(SbStore *store);
/* The file's path. Returns: (transfer none) */
const char *sb_store_path(SbStore *store);

/* Wall-clock time in unix seconds (g_get_real_time() unless a test sets
 * another): session expiry, attempt windows, booking windows, `created`. */
typedef gint64 (*SbStoreClock)(gpointer user_data);
void sb_store_set_clock(SbStore *store, SbStoreClock clock, gpointer user_data);
/* Booking check-in window: from early_min before the start until no_show_min
 * after it (defaults: CONFIG_RELAIS_SB_BOOKING_CHECKIN_EARLY_MIN, _NO_SHOW_MIN). */
void sb_store_set_booking_window(SbStore *store, guint early_min, guint no_show_min);
void sb_store_get_booking_window(SbStore *store, guint *early_min, guint *no_show_min);
/* The store's clock now, in unix seconds. */
gint64 sb_store_now(SbStore *store);

/* Periodic housekeeping: purges expired sessions, prunes sign-in attempts
 * older than CONFIG_RELAIS_SB_SIGNIN_WINDOW_S, marks no-shows. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_maintain(SbStore *store, GError **error);

/* "YYYY-MM-DD", a real date from 1970 on (the form of closures and of
 * statistics days); FALSE otherwise. */
gboolean sb_store_parse_date(const char *text, GDate *out);

/* --- users ----------------------------------------------------------------- */

typedef enum {
	SB_ROLE_ADVISER, /* answers calls */
	SB_ROLE_ADMIN,	 /* manages sites, booths, accounts, hours */
	SB_ROLE_STAFF,	 /* a site's staff: bookings and booths of their site */
} SbRole;

/* "adviser", "admin", "staff". Returns: (transfer none) */
const char *sb_role_to_string(SbRole role);
/* FALSE for anything else (an unknown role is refused, never defaulted). */
gboolean sb_role_from_string(const char *text, SbRole *role);

typedef struct {
	gint64 id;
	char *login;
	char *display_name;
	SbRole role;
	gint64 site_id;	     /* staff: their site; 0 for advisers and admins */
	char **languages;    /* lang tags ("fr", "pt-br"), never NULL once read */
	char **topics;	     /* topic ids of the question set, never NULL once read */
	char *password_hash; /* from sb_auth_hash_password(); only sb_store_user_get*() fill it */
	gint64 created;
	gboolean disabled;
} SbUser;
void sb_user_free(SbUser *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbUser, sb_user_free)

/* Adds an account from `user` (id, created and disabled are ignored; the login
 * is lower-cased). The password hash is required: there is no account without
 * a password chosen or generated for it. Returns the new id, or 0: INVALID
 * (bad field, unknown role, a staff account without a site or another role
 * with one, something that is not a password hash), EXISTS (login taken),
 * NOT_FOUND (site). */
G_GNUC_WARN_UNUSED_RESULT
gint64 sb_store_user_add(SbStore *store, const SbUser *user, GError **error);
/* Rewrites display_name, role, site_id, languages and topics of the account
 * with user->login (the rest is ignored). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_user_update(SbStore *store, const SbUser *user, GError **error);
/* Sets a new password hash and ends all the account's sessions (a password
 * reset signs out everywhere; the caller may then open a new session). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_user_set_password(SbStore *store, const char *login, const char *password_hash, GError **error);
/* Disabling also ends the account's sessions. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_user_set_disabled(SbStore *store, const char *login, gboolean disabled, GError **error);
/* Deletes the account and its sessions. Call records are anonymous and stay. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_user_del(SbStore *store, const char *login, GError **error);
/* Returns: (transfer full) with password_hash, or NULL: NOT_FOUND, or INVALID
 * for what cannot be a login (sign-in: treat both as "no such account"). The
 * login is matched case-insensitively. */
SbUser *sb_store_user_get(SbStore *store, const char *login, GError **error);
SbUser *sb_store_user_get_by_id(SbStore *store, gint64 id, GError **error);
/* All accounts by login, without password hashes.
 * Returns: (transfer full) (element-type SbUser) or NULL on error. */
GPtrArray *sb_store_user_list(SbStore *store, GError **error);

/* --- sign-in sessions --------------------------------------------------------- */

/* Opens a session for an enabled account, expiring ttl_s from now (0:
 * CONFIG_RELAIS_SB_SESSION_TTL_S). `remote_addr`: the client's address, kept
 * with the session only. Returns: (transfer full) the raw token for the
 * cookie: the only time it exists; the store keeps its SHA-256. NULL on error
 * (NOT_FOUND, DISABLED). */
G_GNUC_WARN_UNUSED_RESULT
char *sb_store_session_create(SbStore *store, gint64 user_id, const char *remote_addr, guint ttl_s, GError **error);
/* The account behind a raw token (without password hash). NULL: NOT_FOUND
 * (unknown token), EXPIRED (and the session is deleted), DISABLED. */
SbUser *sb_store_session_lookup(SbStore *store, const char *token, GError **error);
/* The same from the token's SHA-256 (sb_auth_token_hash()): what the server
 * keeps for its open consoles, to close them when their session ends. */
SbUser *sb_store_session_lookup_key(SbStore *store, const char *token_hash, GError **error);
/* Records use (last_used = now); does not extend the expiry. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_session_touch(SbStore *store, const char *token, GError **error);
/* Signs out: NOT_FOUND if there was no such session. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_session_delete(SbStore *store, const char *token, GError **error);
/* Ends every session of an account (n_removed: nullable). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_session_delete_user(SbStore *store, gint64 user_id, guint *n_removed, GError **error);
/* The stored forms (SHA-256 hex, sb_auth_token_hash) of an account's live
 * sessions, so that a server can close their open consoles before ending
 * them. Returns: (transfer full) a NULL-terminated list (empty when none), or
 * NULL on error. */
char **sb_store_session_hashes(SbStore *store, gint64 user_id, GError **error);
/* Deletes expired sessions. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_session_purge(SbStore *store, guint *n_removed, GError **error);

/* --- sign-in attempts (rate limiting) ----------------------------------------- */

/* Only hashes of the login (lower-cased) and of the address are stored, so that
 * a password typed into the login field never lands on disk in clear. */
typedef struct {
	guint failures;	 /* failed sign-ins in the window */
	gint64 oldest_s; /* time of the oldest of them; 0 when none */
} SbAttempts;

/* Records one verified failed sign-in now. Refused attempts (rate-limited)
 * must not be recorded. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_attempt_record(SbStore *store, const char *login, const char *address, GError **error);
/* Failures in (now - window_s, now] for the login and for the address; feed
 * them to sb_auth_rate_limit(). window_s 0: CONFIG_RELAIS_SB_SIGNIN_WINDOW_S. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_attempts_count(SbStore *store, const char *login, const char *address, guint window_s,
				 SbAttempts *per_login, SbAttempts *per_address, GError **error);
/* After a successful sign-in: forgets the login's failures (not the
 * address's). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_attempts_forget_login(SbStore *store, const char *login, GError **error);
/* Deletes attempts older than window_s (0: the Kconfig window). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_attempts_prune(SbStore *store, guint window_s, guint *n_removed, GError **error);

/* --- sites and booths ------------------------------------------------------------ */

typedef struct {
	gint64 id;
	char *name;
	char *timezone; /* IANA identifier, e.g. "Europe/Paris" */
} SbSite;
void sb_site_free(SbSite *site);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbSite, sb_site_free)

/* id 0: adds a site (EXISTS if the name is taken); else renames / re-zones
 * site `id` (NOT_FOUND). The time zone must be one GLib knows. Returns the
 * site's id or 0. */
G_GNUC_WARN_UNUSED_RESULT
gint64 sb_store_site_upsert(SbStore *store, gint64 id, const char *name, const char *timezone, GError **error);
SbSite *sb_store_site_get(SbStore *store, gint64 id, GError **error);
SbSite *sb_store_site_get_by_name(SbStore *store, const char *name, GError **error);
/* Returns: (transfer full) (element-type SbSite), by name. */
GPtrArray *sb_store_site_list(SbStore *store, GError **error);
/* IN_USE while booths, staff, bookings or call records refer to it; its
 * opening hours and closures go with it. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_site_del(SbStore *store, gint64 id, GError **error);

/* What refers to a site (what keeps sb_store_site_del from deleting it). */
typedef struct {
	guint booths, staff, bookings, call_records;
} SbSiteUsage;
/* Counts them for site `id` (NOT_FOUND for an unknown site). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_site_usage(SbStore *store, gint64 id, SbSiteUsage *usage, GError **error);

typedef struct {
	char *id;	  /* the protocol's booth_id */
	gint64 site_id;	  /* 0: not assigned yet */
	char *name;	  /* "" unless an admin named it */
	gint64 last_seen; /* 0: never */
	char *state;	  /* "offline", "idle", "out_of_order", ... */
	char *reason;	  /* NULL or why it is out of order */
} SbBooth;
void sb_booth_free(SbBooth *booth);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbBooth, sb_booth_free)

/* Adds booth `booth_id` or updates its site and name (site_id 0: none). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_booth_upsert(SbStore *store, const char *booth_id, gint64 site_id, const char *name, GError **error);
/* Records that the booth was seen now in `state` ([a-z0-9_-], 1..32) with an
 * optional reason (UTF-8 text without control characters; cut to
 * SB_STORE_MAX_REASON characters: the protocol allows longer). NOT_FOUND for a
 * booth not added. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_booth_seen(SbStore *store, const char *booth_id, const char *state, const char *reason,
			     GError **error);
/* site_id 0: all booths. Returns: (transfer full) (element-type SbBooth), by id. */
GPtrArray *sb_store_booth_list(SbStore *store, gint64 site_id, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_booth_del(SbStore *store, const char *booth_id, GError **error);

/* --- opening hours and closures ---------------------------------------------------- */

typedef enum {
	SB_HALF_AM, /* within 00:00..14:00 local */
	SB_HALF_PM, /* within 12:00..24:00 local, after the morning's end */
} SbHalfDay;

/* One weekly half-day slot; times are minutes since local midnight. */
typedef struct {
	guint weekday; /* 0 Monday .. 6 Sunday */
	SbHalfDay half;
	guint start_min, end_min; /* start < end; end 1440 = midnight */
	guint capacity;		  /* advisers on duty, 1..1000 */
} SbSlot;

/* Replaces site `site_id`'s whole week by `slots` (n 0: never open), in one
 * transaction. INVALID: out of range, two slots for the same half-day, a
 * morning ending after the afternoon starts. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_slots_set(SbStore *store, gint64 site_id, const SbSlot *slots, guint n, GError **error);
/* Returns: (transfer full) (element-type SbSlot), by weekday then half. */
GArray *sb_store_slots_list(SbStore *store, gint64 site_id, GError **error);

typedef struct {
	gint64 id;
	gint64 site_id;
	char *date_from; /* "YYYY-MM-DD", local, inclusive */
	char *date_to;	 /* inclusive */
	char *reason;	 /* shown to visitors ("inventaire"), never personal */
} SbClosure;
void sb_closure_free(SbClosure *closure);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbClosure, sb_closure_free)

/* Returns the closure's id or 0. */
G_GNUC_WARN_UNUSED_RESULT
gint64 sb_store_closure_add(SbStore *store, gint64 site_id, const char *date_from, const char *date_to,
			    const char *reason, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_closure_del(SbStore *store, gint64 closure_id, GError **error);
/* Returns: (transfer full) (element-type SbClosure), by date. */
GPtrArray *sb_store_closure_list(SbStore *store, gint64 site_id, GError **error);

/* Whether site `site_id` is open at t_s (a slot covers it, no closure that
 * day), and the slot's capacity (nullable; 0 when closed). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_site_open_at(SbStore *store, gint64 site_id, gint64 t_s, gboolean *open, guint *capacity,
			       GError **error);
/* The earliest instant >= after_s at which the site is open (after_s itself
 * when open then) and the end of that opening (adjacent slots merged).
 * *start_s = *end_s = 0 when it does not open within a year. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_site_next_opening(SbStore *store, gint64 site_id, gint64 after_s, gint64 *start_s, gint64 *end_s,
				    GError **error);

/* --- bookings ---------------------------------------------------------------------- */

/* Six characters, no 0/O or 1/I: 32 symbols, 30 bits per code (shared with
 * the booth: firmware/lib/booking.h). */
#define SB_BOOKING_ALPHABET RELAIS_BOOKING_ALPHABET
#define SB_BOOKING_CODE_LEN RELAIS_BOOKING_CODE_LEN

typedef enum {
	SB_BOOKING_BOOKED,
	SB_BOOKING_CHECKED_IN,
	SB_BOOKING_NO_SHOW,
	SB_BOOKING_CANCELLED,
} SbBookingState;
/* "booked", "checked_in", "no_show", "cancelled". Returns: (transfer none) */
const char *sb_booking_state_to_string(SbBookingState state);

/* No visitor name, contact or note: the code is all that ties a visitor to it. */
typedef struct {
	gint64 id;
	char *code;
	gint64 site_id;
	gint64 start_s, end_s;
	char *language; /* "" or a lang tag */
	char *topic;	/* "" or a topic id */
	SbBookingState state;
	gint64 created;
	gint64 checked_in_at; /* 0 unless checked in */
	gint64 used_at;	      /* 0 unless made into a call (sb_store_booking_mark_used) */
	char *used_call_id;   /* the call that used it, or NULL */
} SbBooking;
void sb_booking_free(SbBooking *booking);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbBooking, sb_booking_free)

/* Books [start_s, end_s) at a site with a fresh unique code. The interval must
 * lie within one opening slot of its day (no closure), start in the future,
 * within CONFIG_RELAIS_SB_BOOKING_HORIZON_DAYS, last at most 4 hours, and
 * fewer than the slot's capacity of live bookings may overlap it.
 * `language`, `topic`: nullable. Returns: (transfer full) or NULL: INVALID,
 * NOT_FOUND (site), CLOSED, FULL. */
G_GNUC_WARN_UNUSED_RESULT
SbBooking *sb_store_booking_create(SbStore *store, gint64 site_id, gint64 start_s, gint64 end_s, const char *language,
				   const char *topic, GError **error);
/* By code (case, spaces and dashes ignored). NULL: CODE_UNKNOWN. */
SbBooking *sb_store_booking_get(SbStore *store, const char *code, GError **error);
/* Checks a visitor in at site `site_id` (0: any) with the code they typed.
 * Returns: (transfer full) the booking, now checked in, or NULL:
 * CODE_UNKNOWN, CODE_WRONG_SITE, CODE_TOO_EARLY, CODE_USED, CODE_CANCELLED,
 * CODE_EXPIRED (past the no-show delay: the booking is marked a no-show). */
G_GNUC_WARN_UNUSED_RESULT
SbBooking *sb_store_booking_check_in(SbStore *store, gint64 site_id, const char *code, GError **error);
/* Cancels a booking not yet checked in (same errors as checking in, without
 * TOO_EARLY). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_booking_cancel(SbStore *store, const char *code, GError **error);
/* Marks a checked-in booking used by call `call_id` (a booking makes one
 * call), atomically: of two callers, one wins. FALSE: CODE_UNKNOWN,
 * CODE_USED (used already, by this or another call), INVALID (not checked
 * in, or a malformed call id). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_booking_mark_used(SbStore *store, const char *code, const char *call_id, GError **error);
/* Bookings of a site (0: all) starting in [from_s, to_s), by start.
 * Returns: (transfer full) (element-type SbBooking) */
GPtrArray *sb_store_booking_list(SbStore *store, gint64 site_id, gint64 from_s, gint64 to_s, GError **error);
/* Marks bookings not checked in no_show_min after their start as no-shows. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_bookings_expire(SbStore *store, guint *n_marked, GError **error);

/* --- call records ------------------------------------------------------------------- */

/* What is kept of a call, written when it ends. Anonymous: no adviser, no
 * visitor, no answers, no chat. */
typedef struct {
	const char *call_id;  /* the protocol's call id: a later rating names it */
	gint64 site_id;	      /* 0: unknown */
	const char *booth_id; /* nullable */
	const char *topic;    /* topic id */
	const char *language; /* lang tag */
	gint64 queued_at;
	gint64 answered_at; /* 0: the visitor left before anyone answered */
	gint64 ended_at;
	const char *end_reason; /* nullable; an id such as "hangup", "peer-lost", "cancelled" */
} SbCallRecord;

/* Returns the record's id or 0 (INVALID, EXISTS, NOT_FOUND for the site). */
G_GNUC_WARN_UNUSED_RESULT
gint64 sb_store_call_insert(SbStore *store, const SbCallRecord *record, GError **error);
/* The visitor's rating, 1..5, once per call (EXISTS the second time). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_call_set_satisfaction(SbStore *store, const char *call_id, gint score, GError **error);
/* The adviser's outcome: a code ([a-z0-9_-], 1..32), an optional note of at
 * most CONFIG_RELAIS_SB_OUTCOME_NOTE_MAX characters (longer is refused, never
 * cut), and whether a follow-up is planned. PRIVACY: the note is the only free
 * text kept after a call; the console must tell advisers never to write names,
 * contacts or identifying details in it. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_call_set_outcome(SbStore *store, const char *call_id, const char *outcome, const char *note,
				   gboolean follow_up, GError **error);

/* --- statistics --------------------------------------------------------------------- */

/* One row per (local day, site, topic): anonymous aggregates only. */
typedef struct {
	char *day; /* "YYYY-MM-DD" in the site's time zone */
	gint64 site_id;
	char *site;				    /* "" for calls of no known site */
	char *topic;				    /* "" for bookings without a topic */
	guint requests;				    /* visitors who asked for an adviser */
	guint sessions;				    /* of them, answered */
	gdouble wait_mean_s, wait_median_s;	    /* queued → answered; -1 without sessions */
	gdouble duration_mean_s, duration_median_s; /* answered → ended; -1 without sessions */
	guint satisfaction[5];			    /* [0] counts score 1 ... [4] score 5 */
	guint follow_ups;
	guint bookings; /* starting that day, cancelled ones excluded */
	guint no_shows; /* of them, not checked in in time */
} SbStatRow;
void sb_stat_row_free(SbStatRow *row);

/* Calls queued and bookings starting in [from_s, to_s). Returns: (transfer
 * full) (element-type SbStatRow) by day, site name (code point order), topic;
 * NULL on error. */
GPtrArray *sb_store_stats(SbStore *store, gint64 from_s, gint64 to_s, GError **error);
/* RFC 4180 CSV of `rows` (element-type SbStatRow): a header line, CRLF line
 * ends, fields quoted when needed, text cells that a spreadsheet would take as
 * a formula (= + - @) prefixed with '. Returns: (transfer full) */
char *sb_stats_to_csv(GPtrArray *rows);

G_END_DECLS
