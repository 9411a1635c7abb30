/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bmap.h"
#include "fail.h"

#include <string.h>

G_DEFINE_QUARK(relais - bmap - error - quark, relais_bmap_error)

#define FAIL(code, ...) relais_fail(error, RELAIS_BMAP_ERROR, RELAIS_BMAP_ERROR_##code, __VA_ARGS__)

/* larger files are not block maps (a 64 GiB image of 4 KiB blocks, fully
 * fragmented, would be far more, but no image of ours is) */
#define BMAP_MAX_BYTES (64u * 1024 * 1024)

typedef struct {
	RelaisBmap *map;
	const char *element; /* the one whose text is being read */
	gboolean seen_bmap, seen_size, seen_block, seen_count;
	guint64 count;
} Parse;

void relais_bmap_free(RelaisBmap *map)
{
	if (map == NULL)
		return;
	g_array_unref(map->ranges);
	g_free(map);
}

static gboolean number(const char *text, guint64 *out)
{
	g_autofree char *t = g_strstrip(g_strdup(text));
	return t[0] != '\0' && g_ascii_string_to_unsigned(t, 10, 0, G_MAXUINT64, out, NULL);
}

static void start(GMarkupParseContext *ctx, const char *name, const char **attr_names, const char **attr_values,
		  gpointer data, GError **error)
{
	Parse *p = data;
	p->element = name;
	if (g_str_equal(name, "bmap")) {
		const char *version = NULL;
		for (guint i = 0; attr_names[i]; i++)
			if (g_str_equal(attr_names[i], "version"))
				version = attr_values[i];
		if (version == NULL || (!g_str_has_prefix(version, "1.") && !g_str_has_prefix(version, "2.")))
			FAIL(INVALID, "block map version %s is not one this tool reads (1.x, 2.x)",
			     version ? version : "(none)");
		p->seen_bmap = TRUE;
	}
}

static void end(GMarkupParseContext *ctx, const char *name, gpointer data, GError **error)
{
	((Parse *)data)->element = NULL;
}

static void text(GMarkupParseContext *ctx, const char *text, gsize len, gpointer data, GError **error)
{
	Parse *p = data;
	if (p->element == NULL)
		return;
	g_autofree char *t = g_strndup(text, len);
	if (g_str_equal(p->element, "ImageSize")) {
		if (!number(t, &p->map->image_size))
			FAIL(INVALID, "ImageSize '%s' is not a number", g_strstrip(t));
		p->seen_size = TRUE;
	} else if (g_str_equal(p->element, "BlockSize")) {
		if (!number(t, &p->map->block_size))
			FAIL(INVALID, "BlockSize '%s' is not a number", g_strstrip(t));
		p->seen_block = TRUE;
	} else if (g_str_equal(p->element, "BlocksCount")) {
		if (!number(t, &p->count))
			FAIL(INVALID, "BlocksCount '%s' is not a number", g_strstrip(t));
		p->seen_count = TRUE;
	} else if (g_str_equal(p->element, "Range")) {
		RelaisBmapRange r;
		g_strstrip(t);
		char *dash = strchr(t, '-');
		if (dash)
			*dash = '\0';
		if (!number(t, &r.first) || !number(dash ? dash + 1 : t, &r.last) || r.last < r.first) {
			FAIL(INVALID, "a Range that is not FIRST-LAST or one block number");
			return;
		}
		g_array_append_val(p->map->ranges, r);
	}
}

RelaisBmap *relais_bmap_parse(const char *data, gsize len, GError **error)
{
	g_autoptr(RelaisBmap) map = g_new0(RelaisBmap, 1);
	map->ranges = g_array_new(FALSE, FALSE, sizeof(RelaisBmapRange));
	Parse p = {.map = map};
	const GMarkupParser parser = {.start_element = start, .end_element = end, .text = text};
	g_autoptr(GMarkupParseContext) ctx = g_markup_parse_context_new(&parser, 0, &p, NULL);
	g_autoptr(GError) local = NULL;
	if (!g_markup_parse_context_parse(ctx, data, (gssize)len, &local) ||
	    !g_markup_parse_context_end_parse(ctx, &local)) {
		FAIL(INVALID, "not a block map: %s", local->message);
		return NULL;
	}
	if (!p.seen_bmap || !p.seen_size || !p.seen_block || !p.seen_count) {
		FAIL(INVALID, "not a block map: no %s",
		     !p.seen_bmap    ? "<bmap> element"
		     : !p.seen_size  ? "ImageSize"
		     : !p.seen_block ? "BlockSize"
				     : "BlocksCount");
		return NULL;
	}
	if (map->block_size < 512 || map->block_size % 512 != 0 || map->block_size > 64 * 1024 * 1024) {
		FAIL(INVALID, "block size %" G_GUINT64_FORMAT " is not a multiple of 512 bytes up to 64 MiB",
		     map->block_size);
		return NULL;
	}
	map->blocks = map->image_size / map->block_size + (map->image_size % map->block_size != 0);
	if (p.count != map->blocks) {
		FAIL(INVALID,
		     "BlocksCount %" G_GUINT64_FORMAT " does not match an image of %" G_GUINT64_FORMAT
		     " bytes in blocks of %" G_GUINT64_FORMAT,
		     p.count, map->image_size, map->block_size);
		return NULL;
	}
	for (guint i = 0; i < map->ranges->len; i++) {
		const RelaisBmapRange *r = &g_array_index(map->ranges, RelaisBmapRange, i);
		if (r->last >= map->blocks ||
		    (i > 0 && r->first <= g_array_index(map->ranges, RelaisBmapRange, i - 1).last)) {
			FAIL(INVALID,
			     "range %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
			     " lies outside the image or overlaps the one before",
			     r->first, r->last);
			return NULL;
		}
		map->mapped += r->last - r->first + 1;
	}
	return g_steal_pointer(&map);
}

RelaisBmap *relais_bmap_load(const char *path, GError **error)
{
	g_autofree char *data = NULL;
	gsize len = 0;
	g_autoptr(GError) local = NULL;
	if (!g_file_get_contents(path, &data, &len, &local)) {
		FAIL(IO, "%s", local->message);
		return NULL;
	}
	if (len > BMAP_MAX_BYTES) {
		FAIL(INVALID, "%s: %" G_GSIZE_FORMAT " bytes, too large for a block map", path, len);
		return NULL;
	}
	RelaisBmap *map = relais_bmap_parse(data, len, error);
	if (map == NULL)
		g_prefix_error(error, "%s: ", path);
	return map;
}

guint64 relais_bmap_mapped_bytes(const RelaisBmap *map)
{
	guint64 total = 0;
	for (guint i = 0; i < map->ranges->len; i++) {
		const RelaisBmapRange *r = &g_array_index(map->ranges, RelaisBmapRange, i);
		guint64 start = r->first * map->block_size;
		guint64 end = MIN((r->last + 1) * map->block_size, map->image_size);
		total += end - start;
	}
	return total;
}
