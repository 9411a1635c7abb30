/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The document checks (firmware/lib/docfile.c) an adviser's upload goes
 * through at the switchboard and again at the booth: PDF (header, trailer,
 * then poppler), PNG and JPEG headers.
 *
 * Input: one selector byte (bits 0-1: the claimed kind, modulo 3; bit 2:
 * small caps, 2 pages and 64x64 pixels, to reach the cap refusals), then
 * the file. Beyond "no crash, no leak": a refusal is a RELAIS_DOC_ERROR;
 * an accepted file is within the caps.
 */
#include "fuzz.h"
#include "docfile.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	relais_fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	RelaisDocKind kind = (RelaisDocKind)((data[0] & 3) % RELAIS_DOC_N_KINDS);
	RelaisDocLimits limits = {0};
	if (data[0] & 4)
		limits = (RelaisDocLimits){.max_pages = 2, .max_pixels = 64 * 64};
	relais_doc_limits_resolve(&limits);
	RelaisDocInfo info = {0};
	g_autoptr(GError) error = NULL;
	if (!relais_doc_check(data + 1, size - 1, kind, &limits, &info, &error)) {
		g_assert(error != NULL && error->domain == RELAIS_DOC_ERROR);
		return 0;
	}
	g_assert_cmpint(info.kind, ==, kind);
	g_assert_cmpuint(info.pages, >=, 1);
	g_assert_cmpuint(info.pages, <=, limits.max_pages);
	if (kind != RELAIS_DOC_PDF) {
		g_assert_cmpuint(info.width, >, 0);
		g_assert_cmpuint(info.height, >, 0);
		g_assert_cmpuint((guint64)info.width * info.height, <=, limits.max_pixels);
	}
	return 0;
}
