/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Documents shown in a call: the file check (relais_doc_check: PDF, PNG,
 * JPEG, accepted and refused), the doc_* messages of the protocol, and the
 * hub's rules for them (one document per call, one download per token,
 * pages agreed by both ends, gone with the call). */
#define _GNU_SOURCE /* memmem */
#include "docfile.h"
#include "hub.h"
#include "protocol.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <string.h>

/* --- files ------------------------------------------------------------------ */

static cairo_status_t append(void *closure, const unsigned char *data, unsigned int length)
{
	g_byte_array_append(closure, data, length);
	return CAIRO_STATUS_SUCCESS;
}

/* A real PDF of `pages` pages (cairo's PDF surface). */
static GByteArray *make_pdf(int pages)
{
	GByteArray *out = g_byte_array_new();
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(append, out, 595, 842);
	cairo_t *cr = cairo_create(s);
	for (int i = 0; i < pages; i++) {
		cairo_set_source_rgb(cr, i % 3 == 0, i % 3 == 1, i % 3 == 2);
		cairo_rectangle(cr, 50, 50, 400, 600);
		cairo_fill(cr);
		cairo_show_page(cr);
	}
	cairo_destroy(cr);
	cairo_surface_finish(s);
	cairo_surface_destroy(s);
	return out;
}

static GByteArray *make_png(int w, int h)
{
	GByteArray *out = g_byte_array_new();
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 0.5, 0);
	cairo_paint(cr);
	cairo_destroy(cr);
	g_assert_cmpint(cairo_surface_write_to_png_stream(s, append, out), ==, CAIRO_STATUS_SUCCESS);
	cairo_surface_destroy(s);
	return out;
}

/* The markers the check reads: SOI, APP0, SOF0 (w x h), SOS, scan, EOI. */
static GByteArray *make_jpeg(guint w, guint h, gboolean sof, gboolean eoi)
{
	GByteArray *out = g_byte_array_new();
	const guint8 soi[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
	g_byte_array_append(out, soi, sizeof soi);
	if (sof) {
		const guint8 sof0[] = {0xff, 0xc0, 0x00, 0x0b, 8, h >> 8, h & 0xff, w >> 8, w & 0xff, 1, 1, 0x11, 0};
		g_byte_array_append(out, sof0, sizeof sof0);
	}
	const guint8 sos[] = {0xff, 0xda, 0x00, 0x08, 1, 1, 0, 0, 0x3f, 0, 0x12, 0x34, 0x56};
	g_byte_array_append(out, sos, sizeof sos);
	if (eoi) {
		const guint8 end[] = {0xff, 0xd9};
		g_byte_array_append(out, end, sizeof end);
	}
	return out;
}

static void expect(GByteArray *a, RelaisDocKind kind, const RelaisDocLimits *lim, gint code)
{
	g_autoptr(GError) error = NULL;
	RelaisDocInfo info = {0};
	gboolean ok = relais_doc_check(a ? a->data : NULL, a ? a->len : 0, kind, lim, &info, &error);
	if (code < 0) {
		g_assert_no_error(error);
		g_assert_true(ok);
	} else {
		g_assert_error(error, RELAIS_DOC_ERROR, code);
		g_assert_false(ok);
		g_assert_cmpstr(error->message, !=, "");
	}
}

static void test_pdf(void)
{
	g_autoptr(GByteArray) pdf = make_pdf(3);
	RelaisDocInfo info = {0};
	g_autoptr(GError) error = NULL;
	relais_doc_check(pdf->data, pdf->len, RELAIS_DOC_PDF, NULL, &info, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(info.pages, ==, 3);
	g_assert_cmpuint(info.width, ==, 595);
	g_assert_cmpuint(info.height, ==, 842);

	/* the cap on pages, and on bytes */
	RelaisDocLimits two = {.max_pages = 2};
	expect(pdf, RELAIS_DOC_PDF, &two, RELAIS_DOC_ERROR_PAGES);
	RelaisDocLimits small = {.max_bytes = pdf->len - 1};
	expect(pdf, RELAIS_DOC_PDF, &small, RELAIS_DOC_ERROR_TOO_LARGE);

	/* "a PDF that is not a PDF": text, a PNG, garbage between the right
	 * first and last lines */
	g_autoptr(GByteArray) text = g_byte_array_new();
	g_byte_array_append(text, (const guint8 *)"Dear visitor,\nthis is plain text.\n", 34);
	expect(text, RELAIS_DOC_PDF, NULL, RELAIS_DOC_ERROR_NOT_KIND);
	g_autoptr(GByteArray) png = make_png(8, 8);
	expect(png, RELAIS_DOC_PDF, NULL, RELAIS_DOC_ERROR_NOT_KIND);
	g_autoptr(GByteArray) fake = g_byte_array_new();
	const char *f = "%PDF-1.4\nnot really a pdf at all\n%%EOF\n";
	g_byte_array_append(fake, (const guint8 *)f, strlen(f));
	expect(fake, RELAIS_DOC_PDF, NULL, RELAIS_DOC_ERROR_NOT_KIND);

	/* cut short: poppler might rebuild it, the check does not take it */
	g_autoptr(GByteArray) cut = g_byte_array_new();
	g_byte_array_append(cut, pdf->data, pdf->len * 2 / 3);
	expect(cut, RELAIS_DOC_PDF, NULL, RELAIS_DOC_ERROR_TRUNCATED);

	/* encrypted: an /Encrypt entry in the trailer */
	const char *whole = (const char *)pdf->data, *trailer = NULL;
	for (const char *p = whole; (p = memmem(p, pdf->len - (p - whole), "trailer", 7)) != NULL; p += 7)
		trailer = p;
	g_assert_nonnull(trailer);
	const char *dict = memmem(trailer, pdf->len - (trailer - whole), "<<", 2);
	g_assert_nonnull(dict);
	GString *enc = g_string_new_len(whole, dict + 2 - whole);
	g_string_append(enc, " /Encrypt 99 0 R");
	g_string_append_len(enc, dict + 2, pdf->len - (dict + 2 - whole));
	g_autoptr(GBytes) encb = g_string_free_to_bytes(enc);
	g_autoptr(GError) e2 = NULL;
	g_assert_false(relais_doc_check(g_bytes_get_data(encb, NULL), g_bytes_get_size(encb), RELAIS_DOC_PDF, NULL,
					NULL, &e2));
	g_assert_error(e2, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_ENCRYPTED);

	/* empty */
	expect(NULL, RELAIS_DOC_PDF, NULL, RELAIS_DOC_ERROR_EMPTY);
}

static void test_png(void)
{
	g_autoptr(GByteArray) png = make_png(40, 30);
	RelaisDocInfo info = {0};
	g_autoptr(GError) error = NULL;
	g_assert_true(relais_doc_check(png->data, png->len, RELAIS_DOC_PNG, NULL, &info, &error));
	g_assert_cmpuint(info.width, ==, 40);
	g_assert_cmpuint(info.height, ==, 30);
	g_assert_cmpuint(info.pages, ==, 1);

	RelaisDocLimits tiny = {.max_pixels = 1000};
	expect(png, RELAIS_DOC_PNG, &tiny, RELAIS_DOC_ERROR_PIXELS);
	g_autoptr(GByteArray) cut = g_byte_array_new();
	g_byte_array_append(cut, png->data, png->len - 6);
	expect(cut, RELAIS_DOC_PNG, NULL, RELAIS_DOC_ERROR_TRUNCATED);
	g_autoptr(GByteArray) pdf = make_pdf(1);
	expect(pdf, RELAIS_DOC_PNG, NULL, RELAIS_DOC_ERROR_NOT_KIND);
	g_autoptr(GByteArray) jpeg = make_jpeg(10, 10, TRUE, TRUE);
	expect(jpeg, RELAIS_DOC_PNG, NULL, RELAIS_DOC_ERROR_NOT_KIND);

	/* a header claiming 70000 x 70000 pixels (over the cap) */
	g_autoptr(GByteArray) huge = make_png(4, 4);
	const guint8 dims[8] = {0, 1, 0x11, 0x70, 0, 1, 0x11, 0x70};
	memcpy(huge->data + 16, dims, sizeof dims);
	expect(huge, RELAIS_DOC_PNG, NULL, RELAIS_DOC_ERROR_PIXELS);
}

static void test_jpeg(void)
{
	g_autoptr(GByteArray) ok = make_jpeg(640, 480, TRUE, TRUE);
	RelaisDocInfo info = {0};
	g_autoptr(GError) error = NULL;
	g_assert_true(relais_doc_check(ok->data, ok->len, RELAIS_DOC_JPEG, NULL, &info, &error));
	g_assert_cmpuint(info.width, ==, 640);
	g_assert_cmpuint(info.height, ==, 480);

	g_autoptr(GByteArray) no_eoi = make_jpeg(640, 480, TRUE, FALSE);
	expect(no_eoi, RELAIS_DOC_JPEG, NULL, RELAIS_DOC_ERROR_TRUNCATED);
	g_autoptr(GByteArray) no_sof = make_jpeg(640, 480, FALSE, TRUE);
	expect(no_sof, RELAIS_DOC_JPEG, NULL, RELAIS_DOC_ERROR_NOT_KIND);
	g_autoptr(GByteArray) big = make_jpeg(65000, 65000, TRUE, TRUE);
	expect(big, RELAIS_DOC_JPEG, NULL, RELAIS_DOC_ERROR_PIXELS);
	g_autoptr(GByteArray) zero = make_jpeg(640, 0, TRUE, TRUE);
	expect(zero, RELAIS_DOC_JPEG, NULL, RELAIS_DOC_ERROR_PIXELS);
	g_autoptr(GByteArray) cut = g_byte_array_new();
	g_byte_array_append(cut, ok->data, 24); /* inside the frame header */
	expect(cut, RELAIS_DOC_JPEG, NULL, RELAIS_DOC_ERROR_TRUNCATED);
	g_autoptr(GByteArray) png = make_png(8, 8);
	expect(png, RELAIS_DOC_JPEG, NULL, RELAIS_DOC_ERROR_NOT_KIND);
}

static void test_types(void)
{
	RelaisDocKind k = RELAIS_DOC_N_KINDS;
	g_assert_true(relais_doc_kind_from_mime("application/pdf", &k));
	g_assert_cmpint(k, ==, RELAIS_DOC_PDF);
	g_assert_true(relais_doc_kind_from_mime("IMAGE/PNG", &k));
	g_assert_cmpint(k, ==, RELAIS_DOC_PNG);
	g_assert_true(relais_doc_kind_from_mime("image/jpeg; q=1", &k));
	g_assert_cmpint(k, ==, RELAIS_DOC_JPEG);
	g_assert_false(relais_doc_kind_from_mime("text/plain", &k));
	g_assert_false(relais_doc_kind_from_mime("image/gif", &k));
	g_assert_false(relais_doc_kind_from_mime("application/pdfx", &k));
	g_assert_false(relais_doc_kind_from_mime(NULL, &k));
	g_assert_true(relais_doc_kind_from_name("jpeg", &k));
	g_assert_false(relais_doc_kind_from_name("gif", &k));
	g_autofree char *mb = relais_doc_size_text(10485760);
	g_autofree char *kb = relais_doc_size_text(200000);
	g_assert_cmpstr(mb, ==, "11 MB");
	g_assert_cmpstr(kb, ==, "200 KB");
}

/* --- messages ----------------------------------------------------------------- */

static gboolean parses(const char *text, RelaisRole sender, RelaisProtoError *code)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) m = relais_msg_parse(text, strlen(text), sender, TRUE, NULL, &error);
	if (m == NULL && code)
		*code = error->code;
	return m != NULL;
}

static void test_messages(void)
{
	RelaisProtoError code = 0;
	const char *show = "{\"type\":\"doc_show\",\"call\":\"c1\",\"doc\":\"doc-1\",\"kind\":\"pdf\",\"size\":1000,"
			   "\"pages\":3,\"page\":1,\"token\":\"abc_DEF-123\"}";
	g_assert_true(parses(show, RELAIS_ROLE_SWITCHBOARD, NULL));
	/* only the switchboard announces one */
	g_assert_false(parses(show, RELAIS_ROLE_ADVISER, &code));
	g_assert_cmpint(code, ==, RELAIS_PROTO_ERROR_DIRECTION);
	g_assert_false(parses("{\"type\":\"doc_show\",\"call\":\"c1\",\"doc\":\"d\",\"kind\":\"gif\",\"size\":1,"
			      "\"pages\":1,\"page\":1}",
			      RELAIS_ROLE_SWITCHBOARD, &code));
	g_assert_cmpint(code, ==, RELAIS_PROTO_ERROR_FIELD);
	g_assert_false(parses("{\"type\":\"doc_show\",\"call\":\"c1\",\"doc\":\"d\",\"kind\":\"png\",\"size\":0,"
			      "\"pages\":1,\"page\":1}",
			      RELAIS_ROLE_SWITCHBOARD, &code));
	g_assert_cmpint(code, ==, RELAIS_PROTO_ERROR_FIELD);

	g_assert_true(
		parses("{\"type\":\"doc_page\",\"call\":\"c1\",\"doc\":\"d\",\"page\":2}", RELAIS_ROLE_BOOTH, NULL));
	g_assert_true(
		parses("{\"type\":\"doc_page\",\"call\":\"c1\",\"doc\":\"d\",\"page\":2}", RELAIS_ROLE_ADVISER, NULL));
	g_assert_false(
		parses("{\"type\":\"doc_page\",\"call\":\"c1\",\"doc\":\"d\",\"page\":0}", RELAIS_ROLE_BOOTH, &code));
	g_assert_cmpint(code, ==, RELAIS_PROTO_ERROR_FIELD);
	g_assert_false(parses("{\"type\":\"doc_page\",\"call\":\"c1\",\"page\":1}", RELAIS_ROLE_BOOTH, &code));
	g_assert_cmpint(code, ==, RELAIS_PROTO_ERROR_FIELD);
	g_assert_false(
		parses("{\"type\":\"doc_page\",\"call\":\"c1\",\"doc\":\"d d\",\"page\":1}", RELAIS_ROLE_BOOTH, &code));
	g_assert_cmpint(code, ==, RELAIS_PROTO_ERROR_FIELD);

	g_assert_true(parses("{\"type\":\"doc_stop\",\"call\":\"c1\",\"doc\":\"d\"}", RELAIS_ROLE_ADVISER, NULL));
	g_assert_true(parses("{\"type\":\"doc_stop\",\"call\":\"c1\",\"doc\":\"d\",\"by\":\"booth\"}",
			     RELAIS_ROLE_SWITCHBOARD, NULL));
	g_assert_false(parses("{\"type\":\"doc_stop\",\"call\":\"c1\",\"doc\":\"d\",\"by\":\"me\"}",
			      RELAIS_ROLE_SWITCHBOARD, &code));

	g_assert_true(parses("{\"type\":\"doc_error\",\"call\":\"c1\",\"doc\":\"d\",\"message\":\"cannot draw\"}",
			     RELAIS_ROLE_BOOTH, NULL));
	/* the adviser has nothing to draw */
	g_assert_false(parses("{\"type\":\"doc_error\",\"call\":\"c1\",\"doc\":\"d\",\"message\":\"x\"}",
			      RELAIS_ROLE_ADVISER, &code));
	g_assert_cmpint(code, ==, RELAIS_PROTO_ERROR_DIRECTION);
	g_assert_false(parses("{\"type\":\"doc_error\",\"call\":\"c1\",\"doc\":\"d\",\"message\":\"\"}",
			      RELAIS_ROLE_BOOTH, &code));
	g_assert_cmpint(code, ==, RELAIS_PROTO_ERROR_FIELD);
}

/* --- the hub's rules ------------------------------------------------------------- */

typedef struct {
	GPtrArray *inbox;
	SbPeer *peer;
} End;

static void t_send(gpointer conn, const char *text, gpointer ud)
{
	g_ptr_array_add(((End *)conn)->inbox, g_strdup(text));
}

static void t_close(gpointer conn, gushort code, const char *reason, gpointer ud)
{
}

static const SbHubTransport transport = {t_send, t_close};

/* The last message of `type` in e's inbox, parsed; NULL if none. */
static RelaisMsg *last_of(End *e, const char *type)
{
	for (guint i = e->inbox->len; i-- > 0;) {
		const char *text = g_ptr_array_index(e->inbox, i);
		RelaisMsg *m = relais_msg_parse(text, strlen(text), RELAIS_ROLE_SWITCHBOARD, TRUE, NULL, NULL);
		if (m && g_strcmp0(relais_msg_type_name(relais_msg_get_type(m)), type) == 0)
			return m;
		relais_msg_free(m);
	}
	return NULL;
}

static void say(SbHub *hub, End *e, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void say(SbHub *hub, End *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	sb_hub_receive(hub, e->peer, text, strlen(text));
}

static void test_hub(void)
{
	SbHubConfig cfg = {.max_booths = 2, .max_advisers = 2, .max_queue = 2, .max_errors = 50};
	g_autoptr(SbHub) hub = sb_hub_new(&cfg, &transport, NULL);
	End b = {g_ptr_array_new_with_free_func(g_free)}, a = {g_ptr_array_new_with_free_func(g_free)},
	    a2 = {g_ptr_array_new_with_free_func(g_free)};
	b.peer = sb_hub_connect(hub, RELAIS_ROLE_BOOTH, &b);
	a.peer = sb_hub_connect(hub, RELAIS_ROLE_ADVISER, &a);
	a2.peer = sb_hub_connect(hub, RELAIS_ROLE_ADVISER, &a2);
	say(hub, &b, "{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"b1\"}");
	say(hub, &a, "{\"type\":\"hello\",\"version\":1,\"role\":\"adviser\",\"name\":\"A\"}");
	say(hub, &a2, "{\"type\":\"hello\",\"version\":1,\"role\":\"adviser\",\"name\":\"B\"}");
	g_autoptr(GBytes) bytes = g_bytes_new_static("%PDF-1.4 pretend", 16);
	/* not in a call: nothing to show it in */
	g_assert_false(sb_hub_adviser_in_call(a.peer));
	g_assert_null(sb_hub_show_document(hub, a.peer, RELAIS_DOC_PDF, bytes, 3));

	say(hub, &b, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"other\"}");
	g_autoptr(RelaisMsg) queued = last_of(&b, "queued");
	g_assert_nonnull(queued);
	say(hub, &a, "{\"type\":\"accept\",\"ticket\":\"%s\"}", relais_msg_get_string(queued, "ticket"));
	g_autoptr(RelaisMsg) call = last_of(&a, "call");
	g_assert_nonnull(call);
	const char *cid = relais_msg_get_string(call, "call");
	g_assert_true(sb_hub_adviser_in_call(a.peer));
	g_assert_false(sb_hub_adviser_in_call(a2.peer));
	g_assert_false(sb_hub_adviser_in_call(b.peer));

	const char *id = sb_hub_show_document(hub, a.peer, RELAIS_DOC_PDF, bytes, 3);
	g_assert_nonnull(id);
	g_autofree char *doc = g_strdup(id);
	g_assert_cmpuint(sb_hub_document_bytes(hub), ==, 16);
	g_autoptr(RelaisMsg) bshow = last_of(&b, "doc_show");
	g_autoptr(RelaisMsg) ashow = last_of(&a, "doc_show");
	g_assert_nonnull(bshow);
	g_assert_nonnull(ashow);
	/* the token goes to the booth alone */
	const char *token = relais_msg_get_string(bshow, "token");
	g_assert_nonnull(token);
	g_assert_cmpuint(strlen(token), >=, 40);
	g_assert_null(relais_msg_get_string(ashow, "token"));
	g_assert_cmpint(relais_msg_get_int(bshow, "pages", 0), ==, 3);
	g_assert_null(last_of(&a2, "doc_show"));

	/* one download, by that booth, with that token */
	RelaisDocKind kind;
	g_assert_null(sb_hub_fetch_document(hub, "wrong-token", "b1", &kind));
	g_assert_null(sb_hub_fetch_document(hub, token, "b2", &kind));
	g_autoptr(GBytes) got = sb_hub_fetch_document(hub, token, "b1", &kind);
	g_assert_nonnull(got);
	g_assert_cmpint(kind, ==, RELAIS_DOC_PDF);
	g_assert_true(g_bytes_equal(got, bytes));
	g_assert_null(sb_hub_fetch_document(hub, token, "b1", &kind));

	/* a page turn from either end reaches both */
	say(hub, &b, "{\"type\":\"doc_page\",\"call\":\"%s\",\"doc\":\"%s\",\"page\":2}", cid, doc);
	g_autoptr(RelaisMsg) p1 = last_of(&a, "doc_page");
	g_autoptr(RelaisMsg) p2 = last_of(&b, "doc_page");
	g_assert_cmpint(relais_msg_get_int(p1, "page", 0), ==, 2);
	g_assert_cmpint(relais_msg_get_int(p2, "page", 0), ==, 2);
	/* past the last page, another document, another call: refused */
	say(hub, &a, "{\"type\":\"doc_page\",\"call\":\"%s\",\"doc\":\"%s\",\"page\":4}", cid, doc);
	g_autoptr(RelaisMsg) e1 = last_of(&a, "error");
	g_assert_cmpstr(relais_msg_get_string(e1, "code"), ==, "field");
	say(hub, &a, "{\"type\":\"doc_page\",\"call\":\"%s\",\"doc\":\"doc-other\",\"page\":1}", cid);
	g_autoptr(RelaisMsg) e2 = last_of(&a, "error");
	g_assert_cmpstr(relais_msg_get_string(e2, "code"), ==, "gone");
	say(hub, &a2, "{\"type\":\"doc_page\",\"call\":\"%s\",\"doc\":\"%s\",\"page\":1}", cid, doc);
	g_autoptr(RelaisMsg) e3 = last_of(&a2, "error");
	g_assert_cmpstr(relais_msg_get_string(e3, "code"), ==, "state");

	/* a new one replaces it; the visitor closes it: the adviser is told */
	const char *id2 = sb_hub_show_document(hub, a.peer, RELAIS_DOC_PNG, bytes, 1);
	g_assert_cmpstr(id2, !=, doc);
	g_autofree char *doc2 = g_strdup(id2);
	g_assert_cmpuint(sb_hub_document_bytes(hub), ==, 16);
	say(hub, &b, "{\"type\":\"doc_stop\",\"call\":\"%s\",\"doc\":\"%s\"}", cid, doc2);
	g_autoptr(RelaisMsg) stop = last_of(&a, "doc_stop");
	g_assert_nonnull(stop);
	g_assert_cmpstr(relais_msg_get_string(stop, "by"), ==, "booth");
	g_assert_cmpuint(sb_hub_document_bytes(hub), ==, 0);

	/* a drawing failure goes to the adviser; the document goes */
	const char *id3 = sb_hub_show_document(hub, a.peer, RELAIS_DOC_PDF, bytes, 3);
	g_autofree char *doc3 = g_strdup(id3);
	say(hub, &b, "{\"type\":\"doc_error\",\"call\":\"%s\",\"doc\":\"%s\",\"message\":\"cannot draw\"}", cid, doc3);
	g_autoptr(RelaisMsg) err = last_of(&a, "doc_error");
	g_assert_cmpstr(relais_msg_get_string(err, "message"), ==, "cannot draw");
	g_assert_cmpuint(sb_hub_document_bytes(hub), ==, 0);

	/* the call ends: its document and its token go with it */
	const char *id4 = sb_hub_show_document(hub, a.peer, RELAIS_DOC_PDF, bytes, 3);
	g_assert_nonnull(id4);
	g_autoptr(RelaisMsg) show4 = last_of(&b, "doc_show");
	g_autofree char *token4 = g_strdup(relais_msg_get_string(show4, "token"));
	say(hub, &a, "{\"type\":\"end\",\"call\":\"%s\"}", cid);
	g_assert_cmpuint(sb_hub_document_bytes(hub), ==, 0);
	g_assert_null(sb_hub_fetch_document(hub, token4, "b1", &kind));
	g_assert_false(sb_hub_adviser_in_call(a.peer));

	sb_hub_disconnect(hub, b.peer);
	sb_hub_disconnect(hub, a.peer);
	sb_hub_disconnect(hub, a2.peer);
	g_ptr_array_unref(b.inbox);
	g_ptr_array_unref(a.inbox);
	g_ptr_array_unref(a2.inbox);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/document/check/pdf", test_pdf);
	g_test_add_func("/document/check/png", test_png);
	g_test_add_func("/document/check/jpeg", test_jpeg);
	g_test_add_func("/document/check/types", test_types);
	g_test_add_func("/document/messages", test_messages);
	g_test_add_func("/document/hub", test_hub);
	return g_test_run();
}
