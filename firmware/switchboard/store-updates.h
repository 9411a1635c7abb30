/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store-updates: what the booths say about their system updates
 * (store-updates.c): the last update report of each booth, as its
 * update_report message gave it (PROTOCOL.md "Software and updates").
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
 * received_at stays. INVALID for a bad field, NOT_FOUND for an unknown
 * booth. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_update_report_save(SbStore *store, const char *booth_id, const SbUpdateReport *report,
				     gboolean *changed, GError **error);
/* Booth `booth_id`'s last report. Returns: (transfer full) or NULL:
 * NOT_FOUND when it never sent one (or is unknown), FAILED. */
SbUpdateReport *sb_store_update_report_get(SbStore *store, const char *booth_id, GError **error);

G_END_DECLS
