/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bmap: reads a block map (bmap-tools' XML format, version 1.x and 2.x):
 * the image's size, its block size and the ranges of blocks that hold data.
 * bmaptool writes those ranges; `relaisctl flash` then reads them back from
 * the card and compares them with the image.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAIS_BMAP_ERROR (relais_bmap_error_quark())
GQuark relais_bmap_error_quark(void);

typedef enum {
	RELAIS_BMAP_ERROR_IO,
	RELAIS_BMAP_ERROR_INVALID, /* not a block map, or one that contradicts itself */
} RelaisBmapError;

typedef struct {
	guint64 first, last; /* block numbers, inclusive */
} RelaisBmapRange;

typedef struct {
	guint64 image_size; /* bytes */
	guint64 block_size; /* bytes */
	guint64 blocks;	    /* ceil(image_size / block_size) */
	guint64 mapped;	    /* blocks in ranges */
	GArray *ranges;	    /* (element-type RelaisBmapRange), in order, disjoint */
} RelaisBmap;

/* Parses the text of a .bmap file. Returns: (transfer full) or NULL. */
G_GNUC_WARN_UNUSED_RESULT
RelaisBmap *relais_bmap_parse(const char *text, gsize len, GError **error);

G_GNUC_WARN_UNUSED_RESULT
RelaisBmap *relais_bmap_load(const char *path, GError **error);

/* The bytes of the image the map covers (the last block may be short). */
guint64 relais_bmap_mapped_bytes(const RelaisBmap *map);

void relais_bmap_free(RelaisBmap *map);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisBmap, relais_bmap_free)

G_END_DECLS
