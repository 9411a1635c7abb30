/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The document an adviser shows in the call: drawing its pages (any
 * thread) and the document part of the call screen (UI thread). */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/document.h"

#include <SDL_image.h>
#include <cairo.h>
#include <poppler.h>
#include <string.h>

#if !POPPLER_CHECK_VERSION(23, 0, 0)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PopplerDocument, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PopplerPage, g_object_unref)
#endif
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairo_surface_t, cairo_surface_destroy)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairo_t, cairo_destroy)

/* --- pages to pixels (any thread) ------------------------------------------ */

/* cairo's ARGB32 is SDL's ARGB8888 in native byte order. */
static SDL_Surface *surface_from_cairo(cairo_surface_t *cs, GError **error)
{
	cairo_surface_flush(cs);
	int w = cairo_image_surface_get_width(cs), h = cairo_image_surface_get_height(cs);
	SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
	if (s == NULL) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "page of %d x %d: %s", w, h, SDL_GetError());
		return NULL;
	}
	const guint8 *src = cairo_image_surface_get_data(cs);
	int stride = cairo_image_surface_get_stride(cs);
	for (int y = 0; y < h; y++)
		memcpy((guint8 *)s->pixels + y * s->pitch, src + y * stride, (gsize)w * 4);
	return s;
}

static void fit(double sw, double sh, int w, int h, int *ow, int *oh, double *scale)
{
	*scale = MIN(w / sw, h / sh);
	*ow = MAX(1, (int)(sw * *scale));
	*oh = MAX(1, (int)(sh * *scale));
}

static SDL_Surface *render_pdf_locked(GBytes *bytes, guint page, int w, int h, GError **error);

static SDL_Surface *render_pdf(GBytes *bytes, guint page, int w, int h, GError **error)
{
	relais_doc_poppler_lock();
	SDL_Surface *s = render_pdf_locked(bytes, page, w, h, error);
	relais_doc_poppler_unlock();
	return s;
}

static SDL_Surface *render_pdf_locked(GBytes *bytes, guint page, int w, int h, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(PopplerDocument) doc = poppler_document_new_from_bytes(bytes, NULL, &local);
	if (doc == NULL) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "the PDF cannot be opened: %s", local->message);
		return NULL;
	}
	g_autoptr(PopplerPage) p = poppler_document_get_page(doc, (int)page - 1);
	if (p == NULL) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "the PDF has no page %u", page);
		return NULL;
	}
	double pw = 0, ph = 0, scale;
	poppler_page_get_size(p, &pw, &ph);
	if (!(pw >= 1 && ph >= 1)) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "page %u has no size", page);
		return NULL;
	}
	int ow, oh;
	fit(pw, ph, w, h, &ow, &oh, &scale);
	g_autoptr(cairo_surface_t) cs = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, ow, oh);
	g_autoptr(cairo_t) cr = cairo_create(cs);
	cairo_set_source_rgb(cr, 1, 1, 1); /* paper */
	cairo_paint(cr);
	cairo_scale(cr, scale, scale);
	poppler_page_render(p, cr);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "page %u: %s", page,
			    cairo_status_to_string(cairo_status(cr)));
		return NULL;
	}
	return surface_from_cairo(cs, error);
}

static SDL_Surface *render_image(GBytes *bytes, int w, int h, GError **error)
{
	gsize n = 0;
	const void *data = g_bytes_get_data(bytes, &n);
	SDL_RWops *rw = SDL_RWFromConstMem(data, (int)n);
	g_autoptr(SDL_Surface) decoded = rw ? IMG_Load_RW(rw, 1) : NULL;
	if (decoded == NULL) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "the image cannot be decoded: %s",
			    IMG_GetError());
		return NULL;
	}
	g_autoptr(SDL_Surface) argb = SDL_ConvertSurfaceFormat(decoded, SDL_PIXELFORMAT_ARGB8888, 0);
	if (argb == NULL) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "the image cannot be converted: %s",
			    SDL_GetError());
		return NULL;
	}
	g_clear_pointer(&decoded, SDL_FreeSurface);
	/* cairo scales down with a proper filter (SDL's is nearest-pixel) */
	g_autoptr(cairo_surface_t) src =
		cairo_image_surface_create_for_data(argb->pixels, CAIRO_FORMAT_ARGB32, argb->w, argb->h, argb->pitch);
	double scale;
	int ow, oh;
	fit(argb->w, argb->h, w, h, &ow, &oh, &scale);
	g_autoptr(cairo_surface_t) cs = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, ow, oh);
	g_autoptr(cairo_t) cr = cairo_create(cs);
	cairo_set_source_rgb(cr, 1, 1, 1); /* under transparent parts */
	cairo_paint(cr);
	cairo_scale(cr, scale, scale);
	cairo_set_source_surface(cr, src, 0, 0);
	cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
	cairo_paint(cr);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "the image cannot be scaled: %s",
			    cairo_status_to_string(cairo_status(cr)));
		return NULL;
	}
	return surface_from_cairo(cs, error);
}

SDL_Surface *booth_ui_render_document(GBytes *bytes, RelaisDocKind kind, guint page, int w, int h, GError **error)
{
	g_return_val_if_fail(bytes != NULL && w > 0 && h > 0, NULL);
	if (kind == RELAIS_DOC_PDF)
		return render_pdf(bytes, page, w, h, error);
	return render_image(bytes, w, h, error);
}

SDL_Surface *booth_ui_synthetic_page(int w, int h)
{
	int pw, ph;
	double scale;
	fit(210, 297, w, h, &pw, &ph, &scale); /* A4 */
	g_autoptr(cairo_surface_t) cs = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, pw, ph);
	g_autoptr(cairo_t) cr = cairo_create(cs);
	cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE); /* the same pixels everywhere */
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_scale(cr, scale, scale);
	cairo_set_source_rgb(cr, 0.12, 0.32, 0.55);
	cairo_rectangle(cr, 20, 20, 120, 12);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0.55, 0.58, 0.62);
	for (int i = 0; i < 14; i++) {
		cairo_rectangle(cr, 20, 48 + i * 9, i % 5 == 4 ? 110 : 170, 4);
		cairo_fill(cr);
	}
	cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
	cairo_set_line_width(cr, 0.8);
	for (int r = 0; r <= 4; r++) {
		cairo_move_to(cr, 20, 190 + r * 16);
		cairo_line_to(cr, 190, 190 + r * 16);
	}
	for (int c = 0; c <= 3; c++) {
		cairo_move_to(cr, 20 + c * 170.0 / 3, 190);
		cairo_line_to(cr, 20 + c * 170.0 / 3, 254);
	}
	cairo_stroke(cr);
	return surface_from_cairo(cs, NULL);
}

/* --- the call screen's document part (UI thread) ------------------------------ */

void booth_ui_set_document_func(BoothUi *ui, BoothUiDocFunc func, gpointer user_data)
{
	ui->doc_func = func;
	ui->doc_func_data = user_data;
}

void ui_doc_clear(BoothUi *ui)
{
	g_clear_pointer(&ui->doc_tex, SDL_DestroyTexture);
	ui->doc_w = ui->doc_h = 0;
}

void booth_ui_set_document(BoothUi *ui, guint page, guint pages)
{
	if (pages == 0) {
		ui_doc_clear(ui);
		page = 0;
	}
	if (ui->doc_page != page || ui->doc_pages != pages)
		ui->dirty = TRUE;
	ui->doc_page = page;
	ui->doc_pages = pages;
}

gboolean booth_ui_set_document_picture(BoothUi *ui, SDL_Surface *picture, GError **error)
{
	ui_doc_clear(ui);
	ui->dirty = TRUE;
	if (picture == NULL)
		return TRUE;
	ui->doc_tex = SDL_CreateTextureFromSurface(ui->renderer, picture);
	if (ui->doc_tex == NULL) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "document texture: %s", SDL_GetError());
		return FALSE;
	}
	ui->doc_w = picture->w;
	ui->doc_h = picture->h;
	return TRUE;
}

/* caption row, picture, buttons row */
typedef struct {
	SDL_Rect caption, picture, nav;
} DocRects;

static void doc_rects(BoothUi *ui, SDL_Rect area, DocRects *r)
{
	int target = MAX(ui_target_px(ui), ui_px(ui, 84));
	int gap = MAX(6, ui_px(ui, 12));
	int cap_h = ui_text_height(ui, FONT_BODY, TRUE, "Ag", area.w) + gap / 2;
	r->caption = (SDL_Rect){area.x, area.y, area.w, cap_h};
	r->nav = (SDL_Rect){area.x, area.y + area.h - target, area.w, target};
	r->picture = (SDL_Rect){area.x, area.y + cap_h + gap / 2, area.w, r->nav.y - gap - (area.y + cap_h + gap / 2)};
}

void booth_ui_document_size(BoothUi *ui, int *w, int *h)
{
	UiLargeContentLayout l;
	ui_call_large_content_layout(ui, &l);
	DocRects r;
	doc_rects(ui, l.content, &r);
	*w = MAX(1, r.picture.w);
	*h = MAX(1, r.picture.h);
}

static void doc_button(BoothUi *ui, SDL_Rect r, const char *label, UiButtonStyle style, BoothUiDocAction action)
{
	guint index = ui->targets->len;
	ui_add_target(ui, r, TARGET_DOC, (RelaisJourneyEvent){.type = RELAIS_JOURNEY_N_EVENTS}, TRUE);
	g_array_index(ui->targets, UiTarget, index).doc_action = action;
	/* drawn like every button (focus ring included) */
	ui_button_face(ui, r, label, style, index);
}

void ui_doc_draw(BoothUi *ui, SDL_Rect area)
{
	const UiTheme *t = ui_theme(ui);
	DocRects r;
	doc_rects(ui, area, &r);
	ui_text(ui, FONT_BODY, TRUE, ui_tr(ui, "ui.doc.caption"), r.caption, -1, TRUE, t->ink);

	ui_round_rect(ui, r.picture, ui_px(ui, 10), t->video_bg);
	if (ui->doc_tex) {
		double s = MIN((double)r.picture.w / ui->doc_w, (double)r.picture.h / ui->doc_h);
		SDL_Rect d = {0, 0, MAX(1, (int)(ui->doc_w * s)), MAX(1, (int)(ui->doc_h * s))};
		d.x = r.picture.x + (r.picture.w - d.w) / 2;
		d.y = r.picture.y + (r.picture.h - d.h) / 2;
		SDL_RenderCopy(ui->renderer, ui->doc_tex, NULL, &d);
	} else {
		ui_text(ui, FONT_BODY, FALSE, ui_tr(ui, "ui.doc.loading"), r.picture, 0, TRUE,
			(SDL_Color){0xe8, 0xec, 0xee, 0xff});
	}

	int gap = MAX(6, ui_px(ui, 14));
	int close_w = MAX(r.nav.w / 5, r.nav.h);
	SDL_Rect close = {r.nav.x + r.nav.w - close_w, r.nav.y, close_w, r.nav.h};
	if (ui->doc_pages > 1) {
		int bw = (r.nav.w - close_w - 3 * gap) / 3;
		SDL_Rect prev = {r.nav.x, r.nav.y, bw, r.nav.h};
		SDL_Rect label = {prev.x + bw + gap, r.nav.y, bw, r.nav.h};
		SDL_Rect next = {label.x + bw + gap, r.nav.y, bw, r.nav.h};
		if (ui->doc_page > 1)
			doc_button(ui, prev, ui_tr(ui, "ui.doc.prev"), BTN_SECONDARY, BOOTH_UI_DOC_PREV);
		g_autofree char *pages = g_strdup_printf(ui_tr(ui, "ui.doc.page"), ui->doc_page, ui->doc_pages);
		ui_text(ui, FONT_BUTTON, TRUE, pages, label, 0, TRUE, t->ink);
		if (ui->doc_page < ui->doc_pages)
			doc_button(ui, next, ui_tr(ui, "ui.doc.next"), BTN_PRIMARY, BOOTH_UI_DOC_NEXT);
	}
	doc_button(ui, close, ui_tr(ui, "ui.doc.close"), BTN_SECONDARY, BOOTH_UI_DOC_CLOSE);
}

gboolean booth_ui_find_document_target(BoothUi *ui, BoothUiDocAction action, SDL_Rect *rect)
{
	for (guint i = 0; i < ui->targets->len; i++) {
		const UiTarget *t = &g_array_index(ui->targets, UiTarget, i);
		if (t->kind == TARGET_DOC && t->doc_action == action) {
			*rect = t->rect;
			return TRUE;
		}
	}
	return FALSE;
}
