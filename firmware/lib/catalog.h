/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * catalog: one language's translations, read from a compiled gettext catalog
 * (.mo, written by msgfmt from assets/i18n/<lang>.po).
 *
 * Why not gettext()/dgettext(): the booth runs headless in the C locale, and
 * glibc ignores LANGUAGE when LC_MESSAGES is "C"; switching per visitor would
 * need setlocale() with generated locales installed on the image, and
 * setlocale() is process-wide and not thread-safe (the media threads format
 * numbers). A .mo file is a simple, documented table; reading it ourselves
 * keeps the language a per-visitor value with no global state, and a missing
 * or corrupt catalog is a clear error instead of silent English.
 *
 * Message ids are symbolic ("ui.attract.title"): every language, the default
 * included, has a catalog, and a missing translation shows up in tests.
 *
 * A string the booth uses as a printf format carries its id as the entry's
 * context and its conversions as the msgid, flagged c-format:
 *
 *     #, c-format
 *     msgctxt "ui.step"
 *     msgid "%d %d"
 *     msgstr "Question %d sur %d"
 *
 * so that `msgfmt --check` (the build) refuses a translation whose
 * conversions differ from the msgid's, instead of the booth passing an int
 * where the translation says %s. The id looked up is the context.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RelaisCatalog RelaisCatalog;

#define RELAIS_CATALOG_ERROR (relais_catalog_error_quark())
GQuark relais_catalog_error_quark(void);
typedef enum { RELAIS_CATALOG_ERROR_CORRUPT } RelaisCatalogError;

#define RELAIS_CATALOG_DOMAIN "relais-booth"

/* Returns: (transfer full) the catalog in `data` (a .mo image), or NULL with
 * an error. */
RelaisCatalog *relais_catalog_load_data(const char *language, GBytes *data, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Loads <locale_dir>/<language>/LC_MESSAGES/relais-booth.mo. */
RelaisCatalog *relais_catalog_load(const char *locale_dir, const char *language,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
void relais_catalog_free(RelaisCatalog *cat);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisCatalog, relais_catalog_free)

const char *relais_catalog_language(const RelaisCatalog *cat);
guint relais_catalog_size(const RelaisCatalog *cat);
/* Returns: (transfer none) the translation of msgid, or NULL if absent. */
const char *relais_catalog_lookup(const RelaisCatalog *cat, const char *msgid);
/* Returns: (transfer none) the translation, else msgid itself (so a gap in a
 * catalog shows the id on screen rather than nothing). cat may be NULL. */
const char *relais_catalog_get(const RelaisCatalog *cat, const char *msgid);

G_END_DECLS
