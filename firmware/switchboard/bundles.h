/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bundles: RAUC bundles uploaded for updates sent from afar (README.md
 * "Updates sent from afar").
 *
 *   POST   /api/admin/bundles          the .raucb as the body (admins; the
 *                                      page's Origin); refused on the headers
 *                                      alone: 401, 403, 411, 400 (empty), 413,
 *                                      415, 503 (an upload under way), 507
 *   GET    /api/admin/bundles          {bundles: [{id, size, version,
 *                                      compatible, uploaded_at, uploaded_by}]}
 *   DELETE /api/admin/bundles/ID       409 while an update installs it
 *   GET    /api/booth/bundle/UPDATE    (booth listener) the file, to the booth
 *                                      whose active update it is
 *
 * The body goes to a temporary file as it comes (0600, in DATA/bundles),
 * hashed on the way, never held in memory; it is then checked off the main
 * loop (a squashfs, what `rauc info` says of it) and kept as ID.raucb, ID
 * being its SHA-256.
 */
#pragma once

#include <libsoup/soup.h>
#include "enrol.h"
#include "store.h"

G_BEGIN_DECLS

typedef struct {
	SbStore *store;	     /* not owned, outlives the servers */
	const char *dir;     /* where the bundles are kept (made 0700) */
	guint64 max_bytes;   /* 0: CONFIG_RELAIS_SB_BUNDLE_MAX_BYTES */
	const char *rauc;    /* nullable: `rauc` to read a bundle's manifest (none: not read) */
	const char *keyring; /* nullable: verify the signature against it at upload */
	gboolean secure;     /* the pages are served over TLS (Origin https://) */
} SbBundlesConfig;

typedef struct _SbBundles SbBundles;

/* Registers the endpoints above on `soup` (admins) and `booth_soup` (the
 * booth listener, whose clients `enrol` knows). FALSE when the folder
 * cannot be made. The servers own the returned object. */
SbBundles *sb_bundles_register(SoupServer *soup, SoupServer *booth_soup, SbEnrol *enrol, const SbBundlesConfig *config,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The file of bundle `id` (a SHA-256). Returns: (transfer full) */
char *sb_bundles_path(SbBundles *bundles, const char *id);

/* What `rauc info` says of a bundle file: its compatible and version (each
 * nullable, made protocol ids); verified against `keyring` when given.
 * FALSE with RAUC's own words. Blocking: run it off the main loop. */
gboolean sb_bundles_inspect(const char *rauc, const char *keyring, const char *path, char **compatible, char **version,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
