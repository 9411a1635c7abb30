/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store-updates: the booths' system updates (store-updates.c): the last
 * update report of each booth, as its update_report message gave it
 * (PROTOCOL.md "Software and updates"), and the updates sent from afar: the
 * bundles uploaded and the update jobs.
 * The software a booth runs and its slot are booth columns
 * (store-sites.h). Included by store.h.
 */
#pragma once

#include "store.h"

G_BEGIN_DECLS

/* The cap of a report's detail (characters), the protocol's text cap. */
#define SB_STORE_MAX_DETAIL 2000

typedef struct {
	char *result;	    /* "kept", "rolled-back", "install-failed" */
	char *version;	    /* the version tried (a protocol id) */
	char *from_version; /* nullable: the version running before */
	char *slot;	    /* "A" or "B": the slot tried */
	char *at;	    /* ISO 8601 with offset, as the booth said it */
	char *detail;	    /* nullable: one line of text */
	gint64 received_at; /* the store's clock when it first came (unix s) */
} SbUpdateReport;
void sb_update_report_free(SbUpdateReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbUpdateReport, sb_update_report_free)

/* Records `report` (its received_at is ignored: now) as booth `booth_id`'s
 * last one. The same report again (the booth repeats it after every
 * welcome) changes nothing: *changed (nullable) is FALSE and its first
 * received_at stays; so does a report older (its `at`) than the one
 * recorded (the health service's file, repeated after a failure the booth
 * reported itself later). INVALID for a bad field, NOT_FOUND for an
 * unknown booth. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_update_report_save(SbStore *store, const char *booth_id, const SbUpdateReport *report,
				     gboolean *changed, GError **error);
/* Booth `booth_id`'s last report. Returns: (transfer full) or NULL:
 * NOT_FOUND when it never sent one (or is unknown), FAILED. */
SbUpdateReport *sb_store_update_report_get(SbStore *store, const char *booth_id, GError **error);

/* --- updates sent from afar: bundles and jobs ---------------------------------------- */

/* A bundle uploaded to the switchboard (bundles.c keeps the file). */
typedef struct {
	char *id;	    /* its SHA-256, 64 lower-case hex digits (the file's name) */
	gint64 size;	    /* bytes */
	char *version;	    /* nullable: its manifest's version (an id) */
	char *compatible;   /* nullable: its manifest's compatible (an id) */
	gint64 uploaded_at; /* unix s */
	char *uploaded_by;  /* the administrator's login */
} SbBundle;
void sb_bundle_free(SbBundle *bundle);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbBundle, sb_bundle_free)

/* Records `bundle` (uploaded_at: now). The same id again changes nothing:
 * *existed (nullable) says so. INVALID for a bad field. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_bundle_add(SbStore *store, const SbBundle *bundle, gboolean *existed, GError **error);
/* Returns: (transfer full) or NULL (NOT_FOUND). */
SbBundle *sb_store_bundle_get(SbStore *store, const char *id, GError **error);
/* Returns: (transfer full) (element-type SbBundle), newest first. */
GPtrArray *sb_store_bundle_list(SbStore *store, GError **error);
/* IN_USE while an active job installs it; NOT_FOUND. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_bundle_del(SbStore *store, const char *id, GError **error);

/* The states of a job, in order: the first four are active (at most one
 * active job per booth), the others final. */
typedef enum {
	SB_UPDATE_PENDING,
	SB_UPDATE_DOWNLOADING,
	SB_UPDATE_INSTALLING,
	SB_UPDATE_INSTALLED,
	SB_UPDATE_KEPT,
	SB_UPDATE_ROLLED_BACK,
	SB_UPDATE_FAILED,
	SB_UPDATE_CANCELLED,
	SB_UPDATE_N_STATES
} SbUpdateState;
/* "pending", ..., "rolled-back", "failed", "cancelled" */
const char *sb_update_state_name(SbUpdateState state);
gboolean sb_update_state_from_name(const char *name, SbUpdateState *state);
gboolean sb_update_state_active(SbUpdateState state);

typedef struct {
	char *id; /* "u-..." */
	char *booth_id;
	char *bundle_id;
	gint64 size;   /* the bundle's (0 if it was deleted) */
	char *version; /* nullable: the bundle's */
	SbUpdateState state;
	gint progress; /* 0..100 of the state's work */
	char *message; /* nullable: the booth's words */
	gint64 created, updated;
} SbUpdateJob;
void sb_update_job_free(SbUpdateJob *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbUpdateJob, sb_update_job_free)

/* A pending job installing bundle `bundle_id` on booth `booth_id`.
 * Returns: (transfer full) or NULL: NOT_FOUND (booth or bundle), EXISTS
 * (the booth has an active job already: one at a time). */
SbUpdateJob *sb_store_update_job_create(SbStore *store, const char *booth_id, const char *bundle_id, GError **error);
/* Returns: (transfer full) or NULL (NOT_FOUND). */
SbUpdateJob *sb_store_update_job_get(SbStore *store, const char *id, GError **error);
/* The booth's active job, or its last one (`active` FALSE).
 * Returns: (transfer full) or NULL (NOT_FOUND: none). */
SbUpdateJob *sb_store_update_job_of(SbStore *store, const char *booth_id, gboolean active, GError **error);
/* Moves job `id` to `state` with `progress` (0..100) and `message`
 * (nullable, text cut to SB_STORE_MAX_DETAIL characters). NOT_FOUND;
 * INVALID when the job is final already (nothing moves it then). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_update_job_set(SbStore *store, const char *id, SbUpdateState state, gint progress,
				 const char *message, GError **error);

G_END_DECLS
