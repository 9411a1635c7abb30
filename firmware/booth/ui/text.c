/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text on the screen: fonts at the current text size, the cache of rendered
 * texts, the catalogs' words and times in words. Drawn with draw.h only. */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/text.h"
#include "relais-config.h"

#include <string.h>

/* --- fonts and text ------------------------------------------------------ */

static const char *const font_candidates[2][3] = {
	/* fonts-noto-core when present (wider script coverage), else
	 * fonts-dejavu-core, which the image always installs */
	{"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	 NULL},
	{"/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
	 NULL},
};

char *ui_find_font(const char *configured, int bold, GError **error)
{
	if (configured) {
		if (g_file_test(configured, G_FILE_TEST_IS_REGULAR))
			return g_strdup(configured);
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_FONT, "font %s not found", configured);
		return NULL;
	}
	for (const char *const *p = font_candidates[bold]; *p; p++)
		if (g_file_test(*p, G_FILE_TEST_IS_REGULAR))
			return g_strdup(*p);
	g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_FONT,
		    "no UI font: install fonts-dejavu-core (looked for %s and %s)", font_candidates[bold][0],
		    font_candidates[bold][1]);
	return NULL;
}

static const double font_base[N_FONT_ROLES] = {21, 27, 29, 42, 96};

static TTF_Font *font_get(BoothUi *ui, UiFontRole role, gboolean bold)
{
	double scale = ui->large_text ? 1.3 : 1.0;
	int px = MAX(10, ui_px(ui, font_base[role] * scale));
	gpointer key = GINT_TO_POINTER((bold ? 1 << 16 : 0) | px);
	TTF_Font *f = g_hash_table_lookup(ui->fonts, key);
	if (f == NULL) {
		/* Opened at booth_ui_new() already for one size: a failure here
		 * would be memory; draw nothing rather than abort a kiosk. */
		f = TTF_OpenFont(ui->font_paths[bold ? 1 : 0], px);
		if (f == NULL) {
			g_warning("font %s at %d px: %s", ui->font_paths[bold ? 1 : 0], px, TTF_GetError());
			return NULL;
		}
		TTF_SetFontWrappedAlign(f, TTF_WRAPPED_ALIGN_CENTER);
		g_hash_table_insert(ui->fonts, key, f);
	}
	return f;
}

TTF_Font *ui_font(BoothUi *ui, UiFontRole role, gboolean bold)
{
	return font_get(ui, role, bold);
}

static SDL_Surface *text_surface(BoothUi *ui, UiFontRole role, gboolean bold, const char *text, int wrap_w, int align,
				 SDL_Color c)
{
	TTF_Font *f = font_get(ui, role, bold);
	if (f == NULL || text == NULL || *text == '\0')
		return NULL;
	TTF_SetFontWrappedAlign(f, align < 0   ? TTF_WRAPPED_ALIGN_LEFT
				   : align > 0 ? TTF_WRAPPED_ALIGN_RIGHT
					       : TTF_WRAPPED_ALIGN_CENTER);
	return TTF_RenderUTF8_Blended_Wrapped(f, text, c, (Uint32)MAX(wrap_w, 1));
}

int ui_text_width(BoothUi *ui, UiFontRole role, gboolean bold, const char *text)
{
	TTF_Font *f = font_get(ui, role, bold);
	int w = 0, h = 0;
	if (f == NULL || text == NULL || TTF_SizeUTF8(f, text, &w, &h) != 0)
		return 0;
	return w;
}

/* --- rendered text cache ---------------------------------------------------
 * Rendering text with FreeType costs far more than copying a texture, and a
 * screen shows the same texts frame after frame (video redraws 30 times a
 * second).
 * Each (font size, weight, wrap width, alignment, colour, string) is
 * rendered once into a texture. Heights asked for layout are cached the
 * same way, without a texture. Bounded LRU; flushed with the visitor
 * (chat is visitor data), and on a language, theme or text-size change. */

#define TEXT_CACHE_MAX_PIXELS (4u << 20) /* 16 MB of ARGB */

struct _UiTextEntry {
	TTF_Font *font; /* one per size and weight, kept until booth_ui_free() */
	int wrap_w;
	gint8 bold, align, measure;
	guint32 rgba;
	char *text;
	gboolean private_; /* holds the draft */
	SDL_Texture *tex;  /* NULL: measure only */
	int w, h;
	guint64 render; /* the last render that asked for it */
	GList link;	/* in ui->text_lru */
};

static guint32 rgba(SDL_Color c)
{
	return (guint32)c.r << 24 | (guint32)c.g << 16 | (guint32)c.b << 8 | c.a;
}

static guint text_entry_hash(gconstpointer p)
{
	const UiTextEntry *e = p;
	guint h = g_str_hash(e->text);
	h = h * 31 + GPOINTER_TO_UINT(e->font);
	h = h * 31 + (guint)e->wrap_w;
	h = h * 31 + (guint)(e->bold << 2 | (e->align + 1) << 4 | e->measure);
	return h * 31 + e->rgba;
}

static gboolean text_entry_equal(gconstpointer pa, gconstpointer pb)
{
	const UiTextEntry *a = pa, *b = pb;
	return a->font == b->font && a->wrap_w == b->wrap_w && a->bold == b->bold && a->align == b->align &&
	       a->measure == b->measure && a->rgba == b->rgba && strcmp(a->text, b->text) == 0;
}

static void text_entry_drop(BoothUi *ui, UiTextEntry *e)
{
	g_hash_table_remove(ui->text_cache, e);
	g_queue_unlink(&ui->text_lru, &e->link);
	ui->text_pixels -= (gsize)e->w * e->h * (e->tex != NULL);
	if (e->tex)
		SDL_DestroyTexture(e->tex);
	memset(e->text, 0, strlen(e->text)); /* chat and draft are visitor data */
	g_free(e->text);
	g_free(e);
}

void ui_text_cache_flush(BoothUi *ui)
{
	while (ui->text_lru.head)
		text_entry_drop(ui, ui->text_lru.head->data);
}

void ui_text_cache_drop_unused(BoothUi *ui)
{
	for (GList *l = ui->text_lru.head; l;) {
		UiTextEntry *e = l->data;
		l = l->next;
		if (e->render != ui->text_render)
			text_entry_drop(ui, e);
	}
}

void ui_text_cache_drop_private(BoothUi *ui)
{
	for (GList *l = ui->text_lru.head; l;) {
		UiTextEntry *e = l->data;
		l = l->next;
		if (e->private_)
			text_entry_drop(ui, e);
	}
}

/* Returns: (transfer none) (nullable) the cached rendering of text;
 * measure: the size only. */
static UiTextEntry *text_get(BoothUi *ui, UiFontRole role, gboolean bold, const char *text, int wrap_w, int align,
			     SDL_Color c, gboolean measure)
{
	TTF_Font *f = font_get(ui, role, bold);
	if (f == NULL || text == NULL || *text == '\0')
		return NULL;
	UiTextEntry key = {
		.font = f,
		.wrap_w = MAX(wrap_w, 1),
		.bold = (gint8)(bold != FALSE),
		.align = (gint8)(measure ? 0 : CLAMP(align, -1, 1)),
		.measure = (gint8)(measure != FALSE),
		.rgba = measure ? 0 : rgba(c),
		.text = (char *)text,
	};
	UiTextEntry *e = g_hash_table_lookup(ui->text_cache, &key);
	if (e) {
		ui->stats.text_hits++;
		g_queue_unlink(&ui->text_lru, &e->link);
		g_queue_push_head_link(&ui->text_lru, &e->link);
		e->render = ui->text_render;
		return e;
	}
	ui->stats.text_misses++;
	g_autoptr(SDL_Surface) s = text_surface(ui, role, bold, text, wrap_w, key.align, c);
	if (s == NULL)
		return NULL;
	SDL_Texture *tex = NULL;
	if (!measure && (tex = SDL_CreateTextureFromSurface(ui->renderer, s)) == NULL)
		return NULL;
	e = g_new0(UiTextEntry, 1);
	*e = key;
	e->text = g_strdup(text);
	e->private_ = ui->text_private;
	e->tex = tex;
	e->w = s->w;
	e->h = s->h;
	e->render = ui->text_render;
	e->link.data = e;
	g_hash_table_add(ui->text_cache, e);
	g_queue_push_head_link(&ui->text_lru, &e->link);
	ui->text_pixels += (gsize)e->w * e->h * (tex != NULL);
	/* never the one just made: it is about to be drawn */
	while (ui->text_lru.length > 1 &&
	       (ui->text_lru.length > CONFIG_RELAIS_UI_TEXT_CACHE_ENTRIES || ui->text_pixels > TEXT_CACHE_MAX_PIXELS))
		text_entry_drop(ui, ui->text_lru.tail->data);
	return e;
}

int ui_text_height(BoothUi *ui, UiFontRole role, gboolean bold, const char *text, int wrap_w)
{
	UiTextEntry *e = text_get(ui, role, bold, text, wrap_w, 0, (SDL_Color){0, 0, 0, 255}, TRUE);
	return e ? e->h : 0;
}

int ui_text(BoothUi *ui, UiFontRole role, gboolean bold, const char *text, SDL_Rect r, int align,
	    gboolean valign_centre, SDL_Color c)
{
	UiTextEntry *e = text_get(ui, role, bold, text, r.w, align, c, FALSE);
	if (e == NULL)
		return 0;
	SDL_Rect d = {r.x, r.y, MIN(e->w, r.w), e->h};
	if (align == 0)
		d.x = r.x + (r.w - d.w) / 2;
	else if (align > 0)
		d.x = r.x + r.w - d.w;
	if (valign_centre)
		d.y = r.y + (r.h - d.h) / 2;
	SDL_Rect src = {0, 0, d.w, d.h};
	SDL_RenderCopy(ui->renderer, e->tex, &src, &d);
	return e->h;
}

const char *ui_tr_lang(BoothUi *ui, const char *language, const char *msgid)
{
	const RelaisCatalog *cat = language ? g_hash_table_lookup(ui->catalogs, language) : NULL;
	const char *s = relais_catalog_lookup(cat, msgid);
	if (s == NULL) /* gap in a catalog: the default language, then the id */
		s = relais_catalog_get(g_hash_table_lookup(ui->catalogs, ui->languages[0]), msgid);
	return s;
}

const char *ui_tr(BoothUi *ui, const char *msgid)
{
	return ui_tr_lang(ui, ui->language, msgid);
}

const char *booth_ui_tr(BoothUi *ui, const char *msgid)
{
	return ui_tr(ui, msgid);
}

/* --- times in words -------------------------------------------------------- */

/* Whether the printf conversions of `pattern` are exactly `convs` ('s' or
 * 'd' each, in order; "%%" aside): a catalog cannot make us read an argument
 * we did not pass. */
static gboolean pattern_ok(const char *pattern, const char *convs)
{
	for (const char *p = pattern; *p; p++) {
		if (*p != '%')
			continue;
		p++;
		if (*p == '%')
			continue;
		while (*p == '0' || *p == '-' || g_ascii_isdigit(*p))
			p++;
		if (*p != *convs || *p == '\0')
			return FALSE;
		convs++;
	}
	return *convs == '\0';
}

static const char *tr_pattern(BoothUi *ui, const char *language, const char *msgid, const char *convs,
			      const char *fallback)
{
	const char *s = ui_tr_lang(ui, language, msgid);
	return pattern_ok(s, convs) ? s : fallback;
}

char *booth_ui_format_when(BoothUi *ui, const char *language, const char *iso, GDateTime *now)
{
	/* an offset is required: "09:00" of which zone would be a guess */
	if (iso == NULL || strlen(iso) < 20 ||
	    !(g_str_has_suffix(iso, "Z") || strchr(iso + 19, '+') || strchr(iso + 19, '-')))
		return NULL;
	g_autoptr(GDateTime) when = g_date_time_new_from_iso8601(iso, NULL);
	if (when == NULL || g_date_time_compare(when, now) < 0)
		return NULL;
	/* days as the site counts them: `now` in the offset of `when` */
	g_autoptr(GTimeZone) tz = g_time_zone_new_offset(g_date_time_get_utc_offset(when) / G_TIME_SPAN_SECOND);
	g_autoptr(GDateTime) here = g_date_time_to_timezone(now, tz);
	if (tz == NULL || here == NULL)
		return NULL;
	g_autoptr(GDate) d_now = g_date_new_dmy(g_date_time_get_day_of_month(here), g_date_time_get_month(here),
						g_date_time_get_year(here));
	g_autoptr(GDate) d_when = g_date_new_dmy(g_date_time_get_day_of_month(when), g_date_time_get_month(when),
						 g_date_time_get_year(when));
	gint days = g_date_days_between(d_now, d_when);

	int weekday = g_date_time_get_day_of_week(when); /* 1 Monday .. 7 Sunday */
	g_autofree char *weekday_id = g_strdup_printf("ui.weekday.%d", weekday);
	const char *weekday_name = ui_tr_lang(ui, language, weekday_id);
	g_autofree char *day = NULL;
	if (days == 0)
		day = g_strdup(ui_tr_lang(ui, language, "ui.when.today"));
	else if (days == 1)
		day = g_strdup(ui_tr_lang(ui, language, "ui.when.tomorrow"));
	else if (days < 7)
		day = g_strdup(weekday_name);
	else
		day = g_strdup_printf(tr_pattern(ui, language, "ui.when.date", "sdd", "%s %d/%02d"), weekday_name,
				      g_date_time_get_day_of_month(when), g_date_time_get_month(when));

	int hour = g_date_time_get_hour(when), minute = g_date_time_get_minute(when);
	/* "12": a 12-hour clock with am/pm patterns; otherwise 0..23 */
	gboolean twelve = g_strcmp0(ui_tr_lang(ui, language, "ui.when.clock"), "12") == 0;
	const char *time_id = twelve && hour >= 12 ? "ui.when.time.pm" : "ui.when.time.am";
	int shown_hour = twelve ? (hour % 12 == 0 ? 12 : hour % 12) : hour;
	g_autofree char *time = g_strdup_printf(tr_pattern(ui, language, time_id, "dd", "%d:%02d"), shown_hour, minute);
	return g_strdup_printf(tr_pattern(ui, language, "ui.when.pattern", "ss", "%s %s"), day, time);
}

/* --- presentation toggles -------------------------------------------------- */

void ui_set_toggles(BoothUi *ui, gboolean high_contrast, gboolean large_text)
{
	high_contrast = high_contrast != FALSE;
	large_text = large_text != FALSE;
	if (high_contrast == ui->high_contrast && large_text == ui->large_text)
		return;
	ui->high_contrast = high_contrast;
	ui->large_text = large_text;
	/* every text changes colour or size: the old ones would only linger */
	ui_text_cache_flush(ui);
	ui->dirty = TRUE;
}

void ui_text_init(BoothUi *ui)
{
	ui->text_cache = g_hash_table_new(text_entry_hash, text_entry_equal);
	g_queue_init(&ui->text_lru);
	ui->fonts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)TTF_CloseFont);
}

void ui_text_destroy(BoothUi *ui)
{
	ui_text_cache_flush(ui); /* before the renderer and the fonts go */
	g_hash_table_destroy(ui->text_cache);
	g_hash_table_destroy(ui->fonts);
}
