/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-qr"

#include "qr.h"

#include <errno.h>
#include <gio/gio.h>
#include <qrencode.h>
#include <string.h>

RelaisQr *relais_qr_encode(const char *text, GError **error)
{
	if (text == NULL || *text == '\0') {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "nothing to encode");
		return NULL;
	}
	QRcode *code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (code == NULL) {
		int e = errno;
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no QR code for this text: %s",
			    g_strerror(e));
		return NULL;
	}
	RelaisQr *qr = g_new0(RelaisQr, 1);
	qr->version = code->version;
	qr->width = code->width;
	qr->modules = g_malloc((gsize)code->width * code->width);
	/* bit 0 of each byte: dark; the others say which kind of module */
	for (int i = 0; i < code->width * code->width; i++)
		qr->modules[i] = code->data[i] & 1;
	QRcode_free(code);
	return qr;
}

gboolean relais_qr_dark(const RelaisQr *qr, int x, int y)
{
	if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
		return FALSE; /* the quiet zone */
	return qr->modules[y * qr->width + x] != 0;
}

void relais_qr_free(RelaisQr *qr)
{
	if (qr == NULL)
		return;
	g_free(qr->modules);
	g_free(qr);
}

char *relais_qr_booking_text(const char *code, const char *start)
{
	GString *s = g_string_new("RELAIS ");
	gsize n = code ? strlen(code) : 0;
	g_string_append_len(s, code ? code : "", MIN(n, 3));
	if (n > 3) {
		g_string_append_c(s, '-');
		g_string_append(s, code + 3);
	}
	/* "2026-11-24T09:00:00+01:00" -> "2026-11-24 09:00" (local to the site) */
	if (start && strlen(start) >= 16 && start[10] == 'T')
		g_string_append_printf(s, " %.10s %.5s", start, start + 11);
	return g_string_free(s, FALSE);
}
