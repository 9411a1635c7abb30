/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-catalog"

#include "catalog.h"

#include <string.h>

G_DEFINE_QUARK(relais - catalog - error - quark, relais_catalog_error)

struct _RelaisCatalog {
	char *language;
	GHashTable *strings; /* msgid -> msgstr, both owned */
};

#define MO_MAGIC       0x950412deu
#define MO_MAX_STRINGS 100000 /* a UI catalog has hundreds; caps a corrupt count */

void relais_catalog_free(RelaisCatalog *cat)
{
	if (cat == NULL)
		return;
	g_hash_table_unref(cat->strings);
	g_free(cat->language);
	g_free(cat);
}

static gboolean corrupt(GError **error, const char *what)
{
	g_set_error(error, RELAIS_CATALOG_ERROR, RELAIS_CATALOG_ERROR_CORRUPT, "corrupt catalog: %s", what);
	return FALSE;
}

static guint32 rd32(const guint8 *p, gboolean swap)
{
	guint32 v;
	memcpy(&v, p, 4);
	return swap ? GUINT32_SWAP_LE_BE(v) : v;
}

/* Reads entry i of the table at `table`: a (length, offset) pair pointing at
 * a NUL-terminated string inside the file. */
static gboolean string_at(const guint8 *d, gsize size, guint32 table, guint32 i, gboolean swap, const char **out,
			  guint32 *len, GError **error)
{
	guint64 at = (guint64)table + (guint64)i * 8;
	if (at + 8 > size)
		return corrupt(error, "string table outside the file");
	guint32 l = rd32(d + at, swap), off = rd32(d + at + 4, swap);
	if ((guint64)off + l + 1 > size || d[off + l] != '\0')
		return corrupt(error, "string outside the file or not terminated");
	*out = (const char *)d + off;
	*len = l;
	return TRUE;
}

RelaisCatalog *relais_catalog_load_data(const char *language, GBytes *bytes, GError **error)
{
	gsize size = 0;
	const guint8 *d = g_bytes_get_data(bytes, &size);
	if (size < 28 || d == NULL) {
		corrupt(error, "shorter than a .mo header");
		return NULL;
	}
	guint32 magic;
	memcpy(&magic, d, 4);
	gboolean swap;
	if (magic == MO_MAGIC)
		swap = FALSE;
	else if (GUINT32_SWAP_LE_BE(magic) == MO_MAGIC)
		swap = TRUE;
	else {
		corrupt(error, "not a .mo file (bad magic)");
		return NULL;
	}
	if ((rd32(d + 4, swap) >> 16) > 1) {
		corrupt(error, "unknown .mo major revision");
		return NULL;
	}
	guint32 n = rd32(d + 8, swap), orig = rd32(d + 12, swap), trans = rd32(d + 16, swap);
	if (n > MO_MAX_STRINGS) {
		corrupt(error, "too many strings");
		return NULL;
	}

	g_autoptr(GHashTable) strings = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (guint32 i = 0; i < n; i++) {
		const char *id, *str;
		guint32 id_len, str_len;
		if (!string_at(d, size, orig, i, swap, &id, &id_len, error) ||
		    !string_at(d, size, trans, i, swap, &str, &str_len, error))
			return NULL;
		if (id_len == 0)
			continue; /* the header entry */
		/* Plural forms are "singular\0plural": we use the singular. The
		 * UI's strings carry numbers as "%d" with no plural variants. */
		if (!g_utf8_validate(id, -1, NULL) || !g_utf8_validate(str, -1, NULL)) {
			corrupt(error, "string is not UTF-8");
			return NULL;
		}
		if (*str == '\0')
			continue; /* untranslated: fall back */
		/* A printf format's entry: its id is the context, its msgid
		 * the conversions msgfmt checks the translation against
		 * (catalog.h); gettext joins the two with EOT. */
		const char *eot = strchr(id, '\004');
		g_hash_table_replace(strings, eot ? g_strndup(id, eot - id) : g_strdup(id), g_strdup(str));
	}
	RelaisCatalog *cat = g_new0(RelaisCatalog, 1);
	cat->language = g_strdup(language);
	cat->strings = g_steal_pointer(&strings);
	return cat;
}

RelaisCatalog *relais_catalog_load(const char *locale_dir, const char *language, GError **error)
{
	g_autofree char *path =
		g_build_filename(locale_dir, language, "LC_MESSAGES", RELAIS_CATALOG_DOMAIN ".mo", NULL);
	g_autoptr(GMappedFile) map = g_mapped_file_new(path, FALSE, error);
	if (map == NULL) {
		g_prefix_error(error, "catalog '%s': ", language);
		return NULL;
	}
	g_autoptr(GBytes) bytes = g_mapped_file_get_bytes(map);
	RelaisCatalog *cat = relais_catalog_load_data(language, bytes, error);
	if (cat == NULL)
		g_prefix_error(error, "%s: ", path);
	return cat;
}

const char *relais_catalog_language(const RelaisCatalog *cat)
{
	return cat->language;
}

guint relais_catalog_size(const RelaisCatalog *cat)
{
	return g_hash_table_size(cat->strings);
}

const char *relais_catalog_lookup(const RelaisCatalog *cat, const char *msgid)
{
	return cat ? g_hash_table_lookup(cat->strings, msgid) : NULL;
}

const char *relais_catalog_get(const RelaisCatalog *cat, const char *msgid)
{
	const char *s = relais_catalog_lookup(cat, msgid);
	return s ? s : msgid;
}
