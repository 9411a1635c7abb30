/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qr: QR codes for the booth's screens (libqrencode), as a plain matrix of
 * modules the UI draws as squares. The booking code screen encodes the code
 * and the slot's time as plain text (relais_qr_booking_text): nothing about
 * the visitor, nothing that needs a network to read.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	int version;	 /* 1..40 */
	int width;	 /* modules per side: 17 + 4 × version */
	guint8 *modules; /* width × width, row by row: 1 dark, 0 light */
} RelaisQr;

/* Error correction level M (15 %: a smudged screen or a tilted phone),
 * 8-bit mode, the smallest version that holds `text`.
 * Returns: (transfer full) or NULL with a G_IO_ERROR (empty or too long). */
RelaisQr *relais_qr_encode(const char *text, GError **error);
gboolean relais_qr_dark(const RelaisQr *qr, int x, int y);
void relais_qr_free(RelaisQr *qr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisQr, relais_qr_free)

/* "RELAIS 7KQ-2MZ 2026-11-24 09:00": the code grouped 3+3 and the slot's
 * local date and time as the ISO time `start` gives them (nullable).
 * Returns: (transfer full) */
char *relais_qr_booking_text(const char *code, const char *start);

/* Light modules around the code that readers need (4 by the standard). */
#define RELAIS_QR_QUIET_ZONE 4

G_END_DECLS
