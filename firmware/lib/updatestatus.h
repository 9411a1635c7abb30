/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * updatestatus: what became of the booth's last system update, as the
 * health service (board/common/image/relais-booth-health, root) leaves it
 * for the booth in STATE_DIR/update-status, and which slot the booth runs.
 *
 *     # written by relais-booth-health
 *     result=rolled-back          kept | rolled-back | install-failed
 *     version=0.10-abc1234        the version that was tried
 *     from=0.10-0ff1ce5           the version running before (may be empty)
 *     slot=B                      the slot that was tried (A | B)
 *     at=2026-12-06T22:10:00Z     ISO 8601 with its offset
 *     detail=not healthy within 300 s: link down
 *
 * The booth only reads it, and treats it as hostile: at most
 * RELAIS_UPDATE_STATUS_MAX_BYTES, a regular file (never a FIFO that would
 * block the main loop), '#' comments and blank lines skipped, unknown keys
 * ignored, a line that is not key=value (or holds a NUL byte, or repeats a
 * key) ignored with a warning; a bad value of a known key makes the whole
 * report invalid (nothing is sent: a report must not say what did not
 * happen). Versions are protocol ids (1..MAX_ID of A-Z a-z 0-9 . _ : -).
 * `detail` is one line of UTF-8 without control characters, cut to
 * PROTO_MAX_TEXT bytes (with a warning): it explains, it does not decide.
 *
 * The report travels as the protocol's update_report (PROTOCOL.md
 * "Software and updates").
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define RELAIS_UPDATE_STATUS_MAX_BYTES 4096

#define RELAIS_UPDATE_STATUS_ERROR (relais_update_status_error_quark())
GQuark relais_update_status_error_quark(void);

typedef enum {
	RELAIS_UPDATE_STATUS_ERROR_MISSING,    /* no file: no update was ever reported */
	RELAIS_UPDATE_STATUS_ERROR_UNREADABLE, /* not a regular file, permissions, over the size cap */
	RELAIS_UPDATE_STATUS_ERROR_INVALID,    /* a required key missing, or a bad value */
} RelaisUpdateStatusError;

typedef enum {
	RELAIS_UPDATE_KEPT,
	RELAIS_UPDATE_ROLLED_BACK,
	RELAIS_UPDATE_INSTALL_FAILED,
} RelaisUpdateResult;

/* "kept", "rolled-back", "install-failed" (the file's and the protocol's
 * words), in RelaisUpdateResult's order; NULL-terminated. */
extern const char *const relais_update_results[];

typedef struct {
	RelaisUpdateResult result;
	char *version; /* the version tried */
	char *from;    /* (nullable) the version running before */
	char *slot;    /* "A" or "B" */
	char *at;      /* ISO 8601 with its offset */
	char *detail;  /* (nullable) one line of text */
} RelaisUpdateStatus;

void relais_update_status_free(RelaisUpdateStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisUpdateStatus, relais_update_status_free)

/* Parses the file's text (`len` bytes, NULs allowed: they spoil their
 * line only). `warnings` (nullable, element-type utf8, transfer full):
 * receives one sentence per line ignored or value cut.
 * Returns: (transfer full) the report, or NULL with
 * RELAIS_UPDATE_STATUS_ERROR_INVALID (or _UNREADABLE over the size cap)
 * whose message names the key. */
RelaisUpdateStatus *relais_update_status_parse(const char *data, gsize len, GPtrArray *warnings,
					       GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Reads and parses `path` (never more than the cap, never blocking on a
 * FIFO, not following a symbolic link at its last component).
 * Returns: (transfer full) or NULL with RELAIS_UPDATE_STATUS_ERROR_MISSING
 * when there is no file, else as parse(); the message names the file. */
RelaisUpdateStatus *relais_update_status_load(const char *path, GPtrArray *warnings,
					      GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The file's text for `status` (what the health service writes; the booth
 * itself writes install-failed reports of updates sent from afar).
 * Returns: (transfer full) */
char *relais_update_status_to_data(const RelaisUpdateStatus *status);

/* The update_report message for `status`. Returns: (transfer full) */
JsonObject *relais_update_status_message(const RelaisUpdateStatus *status);

/* The slot the kernel command line names with rauc.slot= ("A" or "B"),
 * or NULL when none does or its value is neither. Returns: (transfer full) */
char *relais_cmdline_slot(const char *cmdline);

/* `raw` as a protocol id usable as a version: characters outside
 * A-Z a-z 0-9 . _ : - become '_', cut to MAX_ID bytes; "unknown" for an
 * empty or NULL one. Returns: (transfer full) */
char *relais_version_sanitize(const char *raw);

/* The version an image's /etc/relais-release names (the image recipe writes
 * RELAIS_VERSION= and RELAIS_BUILD_ID=), in the words `make bundle` gives a
 * bundle ("0.10-abc1234", "-dirty" as ".dirty"), sanitized; NULL when the
 * text lacks either key or is longer than 4 KiB. Returns: (transfer full) */
char *relais_release_version(const char *text);

G_END_DECLS
