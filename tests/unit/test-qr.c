/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QR codes of the booking screen: the matrix libqrencode makes (version,
 * size, function patterns, format information) and, through GStreamer's zbar
 * element (a real decoder, from gst-plugins-bad), that it reads back: both
 * the bare matrix and the booking screen as the booth draws it.
 */
#include "ical.h"
#include "qr.h"
#include "ui/samples.h"

#include <gio/gio.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <string.h>

#define TEXT "RELAIS 7KQ-2MZ 2026-11-24 09:00"

/* 7x7 finder with its top-left corner at (x, y). */
static void assert_finder(const RelaisQr *qr, int x0, int y0)
{
	for (int y = 0; y < 7; y++)
		for (int x = 0; x < 7; x++) {
			gboolean ring = x == 0 || y == 0 || x == 6 || y == 6;
			gboolean core = x >= 2 && x <= 4 && y >= 2 && y <= 4;
			if (relais_qr_dark(qr, x0 + x, y0 + y) != (ring || core))
				g_error("finder at %d,%d: module %d,%d is wrong", x0, y0, x, y);
		}
}

/* The 15 format bits around the top-left finder, unmasked; checks the BCH
 * code and returns the error correction level bits. */
static guint format_level(const RelaisQr *qr)
{
	static const int pos[15][2] = {{8, 0}, {8, 1}, {8, 2}, {8, 3}, {8, 4}, {8, 5}, {8, 7}, {8, 8},
				       {7, 8}, {5, 8}, {4, 8}, {3, 8}, {2, 8}, {1, 8}, {0, 8}};
	guint bits = 0;
	for (int i = 0; i < 15; i++) /* (x, y) = (pos[1], pos[0]): row 8, then column 8 */
		bits = (bits << 1) | (relais_qr_dark(qr, pos[i][1], pos[i][0]) ? 1 : 0);
	bits ^= 0x5412;
	/* BCH(15,5): the 10 low bits are data * x^10 mod 0x537 */
	guint data = bits >> 10, rem = data << 10;
	for (int i = 14; i >= 10; i--)
		if (rem & (1u << i))
			rem ^= 0x537u << (i - 10);
	g_assert_cmpuint(rem, ==, bits & 0x3ff);
	return data >> 3;
}

static void test_matrix(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisQr) qr = relais_qr_encode(TEXT, &error);
	g_assert_no_error(error);
	/* 31 bytes in 8-bit mode at level M: version 3 (2 holds 26) */
	g_assert_cmpint(qr->version, ==, 3);
	g_assert_cmpint(qr->width, ==, 17 + 4 * qr->version);
	assert_finder(qr, 0, 0);
	assert_finder(qr, qr->width - 7, 0);
	assert_finder(qr, 0, qr->width - 7);
	/* light separators, timing patterns, the dark module */
	for (int i = 0; i < 8; i++) {
		g_assert_false(relais_qr_dark(qr, 7, i));
		g_assert_false(relais_qr_dark(qr, i, 7));
		g_assert_false(relais_qr_dark(qr, qr->width - 8, i));
	}
	for (int i = 8; i < qr->width - 8; i++) {
		g_assert_cmpint(relais_qr_dark(qr, i, 6), ==, i % 2 == 0);
		g_assert_cmpint(relais_qr_dark(qr, 6, i), ==, i % 2 == 0);
	}
	g_assert_true(relais_qr_dark(qr, 8, 4 * qr->version + 9));
	/* level M is 00 in the format bits */
	g_assert_cmpuint(format_level(qr), ==, 0);
	/* outside the matrix: the quiet zone */
	g_assert_false(relais_qr_dark(qr, -1, 0));
	g_assert_false(relais_qr_dark(qr, qr->width, 3));

	/* nothing to encode, too much to encode */
	g_assert_null(relais_qr_encode("", &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_clear_error(&error);
	g_autofree char *huge = g_strnfill(4000, 'x');
	g_assert_null(relais_qr_encode(huge, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void test_booking_text(void)
{
	g_autofree char *a = relais_qr_booking_text("7KQ2MZ", "2026-11-24T09:00:00+01:00");
	g_assert_cmpstr(a, ==, TEXT);
	g_autofree char *b = relais_qr_booking_text("7KQ2MZ", NULL);
	g_assert_cmpstr(b, ==, "RELAIS 7KQ-2MZ");
	g_autofree char *c = relais_qr_booking_text("7KQ2MZ", "soon");
	g_assert_cmpstr(c, ==, "RELAIS 7KQ-2MZ");
}

/* --- decoding with zbar ----------------------------------------------------- */

/* Feeds one GRAY8 picture to zbar and returns every symbol it read. */
static GStrv zbar_read_all(const guint8 *pixels, int w, int h, int stride)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GstElement) pipe = gst_parse_launch(
		"appsrc name=src format=time ! videoconvert ! zbar name=z cache=false ! fakesink sync=false", &error);
	g_assert_no_error(error);
	GstElement *src = gst_bin_get_by_name(GST_BIN(pipe), "src");
	g_autoptr(GstCaps) caps =
		gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "GRAY8", "width", G_TYPE_INT, w, "height",
				    G_TYPE_INT, h, "framerate", GST_TYPE_FRACTION, 1, 1, NULL);
	g_object_set(src, "caps", caps, NULL);
	gst_element_set_state(pipe, GST_STATE_PLAYING);
	/* GStreamer wants rows 4-byte aligned */
	int row = GST_ROUND_UP_4(w);
	GstBuffer *buf = gst_buffer_new_allocate(NULL, (gsize)row * h, NULL);
	GstMapInfo map;
	gst_buffer_map(buf, &map, GST_MAP_WRITE);
	for (int y = 0; y < h; y++)
		memcpy(map.data + (gsize)y * row, pixels + (gsize)y * stride, w);
	gst_buffer_unmap(buf, &map);
	GST_BUFFER_PTS(buf) = 0;
	GST_BUFFER_DURATION(buf) = GST_SECOND;
	g_assert_cmpint(gst_app_src_push_buffer(GST_APP_SRC(src), buf), ==, GST_FLOW_OK);
	gst_app_src_end_of_stream(GST_APP_SRC(src));
	gst_object_unref(src);
	g_autoptr(GStrvBuilder) symbols = g_strv_builder_new();
	g_autoptr(GstBus) bus = gst_element_get_bus(pipe);
	for (;;) {
		g_autoptr(GstMessage) m = gst_bus_timed_pop(bus, 10 * GST_SECOND);
		if (m == NULL || GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS || GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR)
			break;
		const GstStructure *st = gst_message_get_structure(m);
		if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ELEMENT && st && gst_structure_has_name(st, "barcode")) {
			g_assert_cmpstr(gst_structure_get_string(st, "type"), ==, "QR-Code");
			g_strv_builder_add(symbols, gst_structure_get_string(st, "symbol"));
		}
	}
	gst_element_set_state(pipe, GST_STATE_NULL);
	return g_strv_builder_end(symbols);
}

/* The first symbol read (NULL: nothing). */
static char *zbar_read(const guint8 *pixels, int w, int h, int stride)
{
	g_auto(GStrv) all = zbar_read_all(pixels, w, h, stride);
	return all[0] ? g_strdup(all[0]) : NULL;
}

/* The QR code of `text` drawn at `px` pixels a module with its quiet zone,
 * read back by zbar. */
static char *qr_round_trip(const char *text, int px, int *version)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisQr) qr = relais_qr_encode(text, &error);
	g_assert_no_error(error);
	*version = qr->version;
	const int side = (qr->width + 2 * RELAIS_QR_QUIET_ZONE) * px;
	g_autofree guint8 *img = g_malloc(side * side);
	for (int y = 0; y < side; y++)
		for (int x = 0; x < side; x++)
			img[y * side + x] =
				relais_qr_dark(qr, x / px - RELAIS_QR_QUIET_ZONE, y / px - RELAIS_QR_QUIET_ZONE) ? 0
														 : 255;
	return zbar_read(img, side, side, side);
}

static gboolean have_zbar(void)
{
	g_autoptr(GstElementFactory) f = gst_element_factory_find("zbar");
	if (f == NULL)
		g_test_skip("GStreamer's zbar element (gst-plugins-bad) is not installed");
	return f != NULL;
}

static void test_decode_matrix(void)
{
	if (!have_zbar())
		return;
	int version;
	g_autofree char *read = qr_round_trip(TEXT, 6, &version);
	g_assert_cmpstr(read, ==, TEXT);
}

/* The calendar event at its largest: a site name and an address longer
 * than ical.c keeps (160 octets each), all of it characters that escaping
 * doubles, with the French texts: what a switchboard can send makes no
 * longer event. It still fits a QR code (level M) and reads back whole at
 * two pixels a module, the booth's smallest screen. */
static void test_decode_calendar(void)
{
	if (!have_zbar())
		return;
	GString *site = g_string_new(NULL), *address = g_string_new(NULL);
	while (site->len < RELAIS_ICAL_MAX_TEXT + 20)
		g_string_append(site, ";");
	while (address->len < RELAIS_ICAL_MAX_TEXT + 20)
		g_string_append(address, ",");
	g_autoptr(GDateTime) stamp = g_date_time_new_from_iso8601("2026-11-23T14:05:09Z", NULL);
	RelaisIcalEvent ev = {.code = "7KQ2MZ",
			      .start = "2026-11-24T09:00:00+01:00",
			      .end = "2026-11-24T09:30:00+01:00",
			      .site = site->str,
			      .address = address->str,
			      .summary = "Rendez-vous avec un conseiller \u2014 Relais",
			      .description = "Votre code : 7KQ 2MZ. Le jour venu, touchez \u00ab\u00a0J'ai un "
					     "rendez-vous\u00a0\u00bb sur une borne de ce lieu et tapez ce code.",
			      .stamp = stamp};
	g_autoptr(GError) error = NULL;
	g_autofree char *text = relais_ical_event(&ev, &error);
	g_assert_no_error(error);
	int version;
	g_autofree char *read = qr_round_trip(text, 2, &version);
	g_test_message("largest event: %zu octets, QR version %d (%d modules a side)", strlen(text), version,
		       17 + 4 * version);
	g_assert_cmpstr(read, ==, text);
	/* 137 + 8 modules: 2 pixels each in the 300 the 800x480 screen gives it */
	g_assert_cmpint(version, <=, 30);
	g_string_free(site, TRUE);
	g_string_free(address, TRUE);
}

/* The booking screen as drawn, in both languages and both themes: its two
 * QR codes read back, the code and the time, and the calendar event. */
static void test_decode_screen(void)
{
	if (!have_zbar())
		return;
	static const char *const languages[] = {"fr", "en", NULL};
	const char *top = g_getenv("RELAIS_TOP"), *build = g_getenv("RELAIS_BUILD");
	g_autofree char *questions = g_build_filename(top ? top : ".", "assets/questions/default.ini", NULL);
	g_autofree char *locale = g_build_filename(build ? build : "build", "locale", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisQuestions) qs = relais_questions_load_file(questions, &error);
	g_assert_no_error(error);
	BoothUiConfig cfg = {.width = 800,
			     .height = 480,
			     .dpi = 133,
			     .software = TRUE,
			     .locale_dir = locale,
			     .languages = languages,
			     .questions = qs};
	g_autoptr(BoothUi) ui = booth_ui_new(&cfg, &error);
	g_assert_no_error(error);
	guint sample = G_MAXUINT;
	for (guint i = 0; i < booth_ui_samples_count(); i++)
		if (g_str_equal(booth_ui_sample_name(i), "book-code"))
			sample = i;
	g_assert_cmpuint(sample, !=, G_MAXUINT);
	for (const char *const *l = languages; *l; l++)
		for (int contrast = 0; contrast < 2; contrast++) {
			g_assert_true(booth_ui_render_sample(ui, sample, *l, &error));
			booth_ui_set_high_contrast(ui, contrast);
			booth_ui_render(ui);
			g_autoptr(SDL_Surface) shot = booth_ui_snapshot(ui, &error);
			g_assert_no_error(error);
			g_autoptr(SDL_Surface) rgb = SDL_ConvertSurfaceFormat(shot, SDL_PIXELFORMAT_RGB24, 0);
			g_autofree guint8 *gray = g_malloc((gsize)rgb->w * rgb->h);
			for (int y = 0; y < rgb->h; y++)
				for (int x = 0; x < rgb->w; x++) {
					const guint8 *p = (const guint8 *)rgb->pixels + y * rgb->pitch + x * 3;
					gray[y * rgb->w + x] = (guint8)((p[0] * 30 + p[1] * 59 + p[2] * 11) / 100);
				}
			g_auto(GStrv) read = zbar_read_all(gray, rgb->w, rgb->h, rgb->w);
			g_autofree char *all = g_strjoinv("' '", read);
			const char *code = NULL, *event = NULL;
			for (char **r = read; *r; r++)
				if (g_str_equal(*r, TEXT))
					code = *r;
				else if (g_str_has_prefix(*r, "BEGIN:VCALENDAR\r\n"))
					event = *r;
			if (code == NULL || event == NULL || g_strv_length(read) != 2)
				g_error("%s%s: the screen's QR codes read '%s'", *l, contrast ? " (contrast)" : "",
					all);
			g_assert_nonnull(strstr(event, "\r\nDTSTART:20261124T080000Z\r\n"));
			g_assert_nonnull(strstr(event, "7KQ 2MZ"));
			if (!contrast) {
				g_autoptr(RelaisQr) qr = relais_qr_encode(event, &error);
				g_assert_no_error(error);
				g_test_message(
					"%s: the calendar event is %zu octets, QR version %d (%d modules a side)", *l,
					strlen(event), qr->version, qr->width);
			}
		}
}

int main(int argc, char **argv)
{
	gst_init(&argc, &argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/qr/matrix", test_matrix);
	g_test_add_func("/qr/booking-text", test_booking_text);
	g_test_add_func("/qr/decode-matrix", test_decode_matrix);
	g_test_add_func("/qr/decode-calendar", test_decode_calendar);
	g_test_add_func("/qr/decode-screen", test_decode_screen);
	return g_test_run();
}
