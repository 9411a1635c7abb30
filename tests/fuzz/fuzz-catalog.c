/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A compiled translation catalog (.mo) as firmware/lib/catalog.c reads it:
 * offsets and lengths taken from the file itself, both byte orders.
 * Beyond "no crash, no leak": an accepted catalog holds at most as many
 * strings as its header counts, and looking up ids is safe.
 */
#include "fuzz.h"
#include "catalog.h"

#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	relais_fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy the exact size of the input: ASan sees any read past it */
	g_autoptr(GBytes) bytes = g_bytes_new(data, size);
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisCatalog) cat = relais_catalog_load_data("fr", bytes, &error);
	if (cat == NULL) {
		g_assert(error != NULL && error->domain == RELAIS_CATALOG_ERROR);
		return 0;
	}
	guint32 n = 0;
	memcpy(&n, data + 8, 4);
	g_assert_cmpuint(relais_catalog_size(cat), <=, MAX(n, GUINT32_SWAP_LE_BE(n)));
	g_assert_cmpstr(relais_catalog_language(cat), ==, "fr");
	(void)relais_catalog_get(cat, "ui.attract.title");
	(void)relais_catalog_lookup(cat, "");
	return 0;
}
