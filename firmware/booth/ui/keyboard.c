/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The chat keyboard of the call screen, drawn: pages of keys, the draft
 * field, Send and Close (what they do: draft.c).
 *
 * Keys are never smaller than CONFIG_RELAIS_UI_MIN_TARGET_MM: a row holds
 * ten keys where ten fit (1280x800 at 150 dpi, 1920x1080), else fewer, and
 * the letters flow over the rows in the same order (800x480 at 133 dpi: nine
 * a row, the last three punctuation keys then live on the other pages only).
 */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/keyboard.h"

#include <math.h>

/* Every page has the same number of keys, so that the focus ring stays on
 * the same place when a page key is pressed. The first CORE keys are shown
 * whatever the width; the others only when rows of ten fit. */
enum { PAGE_KEYS = 30, PAGE_CORE = 27 };

static const char *const azerty[PAGE_KEYS] = {
	"a", "z", "e", "r", "t", "y", "u", "i", "o", "p", "q", "s", "d", "f", "g",
	"h", "j", "k", "l", "m", "w", "x", "c", "v", "b", "n", "'", ",", ".", "?",
};

static const char *const qwerty[PAGE_KEYS] = {
	"q", "w", "e", "r", "t", "y", "u", "i", "o", "p", "a", "s", "d", "f", "g",
	"h", "j", "k", "l", "'", "z", "x", "c", "v", "b", "n", "m", ",", ".", "?",
};

/* French first (é è ê ë à â ç ù û ü î ï ô œ), then what visitors' names and
 * other Latin-script languages most need */
static const char *const accents[PAGE_KEYS] = {
	"é", "è", "ê", "ë", "à", "â", "ç", "ù", "û", "ü", "î", "ï", "ô", "œ", "æ",
	"ñ", "á", "í", "ó", "ú", "ä", "ö", "ã", "õ", "-", "'", ".", ",", "?", "!",
};

static const char *const symbols[PAGE_KEYS] = {
	"1", "2", "3", "4", "5",  "6", "7", "8", "9", "0", "@", "-", "/", ":", ";",
	"(", ")", "€", "&", "\"", ".", ",", "?", "!", "'", "%", "+", "=", "#", "*",
};

typedef struct {
	int cols;    /* key units in a row */
	double unit; /* width of a one-unit key */
	int key_h, gap;
	guint shown; /* character keys on screen */
	int rows;    /* character rows; the function row comes under them */
} Geom;

static Geom geom(BoothUi *ui, int width)
{
	Geom g;
	int min = ui_target_px(ui);
	g.gap = MAX(4, ui_px(ui, 10));
	g.key_h = MAX(min, ui_px(ui, 88));
	/* +1: rounding a key's edges must never lose the pixel that makes
	 * it 15 mm; 7 columns at least, for the function row */
	g.cols = CLAMP((width + g.gap) / (min + 1 + g.gap), 7, 10);
	g.unit = (double)(width - (g.cols - 1) * g.gap) / g.cols;
	g.shown = g.cols >= 10 ? PAGE_KEYS : PAGE_CORE;
	g.rows = ((int)g.shown + g.cols - 1) / g.cols;
	return g;
}

int ui_kb_keys_height(BoothUi *ui, int width)
{
	Geom g = geom(ui, width);
	return (g.rows + 1) * g.key_h + g.rows * g.gap;
}

int ui_kb_field_height(BoothUi *ui)
{
	return MAX(ui_target_px(ui), ui_px(ui, 88));
}

/* A key spanning units [u0, u0 + len) of a row. */
static SDL_Rect cell(const Geom *g, SDL_Rect area, int row, double u0, double len)
{
	double step = g->unit + g->gap;
	int x0 = (int)lround(area.x + u0 * step), x1 = (int)lround(area.x + (u0 + len) * step - g->gap);
	return (SDL_Rect){x0, area.y + row * (g->key_h + g->gap), x1 - x0, g->key_h};
}

static const char *const *page_keys(BoothUi *ui)
{
	switch (ui->kb_page) {
	case KB_ACCENTS:
		return accents;
	case KB_SYMBOLS:
		return symbols;
	default:
		return g_strcmp0(ui->language, "fr") == 0 ? azerty : qwerty;
	}
}

/* An arrow up: Shift. */
static void shift_icon(BoothUi *ui, SDL_Rect r, SDL_Color c)
{
	float cx = r.x + r.w / 2.0f, cy = r.y + r.h / 2.0f, s = MIN(r.w, r.h) * 0.36f;
	/* a fan from the tip covers this shape exactly */
	SDL_FPoint p[] = {
		{cx, cy - 0.55f * s},
		{cx + 0.5f * s, cy},
		{cx + 0.2f * s, cy},
		{cx + 0.2f * s, cy + 0.5f * s},
		{cx - 0.2f * s, cy + 0.5f * s},
		{cx - 0.2f * s, cy},
		{cx - 0.5f * s, cy},
	};
	ui_polygon(ui, p, G_N_ELEMENTS(p), c);
}

static void thick_line(BoothUi *ui, float x0, float y0, float x1, float y1, float w, SDL_Color c)
{
	float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
	float nx = -dy / len * w / 2, ny = dx / len * w / 2;
	SDL_FPoint p[] = {{x0 + nx, y0 + ny}, {x1 + nx, y1 + ny}, {x1 - nx, y1 - ny}, {x0 - nx, y0 - ny}};
	ui_polygon(ui, p, G_N_ELEMENTS(p), c);
}

/* A key-top pointing left with a cross: Backspace. */
static void backspace_icon(BoothUi *ui, SDL_Rect r, SDL_Color ink, SDL_Color key)
{
	float cx = r.x + r.w / 2.0f, cy = r.y + r.h / 2.0f, s = MIN(r.w, r.h) * 0.34f;
	SDL_FPoint p[] = {
		{cx - 0.75f * s, cy},
		{cx - 0.3f * s, cy - 0.5f * s},
		{cx + 0.75f * s, cy - 0.5f * s},
		{cx + 0.75f * s, cy + 0.5f * s},
		{cx - 0.3f * s, cy + 0.5f * s},
	};
	ui_polygon(ui, p, G_N_ELEMENTS(p), ink);
	float x = cx + 0.2f * s, d = 0.2f * s, w = MAX(2.0f, 0.11f * s);
	thick_line(ui, x - d, cy - d, x + d, cy + d, w, key);
	thick_line(ui, x - d, cy + d, x + d, cy - d, w, key);
}

void ui_kb_draw_keys(BoothUi *ui, SDL_Rect area)
{
	const UiTheme *t = ui_theme(ui);
	Geom g = geom(ui, area.w);
	const char *const *keys = page_keys(ui);
	gboolean letters = ui->kb_page != KB_SYMBOLS;
	for (guint i = 0; i < g.shown; i++) {
		int row = (int)i / g.cols, col = (int)i % g.cols;
		int in_row = MIN(g.cols, (int)g.shown - row * g.cols);
		SDL_Rect r = cell(&g, area, row, (g.cols - in_row) / 2.0 + col, 1);
		g_autofree char *upper = ui->kb_shift && letters ? g_utf8_strup(keys[i], -1) : NULL;
		ui_key(ui, r, upper ? upper : keys[i], FONT_TITLE, BTN_SECONDARY, FALSE, BOOTH_UI_KEY_CHAR, keys[i]);
	}

	/* the function row: [page] [shift] [page] [ space ] [backspace] */
	int row = g.rows;
	BoothUiKey a = ui->kb_page == KB_SYMBOLS ? BOOTH_UI_KEY_LETTERS : BOOTH_UI_KEY_SYMBOLS;
	BoothUiKey b = ui->kb_page == KB_ACCENTS ? BOOTH_UI_KEY_LETTERS : BOOTH_UI_KEY_ACCENTS;
	const char *label_a = ui_tr(ui, a == BOOTH_UI_KEY_LETTERS ? "ui.chat.letters" : "ui.chat.symbols");
	const char *label_b = ui_tr(ui, b == BOOTH_UI_KEY_LETTERS ? "ui.chat.letters" : "ui.chat.accents");
	double space = g.cols - 6;
	ui_key(ui, cell(&g, area, row, 0, 1.5), label_a, FONT_BUTTON, BTN_QUIET, FALSE, a, NULL);
	SDL_Rect shift = cell(&g, area, row, 1.5, 1);
	ui_key(ui, shift, "", FONT_BUTTON, BTN_QUIET, ui->kb_shift, BOOTH_UI_KEY_SHIFT, NULL);
	shift_icon(ui, shift, t->ink);
	ui_key(ui, cell(&g, area, row, 2.5, 1.5), label_b, FONT_BUTTON, BTN_QUIET, FALSE, b, NULL);
	ui_key(ui, cell(&g, area, row, 4, space), ui_tr(ui, "ui.chat.space"), FONT_BUTTON, BTN_SECONDARY, FALSE,
	       BOOTH_UI_KEY_SPACE, NULL);
	SDL_Rect bs = cell(&g, area, row, 4 + space, 2);
	ui_key(ui, bs, "", FONT_BUTTON, BTN_QUIET, FALSE, BOOTH_UI_KEY_BACKSPACE, NULL);
	backspace_icon(ui, bs, t->ink, t->bg);
}

/* Width of draft[from, to), measured in place (no copy of the draft). */
static int draft_width(BoothUi *ui, TTF_Font *f, gsize from, gsize to)
{
	char keep = ui->draft[to];
	int w = 0, h = 0;
	ui->draft[to] = '\0';
	if (TTF_SizeUTF8(f, ui->draft + from, &w, &h) != 0)
		w = 0;
	ui->draft[to] = keep;
	return w;
}

/* Where the draft's lines start at width w: words move down whole, a word
 * longer than a line is cut between characters. Recomputed only when the
 * draft changes. */
static void wrap_draft(BoothUi *ui, TTF_Font *f, int w)
{
	if (ui->lines_gen == ui->draft_gen && ui->lines_w == w && ui->lines_font == f && ui->draft_lines->len)
		return;
	ui->lines_gen = ui->draft_gen;
	ui->lines_w = w;
	ui->lines_font = f;
	g_array_set_size(ui->draft_lines, 0);
	const char *d = ui->draft;
	gsize len = ui->draft_len, start = 0, i = 0;
	g_array_append_val(ui->draft_lines, start);
	while (i < len) {
		gsize word_end = i;
		while (word_end < len && d[word_end] != ' ')
			word_end++;
		if (draft_width(ui, f, start, word_end) <= w) {
			for (i = word_end; i < len && d[i] == ' '; i++)
				;
			continue;
		}
		if (i > start) { /* the word starts the next line */
			start = i;
			g_array_append_val(ui->draft_lines, start);
			continue;
		}
		gsize cut = start;
		for (gsize p = start; p < word_end;) {
			gsize next = g_utf8_next_char(d + p) - d;
			if (draft_width(ui, f, start, next) > w)
				break;
			cut = p = next;
		}
		if (cut == start)
			cut = g_utf8_next_char(d + start) - d;
		start = i = cut;
		g_array_append_val(ui->draft_lines, start);
	}
}

void ui_kb_draw_field(BoothUi *ui, SDL_Rect row)
{
	const UiTheme *t = ui_theme(ui);
	int gap = MAX(4, ui_px(ui, 10));
	const char *send = ui_tr(ui, "ui.chat.send"), *close = ui_tr(ui, "ui.chat.close");
	int send_w = CLAMP(ui_text_width(ui, FONT_BUTTON, TRUE, send) + 2 * ui_px(ui, 30), row.h, row.w / 3);
	int close_w = CLAMP(ui_text_width(ui, FONT_BUTTON, FALSE, close) + 2 * ui_px(ui, 24), row.h, row.w / 4);
	SDL_Rect field = {row.x, row.y, row.w - send_w - close_w - 2 * gap, row.h};
	int radius = ui_px(ui, 14), pad = MAX(6, ui_px(ui, 16));
	ui_round_rect(ui, field, radius, t->surface);
	ui_round_frame(ui, field, radius, 2 * t->border_px, t->primary);

	SDL_Rect in = {field.x + pad, field.y + pad / 2, field.w - 2 * pad, field.h - pad};
	TTF_Font *f = ui_font(ui, FONT_BODY, FALSE);
	int caret_w = MAX(2, ui_px(ui, 3));
	if (f == NULL || ui->draft == NULL)
		return;
	int skip = MAX(1, TTF_FontLineSkip(f)), fh = TTF_FontHeight(f);
	if (ui->drawn_draft_gen != ui->draft_gen) {
		/* only the draft on screen has a texture */
		ui_text_cache_drop_private(ui);
		ui->drawn_draft_gen = ui->draft_gen;
	}
	ui_clip(ui, &field);
	if (ui->draft_len == 0) {
		int y = in.y + (in.h - fh) / 2;
		SDL_Rect caret = {in.x, y, caret_w, fh};
		ui_round_rect(ui, caret, 0, t->primary);
		ui_text(ui, FONT_BODY, FALSE, ui_tr(ui, "ui.chat.placeholder"),
			(SDL_Rect){in.x + 3 * caret_w, y, in.w - 3 * caret_w, fh}, -1, FALSE, t->muted_ink);
	} else {
		wrap_draft(ui, f, in.w - 2 * caret_w);
		guint n = ui->draft_lines->len, visible = MAX(1, MIN(n, (guint)(in.h / skip)));
		int y = in.y + (in.h - (int)visible * skip) / 2;
		ui->text_private = TRUE;
		for (guint l = n - visible; l < n; l++, y += skip) {
			gsize from = g_array_index(ui->draft_lines, gsize, l);
			gsize to = l + 1 < n ? g_array_index(ui->draft_lines, gsize, l + 1) : ui->draft_len;
			gsize shown = to;
			while (shown > from && ui->draft[shown - 1] == ' ')
				shown--; /* a line's trailing spaces are not drawn */
			if (shown > from) {
				char keep = ui->draft[shown];
				ui->draft[shown] = '\0';
				ui_text(ui, FONT_BODY, FALSE, ui->draft + from, (SDL_Rect){in.x, y, in.w, skip}, -1,
					FALSE, t->ink);
				ui->draft[shown] = keep;
			}
			if (l + 1 == n) {
				int x = in.x + MIN(draft_width(ui, f, from, to), in.w - caret_w);
				ui_round_rect(ui, (SDL_Rect){x + 1, y + (skip - fh) / 2, caret_w, fh}, 0, t->primary);
			}
		}
		ui->text_private = FALSE;
	}
	ui_clip(ui, NULL);

	SDL_Rect s = {field.x + field.w + gap, row.y, send_w, row.h};
	ui_key(ui, s, send, FONT_BUTTON, BTN_PRIMARY, FALSE, BOOTH_UI_KEY_SEND, NULL);
	SDL_Rect c = {s.x + s.w + gap, row.y, close_w, row.h};
	ui_key(ui, c, close, FONT_BUTTON, BTN_SECONDARY, FALSE, BOOTH_UI_KEY_CLOSE, NULL);
}
