/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-docfile"
#define _GNU_SOURCE  /* memmem */

#include "docfile.h"
#include "fail.h"
#include "relais-config.h"

#include <poppler.h>
#include <string.h>

#ifndef POPPLER_CHECK_VERSION
#error poppler-glib is too old
#endif
#if !POPPLER_CHECK_VERSION(23, 0, 0)
/* poppler-glib 22 (Debian 12) has no autoptr definitions */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PopplerDocument, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PopplerPage, g_object_unref)
#endif

G_DEFINE_QUARK(relais - doc - error - quark, relais_doc_error)

static const char *const kind_names[] = {"pdf", "png", "jpeg"};
static const char *const kind_mimes[] = {"application/pdf", "image/png", "image/jpeg"};

const char *relais_doc_kind_name(RelaisDocKind kind)
{
	return (guint)kind < RELAIS_DOC_N_KINDS ? kind_names[kind] : "?";
}

const char *relais_doc_kind_mime(RelaisDocKind kind)
{
	return (guint)kind < RELAIS_DOC_N_KINDS ? kind_mimes[kind] : "application/octet-stream";
}

gboolean relais_doc_kind_from_name(const char *name, RelaisDocKind *kind)
{
	for (guint i = 0; i < RELAIS_DOC_N_KINDS; i++) {
		if (g_strcmp0(name, kind_names[i]) == 0) {
			*kind = i;
			return TRUE;
		}
	}
	return FALSE;
}

gboolean relais_doc_kind_from_mime(const char *content_type, RelaisDocKind *kind)
{
	if (content_type == NULL)
		return FALSE;
	const char *semi = strchr(content_type, ';');
	g_autofree char *type =
		g_strstrip(g_strndup(content_type, semi ? (gsize)(semi - content_type) : strlen(content_type)));
	for (guint i = 0; i < RELAIS_DOC_N_KINDS; i++) {
		if (g_ascii_strcasecmp(type, kind_mimes[i]) == 0) {
			*kind = i;
			return TRUE;
		}
	}
	return FALSE;
}

char *relais_doc_size_text(gsize bytes)
{
	if (bytes >= 1000000)
		return g_strdup_printf("%" G_GSIZE_FORMAT " MB", (bytes + 999999) / 1000000);
	return g_strdup_printf("%" G_GSIZE_FORMAT " KB", (bytes + 999) / 1000);
}

void relais_doc_limits_resolve(RelaisDocLimits *limits)
{
	if (limits->max_bytes == 0)
		limits->max_bytes = CONFIG_RELAIS_DOC_MAX_BYTES;
	if (limits->max_pages == 0)
		limits->max_pages = CONFIG_RELAIS_DOC_MAX_PAGES;
	if (limits->max_pixels == 0)
		limits->max_pixels = CONFIG_RELAIS_DOC_MAX_PIXELS;
}

static guint32 be32(const guint8 *p)
{
	return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
}

static guint be16(const guint8 *p)
{
	return (guint)p[0] << 8 | p[1];
}

static gboolean check_pixels(guint w, guint h, const RelaisDocLimits *lim, GError **error)
{
	if (w == 0 || h == 0)
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_PIXELS,
				   "This image has no pixels (%u x %u).", w, h);
	if ((guint64)w * h > lim->max_pixels)
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_PIXELS,
				   "This image is too big: %u x %u pixels, at most %" G_GUINT64_FORMAT " megapixels.",
				   w, h, lim->max_pixels / 1000000);
	return TRUE;
}

static gboolean check_png(const guint8 *d, gsize n, const RelaisDocLimits *lim, RelaisDocInfo *info, GError **error)
{
	static const guint8 sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	static const guint8 iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
	if (n < sizeof sig || memcmp(d, sig, sizeof sig) != 0)
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_NOT_KIND, "This file is not a PNG image.");
	/* IHDR: length 13, type, width, height, depth, colour, ..., CRC */
	if (n < 8 + 25 + sizeof iend)
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_TRUNCATED,
				   "This PNG image is incomplete (cut short).");
	if (be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4) != 0)
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_NOT_KIND,
				   "This file is not a valid PNG image (no header).");
	guint32 w = be32(d + 16), h = be32(d + 20);
	if (w > G_MAXINT32 || h > G_MAXINT32)
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_PIXELS,
				   "This PNG image has impossible dimensions.");
	if (!check_pixels(w, h, lim, error))
		return FALSE;
	if (memcmp(d + n - sizeof iend, iend, sizeof iend) != 0)
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_TRUNCATED,
				   "This PNG image is incomplete (cut short).");
	info->width = w;
	info->height = h;
	return TRUE;
}

static gboolean check_jpeg(const guint8 *d, gsize n, const RelaisDocLimits *lim, RelaisDocInfo *info, GError **error)
{
	if (n < 3 || d[0] != 0xff || d[1] != 0xd8 || d[2] != 0xff)
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_NOT_KIND,
				   "This file is not a JPEG image.");
	gsize p = 2;
	for (;;) {
		if (p + 4 > n)
			return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_TRUNCATED,
					   "This JPEG image is incomplete (cut short).");
		if (d[p] != 0xff)
			return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_NOT_KIND,
					   "This file is not a valid JPEG image.");
		while (p < n && d[p] == 0xff)
			p++; /* fill bytes */
		if (p + 3 > n)
			return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_TRUNCATED,
					   "This JPEG image is incomplete (cut short).");
		guint m = d[p++];
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd8))
			continue; /* markers without a length */
		if (m == 0xd9 || m == 0xda)
			return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_NOT_KIND,
					   "This JPEG image has no frame header.");
		guint len = be16(d + p);
		if (len < 2 || p + len > n)
			return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_TRUNCATED,
					   "This JPEG image is incomplete (cut short).");
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
			if (len < 8)
				return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_NOT_KIND,
						   "This JPEG image has a bad frame header.");
			guint h = be16(d + p + 3), w = be16(d + p + 5);
			if (!check_pixels(w, h, lim, error))
				return FALSE;
			info->width = w;
			info->height = h;
			break;
		}
		p += len;
	}
	/* the end of image marker, allowing a little padding after it */
	gsize from = n > 64 ? n - 64 : 0;
	for (gsize i = n - 1; i > from; i--)
		if (d[i - 1] == 0xff && d[i] == 0xd9)
			return TRUE;
	return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_TRUNCATED,
			   "This JPEG image is incomplete (cut short).");
}

/* "/Encrypt" as a PDF name (followed by a delimiter or white space, not
 * "/EncryptMetadata"): the trailer says the file is encrypted. */
static gboolean pdf_names_encrypt(const guint8 *d, gsize n)
{
	static const char key[] = "/Encrypt";
	const gsize k = sizeof key - 1;
	gsize i = 0;
	while (i + k < n) {
		const guint8 *p = memmem(d + i, n - i, key, k);
		if (p == NULL || (gsize)(p - d) + k >= n)
			return FALSE;
		if (!g_ascii_isalnum(p[k]))
			return TRUE;
		i = (gsize)(p - d) + k;
	}
	return FALSE;
}

static GMutex poppler_lock;

void relais_doc_poppler_lock(void)
{
	g_mutex_lock(&poppler_lock);
}

void relais_doc_poppler_unlock(void)
{
	g_mutex_unlock(&poppler_lock);
}

static gboolean check_pdf_pages(const guint8 *d, gsize n, const RelaisDocLimits *lim, RelaisDocInfo *info,
				GError **error);

static gboolean check_pdf(const guint8 *d, gsize n, const RelaisDocLimits *lim, RelaisDocInfo *info, GError **error)
{
	if (n < 5 || memcmp(d, "%PDF-", 5) != 0)
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_NOT_KIND, "This file is not a PDF.");
	/* a complete file ends with %%EOF (and perhaps an end of line): a cut
	 * one may still open, poppler rebuilds what it can, but it is not the
	 * document the adviser meant */
	gsize tail = MIN(n, 1024);
	if (memmem(d + n - tail, tail, "%%EOF", 5) == NULL)
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_TRUNCATED,
				   "This PDF is incomplete (cut short).");
	if (pdf_names_encrypt(d, n))
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_ENCRYPTED,
				   "This PDF is encrypted or protected by a password.");
	relais_doc_poppler_lock();
	gboolean ok = check_pdf_pages(d, n, lim, info, error);
	relais_doc_poppler_unlock();
	return ok;
}

/* poppler's part, under the lock */
static gboolean check_pdf_pages(const guint8 *d, gsize n, const RelaisDocLimits *lim, RelaisDocInfo *info,
				GError **error)
{
	g_autoptr(GBytes) bytes = g_bytes_new_static(d, n);
	g_autoptr(GError) local = NULL;
	g_autoptr(PopplerDocument) doc = poppler_document_new_from_bytes(bytes, NULL, &local);
	if (doc == NULL) {
		if (g_error_matches(local, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
			return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_ENCRYPTED,
					   "This PDF is encrypted or protected by a password.");
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_NOT_KIND,
				   "This PDF is damaged: it cannot be opened.");
	}
	int pages = poppler_document_get_n_pages(doc);
	if (pages < 1)
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_PAGES, "This PDF has no page.");
	if ((guint)pages > lim->max_pages)
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_PAGES,
				   "This PDF has %d pages: at most %u.", pages, lim->max_pages);
	g_autoptr(PopplerPage) first = poppler_document_get_page(doc, 0);
	if (first == NULL)
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_NOT_KIND,
				   "This PDF is damaged: its first page cannot be read.");
	double w = 0, h = 0;
	poppler_page_get_size(first, &w, &h);
	if (!(w >= 1 && h >= 1 && w < 1e5 && h < 1e5))
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_NOT_KIND,
				   "This PDF has a page of impossible size.");
	info->pages = (guint)pages;
	info->width = (guint)w;
	info->height = (guint)h;
	return TRUE;
}

gboolean relais_doc_check(const guint8 *data, gsize len, RelaisDocKind claimed, const RelaisDocLimits *limits,
			  RelaisDocInfo *info, GError **error)
{
	RelaisDocLimits lim = limits ? *limits : (RelaisDocLimits){0};
	relais_doc_limits_resolve(&lim);
	RelaisDocInfo local = {claimed, 1, 0, 0};
	if ((guint)claimed >= RELAIS_DOC_N_KINDS)
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_TYPE,
				   "Only PDF, PNG and JPEG files can be shown.");
	if (data == NULL || len == 0)
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_EMPTY, "The file is empty.");
	if (len > lim.max_bytes) {
		g_autofree char *max = relais_doc_size_text(lim.max_bytes);
		return relais_fail(error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_TOO_LARGE, "Too large: max %s.", max);
	}
	gboolean ok = FALSE;
	switch (claimed) {
	case RELAIS_DOC_PDF:
		ok = check_pdf(data, len, &lim, &local, error);
		break;
	case RELAIS_DOC_PNG:
		ok = check_png(data, len, &lim, &local, error);
		break;
	case RELAIS_DOC_JPEG:
		ok = check_jpeg(data, len, &lim, &local, error);
		break;
	default:
		break;
	}
	if (ok && info)
		*info = local;
	return ok;
}

typedef struct {
	guint8 *data;
	gsize len;
} Zeroing;

static void zeroing_free(gpointer p)
{
	Zeroing *z = p;
	explicit_bzero(z->data, z->len);
	g_free(z->data);
	g_free(z);
}

GBytes *relais_doc_bytes_take_zeroing(guint8 *data, gsize len)
{
	Zeroing *z = g_new0(Zeroing, 1);
	z->data = data;
	z->len = len;
	return g_bytes_new_with_free_func(z->data, z->len, zeroing_free, z);
}
