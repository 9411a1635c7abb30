/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * docfile: is this file what it claims to be? The one check of the documents
 * an adviser shows on the booth's screen during a call (PDF, PNG, JPEG),
 * run by the switchboard on the upload and again by the booth on the
 * download, with the caps of Kconfig (RELAIS_DOC_MAX_*).
 *
 *   PDF   starts with "%PDF-", ends with "%%EOF" (a cut file does not),
 *         opens with poppler without a password and without an /Encrypt
 *         dictionary, 1..max_pages pages;
 *   PNG   signature, an IHDR chunk first, width x height within the cap,
 *         ends with the IEND chunk;
 *   JPEG  SOI, a frame header (SOFn) before the scan with width x height
 *         within the cap, ends with EOI.
 *
 * Images are not decoded here: the switchboard never draws them, and the
 * booth's decoder (SDL2_image) reports what the headers did not show. The
 * error messages are meant for the adviser, in plain words.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum { RELAIS_DOC_PDF, RELAIS_DOC_PNG, RELAIS_DOC_JPEG, RELAIS_DOC_N_KINDS } RelaisDocKind;

#define RELAIS_DOC_ERROR (relais_doc_error_quark())
GQuark relais_doc_error_quark(void);

typedef enum {
	RELAIS_DOC_ERROR_EMPTY,	    /* no bytes */
	RELAIS_DOC_ERROR_TOO_LARGE, /* over max_bytes */
	RELAIS_DOC_ERROR_TYPE,	    /* a media type that is not PDF, PNG or JPEG */
	RELAIS_DOC_ERROR_NOT_KIND,  /* the bytes are not the claimed kind */
	RELAIS_DOC_ERROR_TRUNCATED, /* the right kind, cut short */
	RELAIS_DOC_ERROR_ENCRYPTED, /* a PDF with a password or encryption */
	RELAIS_DOC_ERROR_PAGES,	    /* no page, or more than max_pages */
	RELAIS_DOC_ERROR_PIXELS,    /* width x height over max_pixels, or zero */
} RelaisDocError;

typedef struct {
	gsize max_bytes;    /* 0: CONFIG_RELAIS_DOC_MAX_BYTES */
	guint max_pages;    /* 0: CONFIG_RELAIS_DOC_MAX_PAGES */
	guint64 max_pixels; /* 0: CONFIG_RELAIS_DOC_MAX_PIXELS */
} RelaisDocLimits;

typedef struct {
	RelaisDocKind kind;
	guint pages;	     /* 1 for an image */
	guint width, height; /* images: pixels; PDF: first page in points */
} RelaisDocInfo;

/* "pdf", "png", "jpeg" */
const char *relais_doc_kind_name(RelaisDocKind kind);
/* "application/pdf", "image/png", "image/jpeg" */
const char *relais_doc_kind_mime(RelaisDocKind kind);
gboolean relais_doc_kind_from_name(const char *name, RelaisDocKind *kind);
/* A Content-Type header (parameters after ';' ignored, case-insensitive).
 * FALSE for anything but the three kinds. */
gboolean relais_doc_kind_from_mime(const char *content_type, RelaisDocKind *kind);

/* A size cap in words: "10 MB", "200 KB" (rounded up). Returns: (transfer full) */
char *relais_doc_size_text(gsize bytes);

/* Fills `limits` with Kconfig's values where it holds 0. */
void relais_doc_limits_resolve(RelaisDocLimits *limits);

/* Checks `data` as a document of kind `claimed` within `limits` (NULL:
 * Kconfig). Returns TRUE and fills `info` (nullable), or FALSE with a
 * RELAIS_DOC_ERROR whose message says what is wrong in plain words.
 * Any thread: a PDF may take a while, callers run it off their main loop. */
gboolean relais_doc_check(const guint8 *data, gsize len, RelaisDocKind claimed, const RelaisDocLimits *limits,
			  RelaisDocInfo *info, GError **error);

/* poppler is used by one thread at a time in a Relais process (its global
 * state is set up on first use, and parsing untrusted files one by one
 * bounds the memory they take): relais_doc_check() holds this lock while
 * poppler works, and so must any other code that opens a PDF. */
/* Takes `data` (g_malloc'd, `len` bytes) into bytes that overwrite it with
 * zeros when their last reference goes: a document never lingers in freed
 * memory. Returns: (transfer full) */
GBytes *relais_doc_bytes_take_zeroing(guint8 *data, gsize len);

void relais_doc_poppler_lock(void);
void relais_doc_poppler_unlock(void);

G_END_DECLS
