/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store: the switchboard's database (STORE.md beside this file): sites,
 * booths, accounts, sign-ins and attempts, opening hours, closures,
 * bookings, anonymous call records, booth enrolment (tokens and the
 * certificates the booth CA issued), and the booths' update reports. Statistics are made from them by
 * stats.c; local days and opening periods come from calendar.c.
 *
 * This header is the whole API: the store itself (open, migrations, clock,
 * housekeeping) below, and one header per area, included at the end
 * (store-accounts.h, store-sites.h, store-hours.h, store-bookings.h,
 * store-calls.h, store-enrol.h, store-updates.h), each with its one .c. The SQL engine (SQLite, store.c)
 * sits behind store-private.h, which callers never include.
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
	SB_STORE_ERROR_NOT_FOUND,  /* no such user, site, booth, sign-in, call */
	SB_STORE_ERROR_IN_USE,	   /* still referenced (a site with booths or history) */
	SB_STORE_ERROR_DISABLED,   /* the account is disabled */
	SB_STORE_ERROR_EXPIRED,	   /* the sign-in is past its expiry */
	SB_STORE_ERROR_CLOSED,	   /* booking: not within opening hours, or a closure */
	SB_STORE_ERROR_FULL,	   /* booking: the slot's capacity is taken */
	/* checking in or cancelling a booking code: */
	SB_STORE_ERROR_CODE_UNKNOWN,	/* no booking has this code (or not a code) */
	SB_STORE_ERROR_CODE_WRONG_SITE, /* the booking is for another site */
	SB_STORE_ERROR_CODE_TOO_EARLY,	/* more than CHECKIN_EARLY_MIN before the start */
	SB_STORE_ERROR_CODE_USED,	/* already checked in */
	SB_STORE_ERROR_CODE_EXPIRED,	/* NO_SHOW_MIN after the start passed: a no-show */
	SB_STORE_ERROR_CODE_CANCELLED,	/* the booking was cancelled */
	/* booth enrolment (store-enrol.h): */
	SB_STORE_ERROR_TOKEN_USED, /* the enrolment token was already used */
	SB_STORE_ERROR_REVOKED,	   /* the booth's certificate was revoked */
	/* a fault of the moment, not of the request: the disk is full, an I/O
	 * error, or another process holds the write lock past the busy
	 * timeout. Nothing was written; the same write may succeed later
	 * (STORE.md "When a write fails"). */
	SB_STORE_ERROR_UNAVAILABLE,
} SbStoreError;

/* Whether `error` is SB_STORE_ERROR_UNAVAILABLE: worth trying again later. */
gboolean sb_store_error_is_transient(const GError *error);

/* The schema version this code writes; a newer file is refused. */
#define SB_STORE_SCHEMA_VERSION 9
#define SB_STORE_FILE		"relais.db"

/* Field caps, in characters (checked before SQL; the schema checks again). */
#define SB_STORE_MAX_LOGIN   64	 /* 2..64 of a-z 0-9 . _ - @, stored lower-case */
#define SB_STORE_MAX_NAME    100 /* display names, site and booth names */
#define SB_STORE_MAX_ID	     64	 /* booth ids, call ids, topics ([A-Za-z0-9._:-]) */
#define SB_STORE_MAX_REASON  200 /* booth state reasons, closure reasons */
#define SB_STORE_MAX_POSTAL  200 /* a site's postal address, one line */
#define SB_STORE_MAX_ADDRESS 64	 /* remote address of a sign-in or attempt */
#define SB_STORE_MAX_LIST    32	 /* languages or topics per user */

typedef struct _SbStore SbStore;

/* Opens the store at LOCATION: a folder is SQLite's, below; a
 * postgresql:// URI is PostgreSQL's (store-pg.c, CLUSTER.md: the same
 * migrations, applied once under an advisory lock).
 * Opens (creating if needed) DIR/relais.db: DIR is created 0700 when missing
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
/* The file's path; for PostgreSQL, the postgresql:// URI it was opened
 * with. Returns: (transfer none) */
const char *sb_store_path(SbStore *store);
/* The folder of the store's file (its disk is the store's), or NULL when
 * the store is not a local file (PostgreSQL). Returns: (transfer full) */
char *sb_store_folder(SbStore *store);

/* Wall-clock time in unix seconds (g_get_real_time() unless a test sets
 * another): sign-in expiry, attempt windows, booking windows, `created`. */
typedef gint64 (*SbStoreClock)(gpointer user_data);
void sb_store_set_clock(SbStore *store, SbStoreClock clock, gpointer user_data);
/* Booking check-in window: from early_min before the start until no_show_min
 * after it (defaults: CONFIG_RELAIS_SB_BOOKING_CHECKIN_EARLY_MIN, _NO_SHOW_MIN). */
void sb_store_set_booking_window(SbStore *store, guint early_min, guint no_show_min);
void sb_store_get_booking_window(SbStore *store, guint *early_min, guint *no_show_min);
/* A second, read-only connection to `writer`'s file, for one other thread
 * (reader.h): WAL lets it read while the writer writes. It keeps the
 * writer's clock and booking window; `writer` must outlive it.
 * Returns: (transfer full) or NULL with `error` set. */
SbStore *sb_store_open_reader(SbStore *writer, GError **error);
/* A second writing connection to `main`'s file, for one other thread (the
 * write queue's writer, writeq.h): SQLite serialises the two writers with
 * its lock (WAL, busy timeout). It keeps `main`'s clock and booking
 * window; `main` must outlive it.
 * Returns: (transfer full) or NULL with `error` set. */
SbStore *sb_store_open_writer(SbStore *main, GError **error);
/* A reader's queries fail (SB_STORE_ERROR_FAILED, "interrupted") once the
 * monotonic clock passes `deadline_us`; 0: no deadline. */
void sb_store_set_deadline(SbStore *s, gint64 deadline_us);
/* The store's clock now, in unix seconds. */
gint64 sb_store_now(SbStore *store);

/* How long a query waits for another process's write lock, in ms; 0 puts
 * back CONFIG_RELAIS_SB_STORE_BUSY_MS. The write queue (writeq.h) waits
 * less: it retries later instead of holding the main loop. */
void sb_store_set_busy_ms(SbStore *store, guint ms);

/* Many writes in one transaction (the sync of every booth's state): one
 * commit and one fsync instead of one per write, which held the main loop
 * for seconds with thousands of booths. sb_store_batch_end() commits, or
 * rolls back and fails (UNAVAILABLE when a write inside failed and SQLite
 * rolled back already): nothing of the batch is then known to be kept. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_batch_begin(SbStore *store, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_batch_end(SbStore *store, GError **error);

/* One write of a batch, on its own: a savepoint, so that the write's
 * failure undoes its own work only and the batch goes on (check
 * sb_store_batch_open(): some errors, a full disk, roll the whole batch
 * back). Outside a batch it is one transaction. */
typedef gboolean (*SbStoreWriteFunc)(SbStore *store, gpointer data, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_batch_write(SbStore *store, SbStoreWriteFunc func, gpointer data, GError **error);
/* Whether the batch's transaction is still open. */
gboolean sb_store_batch_open(SbStore *store);
/* Rolls the batch back: none of its writes is kept. */
void sb_store_batch_abort(SbStore *store);

/* /healthz: whether the store answers a read now. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_can_read(SbStore *store, GError **error);
/* /healthz: whether a write could be made now: the write lock is taken
 * (waiting at most wait_ms for another writer, not the busy timeout) and
 * given back, writing nothing, and the folder (WAL, journal) is writable.
 * TRUE without trying while a transaction of ours is open. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_can_write(SbStore *store, guint wait_ms, GError **error);

/* Periodic housekeeping: purges expired sign-ins, prunes sign-in attempts
 * older than CONFIG_RELAIS_SB_SIGNIN_WINDOW_S, marks no-shows. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_maintain(SbStore *store, GError **error);

/* Copies every row of `from` into `to`, which must be empty and at the
 * same schema version (store-copy.c: a SQLite store moved to PostgreSQL),
 * in one transaction on `to`, ids kept. `rows` (optional): rows copied.
 * EXISTS: `to` holds rows already, nothing copied. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_copy(SbStore *from, SbStore *to, guint64 *rows, GError **error);

/* "YYYY-MM-DD", a real date from 1970 on (the form of closures and of
 * statistics days); FALSE otherwise. */
gboolean sb_store_parse_date(const char *text, GDate *out);

G_END_DECLS

/* The store's areas, one header and one file each. */
#include "store-accounts.h"
#include "store-sites.h"
#include "store-hours.h"
#include "store-bookings.h"
#include "store-calls.h"
#include "store-enrol.h"
#include "store-updates.h"
