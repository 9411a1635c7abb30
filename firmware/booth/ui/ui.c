/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/ui-private.h"
#include "relais-config.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK(booth - ui - error - quark, booth_ui_error)

/* Calm and friendly: warm paper background, deep teal for the one thing to
 * do next, no red except to hang up. Contrast ratios >= 7:1 for text. */
static const UiTheme theme_calm = {
	.bg = {0xf6, 0xf3, 0xec, 0xff},
	.surface = {0xff, 0xff, 0xff, 0xff},
	.ink = {0x1b, 0x26, 0x30, 0xff},
	.muted_ink = {0x4a, 0x55, 0x5e, 0xff},
	.primary = {0x0b, 0x5f, 0x63, 0xff},
	.on_primary = {0xff, 0xff, 0xff, 0xff},
	.border = {0xc4, 0xcc, 0xc9, 0xff},
	.danger = {0xb3, 0x26, 0x1e, 0xff},
	.on_danger = {0xff, 0xff, 0xff, 0xff},
	.focus = {0xe0, 0x8a, 0x00, 0xff},
	.selected = {0xd9, 0xee, 0xea, 0xff},
	.video_bg = {0x22, 0x2b, 0x31, 0xff},
	.overlay = {0x10, 0x18, 0x1e, 0xc0},
	.border_px = 2,
};

static const UiTheme theme_contrast = {
	.bg = {0xff, 0xff, 0xff, 0xff},
	.surface = {0xff, 0xff, 0xff, 0xff},
	.ink = {0x00, 0x00, 0x00, 0xff},
	.muted_ink = {0x00, 0x00, 0x00, 0xff},
	.primary = {0x00, 0x00, 0x00, 0xff},
	.on_primary = {0xff, 0xff, 0xff, 0xff},
	.border = {0x00, 0x00, 0x00, 0xff},
	.danger = {0x9a, 0x00, 0x00, 0xff},
	.on_danger = {0xff, 0xff, 0xff, 0xff},
	.focus = {0x00, 0x4c, 0xff, 0xff},
	.selected = {0xff, 0xe6, 0x00, 0xff},
	.video_bg = {0x00, 0x00, 0x00, 0xff},
	.overlay = {0x00, 0x00, 0x00, 0xe0},
	.border_px = 4,
};

const UiTheme *ui_theme(BoothUi *ui)
{
	return ui->high_contrast ? &theme_contrast : &theme_calm;
}

/* Lengths are designed at 1280x800 and scaled by the shorter ratio, so a
 * layout fits 800x480 and 1920x1080 alike. */
int ui_px(BoothUi *ui, double base)
{
	double s = MIN(ui->w / 1280.0, ui->h / 800.0);
	return (int)lround(base * s);
}

int booth_ui_mm_to_px(BoothUi *ui, double mm)
{
	return (int)ceil(mm * ui->dpi / 25.4);
}

int ui_target_px(BoothUi *ui)
{
	return booth_ui_mm_to_px(ui, CONFIG_RELAIS_UI_MIN_TARGET_MM);
}

/* --- fonts and text ------------------------------------------------------ */

static const char *const font_candidates[2][3] = {
	/* fonts-noto-core when present (wider script coverage), else
	 * fonts-dejavu-core, which the image always installs */
	{"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	 NULL},
	{"/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
	 NULL},
};

static char *find_font(const char *configured, int bold, GError **error)
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
	GList link; /* in ui->text_lru */
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

/* --- shapes -------------------------------------------------------------- */

void ui_fill(BoothUi *ui, SDL_Color c)
{
	SDL_SetRenderDrawColor(ui->renderer, c.r, c.g, c.b, c.a);
	SDL_RenderClear(ui->renderer);
}

/* Opaque shapes are drawn without blending: the same pixels, and SDL's
 * software renderer then fills spans directly instead of blending each
 * triangle's bounding box through a temporary surface (10x faster). */
static void geometry(BoothUi *ui, SDL_Color c, const SDL_Vertex *v, int n, const int *idx, int m)
{
	SDL_SetRenderDrawBlendMode(ui->renderer, c.a == 0xff ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
	SDL_RenderGeometry(ui->renderer, NULL, v, n, idx, m);
}

/* A filled rounded rectangle (SDL2 has no rounded shapes): a triangle fan
 * through SDL_RenderGeometry when translucent, so that no pixel is blended
 * twice; plain fills and corner fans when opaque. */
void ui_round_rect(BoothUi *ui, SDL_Rect r, int radius, SDL_Color c)
{
	enum { SEG = 8 };
	SDL_Vertex v[4 * (SEG + 2)]; /* the larger of the two ways below */
	int idx[3 * (4 * (SEG + 1))];
	radius = MIN(radius, MIN(r.w, r.h) / 2);
	float cx[4] = {r.x + r.w - radius, r.x + radius, r.x + radius, r.x + r.w - radius};
	float cy[4] = {r.y + radius, r.y + radius, r.y + r.h - radius, r.y + r.h - radius};
	if (c.a == 0xff) {
		/* Opaque: the same outline as one fan, but the body as two
		 * rectangles (plain fills) and only the corners as fans, each
		 * from its own centre: most of the area then costs a memset
		 * in the software renderer, not a triangle walk. */
		SDL_Rect across = {r.x, r.y + radius, r.w, r.h - 2 * radius};
		SDL_Rect down = {r.x + radius, r.y, r.w - 2 * radius, r.h};
		SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_NONE);
		SDL_SetRenderDrawColor(ui->renderer, c.r, c.g, c.b, c.a);
		SDL_RenderFillRect(ui->renderer, &across);
		SDL_RenderFillRect(ui->renderer, &down);
		if (radius <= 0)
			return;
		int n = 0, m = 0;
		for (int k = 0; k < 4; k++) {
			int centre = n;
			v[n++] = (SDL_Vertex){{cx[k], cy[k]}, c, {0, 0}};
			for (int i = 0; i <= SEG; i++) {
				double a = (k * 90.0 + i * 90.0 / SEG) * G_PI / 180.0;
				v[n++] = (SDL_Vertex){
					{cx[k] + radius * (float)cos(a), cy[k] - radius * (float)sin(a)}, c, {0, 0}};
				if (i > 0) {
					idx[m++] = centre;
					idx[m++] = n - 2;
					idx[m++] = n - 1;
				}
			}
		}
		SDL_RenderGeometry(ui->renderer, NULL, v, n, idx, m);
		return;
	}
	int n = 0;
	v[n++] = (SDL_Vertex){{r.x + r.w / 2.0f, r.y + r.h / 2.0f}, c, {0, 0}};
	for (int k = 0; k < 4; k++)
		for (int i = 0; i <= SEG; i++) {
			double a = (k * 90.0 + i * 90.0 / SEG) * G_PI / 180.0;
			v[n++] = (SDL_Vertex){
				{cx[k] + radius * (float)cos(a), cy[k] - radius * (float)sin(a)}, c, {0, 0}};
		}
	int m = 0;
	for (int i = 1; i < n; i++) {
		idx[m++] = 0;
		idx[m++] = i;
		idx[m++] = i + 1 < n ? i + 1 : 1;
	}
	geometry(ui, c, v, n, idx, m);
}

void ui_round_frame(BoothUi *ui, SDL_Rect r, int radius, int width, SDL_Color c)
{
	/* outline = outer shape minus inner shape; drawn as four bands so that
	 * what is inside stays untouched */
	for (int i = 0; i < width; i++) {
		SDL_Rect o = {r.x + i, r.y + i, r.w - 2 * i, r.h - 2 * i};
		int rad = MAX(radius - i, 0);
		SDL_SetRenderDrawColor(ui->renderer, c.r, c.g, c.b, c.a);
		SDL_RenderDrawLine(ui->renderer, o.x + rad, o.y, o.x + o.w - 1 - rad, o.y);
		SDL_RenderDrawLine(ui->renderer, o.x + rad, o.y + o.h - 1, o.x + o.w - 1 - rad, o.y + o.h - 1);
		SDL_RenderDrawLine(ui->renderer, o.x, o.y + rad, o.x, o.y + o.h - 1 - rad);
		SDL_RenderDrawLine(ui->renderer, o.x + o.w - 1, o.y + rad, o.x + o.w - 1, o.y + o.h - 1 - rad);
		int steps = MAX(8, rad * 2);
		for (int s = 0; s <= steps && rad > 0; s++) {
			double a = s * (G_PI / 2) / steps;
			int dx = (int)lround(rad * cos(a)), dy = (int)lround(rad * sin(a));
			SDL_RenderDrawPoint(ui->renderer, o.x + o.w - 1 - rad + dx, o.y + rad - dy);
			SDL_RenderDrawPoint(ui->renderer, o.x + rad - dx, o.y + rad - dy);
			SDL_RenderDrawPoint(ui->renderer, o.x + rad - dx, o.y + o.h - 1 - rad + dy);
			SDL_RenderDrawPoint(ui->renderer, o.x + o.w - 1 - rad + dx, o.y + o.h - 1 - rad + dy);
		}
	}
}

void ui_circle(BoothUi *ui, float cx, float cy, float radius, SDL_Color c)
{
	enum { SEG = 48 };
	SDL_Vertex v[SEG + 1];
	int idx[3 * SEG];
	v[0] = (SDL_Vertex){{cx, cy}, c, {0, 0}};
	for (int i = 0; i < SEG; i++) {
		double a = i * 2 * G_PI / SEG;
		v[i + 1] = (SDL_Vertex){{cx + radius * (float)cos(a), cy + radius * (float)sin(a)}, c, {0, 0}};
		idx[3 * i] = 0;
		idx[3 * i + 1] = i + 1;
		idx[3 * i + 2] = i + 1 < SEG ? i + 2 : 1;
	}
	geometry(ui, c, v, SEG + 1, idx, 3 * SEG);
}

void ui_polygon(BoothUi *ui, const SDL_FPoint *p, int n, SDL_Color c)
{
	enum { MAX_POINTS = 16 };
	SDL_Vertex v[MAX_POINTS];
	int idx[3 * MAX_POINTS];
	n = MIN(n, MAX_POINTS);
	for (int i = 0; i < n; i++)
		v[i] = (SDL_Vertex){p[i], c, {0, 0}};
	int m = 0;
	for (int i = 1; i + 1 < n; i++) {
		idx[m++] = 0;
		idx[m++] = i;
		idx[m++] = i + 1;
	}
	geometry(ui, c, v, n, idx, m);
}

/* --- targets and buttons ------------------------------------------------- */

void ui_add_target(BoothUi *ui, SDL_Rect r, UiTargetKind kind, RelaisJourneyEvent ev, gboolean focusable)
{
	UiTarget t = {r, kind, ev, focusable, 0, NULL};
	g_array_append_val(ui->targets, t);
}

static gboolean is_focused(BoothUi *ui, guint index)
{
	return ui->focus >= 0 && (guint)ui->focus == index;
}

/* The button's look; its target is ui->targets[index]. */
static void draw_button(BoothUi *ui, SDL_Rect r, const char *label, UiFontRole font, UiButtonStyle style,
			gboolean selected, guint index)
{
	const UiTheme *t = ui_theme(ui);
	int radius = ui_px(ui, 18);
	SDL_Color fill = t->surface, ink = t->ink, edge = t->border;
	switch (style) {
	case BTN_PRIMARY:
		fill = t->primary, ink = t->on_primary, edge = t->primary;
		break;
	case BTN_DANGER:
		fill = t->danger, ink = t->on_danger, edge = t->danger;
		break;
	case BTN_QUIET:
		fill = t->bg, edge = t->border;
		break;
	default:
		break;
	}
	if (selected)
		fill = t->selected, ink = t->ink, edge = t->primary;
	if (is_focused(ui, index)) {
		int f = MAX(3, ui_px(ui, 5));
		SDL_Rect ring = {r.x - 2 * f, r.y - 2 * f, r.w + 4 * f, r.h + 4 * f};
		ui_round_rect(ui, ring, radius + 2 * f, t->focus);
		SDL_Rect gap = {r.x - f, r.y - f, r.w + 2 * f, r.h + 2 * f};
		ui_round_rect(ui, gap, radius + f, t->bg);
	}
	ui_round_rect(ui, r, radius, fill);
	ui_round_frame(ui, r, radius, selected ? t->border_px * 2 : t->border_px, edge);
	SDL_Rect inner = {r.x + ui_px(ui, 14), r.y, r.w - 2 * ui_px(ui, 14), r.h};
	gboolean bold = font == FONT_BUTTON && (style == BTN_PRIMARY || style == BTN_DANGER || selected);
	ui_text(ui, font, bold, label, inner, 0, TRUE, ink);
}

void ui_button(BoothUi *ui, SDL_Rect r, const char *label, UiButtonStyle style, gboolean selected, UiTargetKind kind,
	       RelaisJourneyEvent ev)
{
	guint index = ui->targets->len;
	ui_add_target(ui, r, kind, ev, TRUE);
	draw_button(ui, r, label, FONT_BUTTON, style, selected, index);
}

void ui_button_face(BoothUi *ui, SDL_Rect r, const char *label, UiButtonStyle style, guint index)
{
	draw_button(ui, r, label, FONT_BUTTON, style, FALSE, index);
}

void ui_key(BoothUi *ui, SDL_Rect r, const char *label, UiFontRole font, UiButtonStyle style, gboolean selected,
	    BoothUiKey key, const char *text)
{
	guint index = ui->targets->len;
	UiTarget t = {r, TARGET_KEY, {RELAIS_JOURNEY_N_EVENTS}, TRUE, key, text};
	g_array_append_val(ui->targets, t);
	draw_button(ui, r, label, font, style, selected, index);
}

/* --- life cycle ---------------------------------------------------------- */

static void chat_clear(BoothUi *ui)
{
	for (guint i = 0; i < ui->n_chat; i++) {
		char *text = (char *)ui->chat[i].text;
		memset(text, 0, strlen(text)); /* visitor data */
		g_free(text);
	}
	ui->n_chat = 0;
}

BoothUi *booth_ui_new(const BoothUiConfig *config, GError **error)
{
	g_return_val_if_fail(config != NULL && config->questions != NULL, NULL);
	g_autoptr(BoothUi) ui = g_new0(BoothUi, 1);
	ui->w = config->width ? config->width : CONFIG_RELAIS_UI_WIDTH;
	ui->h = config->height ? config->height : CONFIG_RELAIS_UI_HEIGHT;
	ui->dpi = config->dpi ? config->dpi : CONFIG_RELAIS_UI_DPI;
	ui->default_contrast = ui->high_contrast = config->high_contrast;
	ui->default_large = ui->large_text = config->large_text;
	ui->questions = config->questions;
	ui->targets = g_array_new(FALSE, TRUE, sizeof(UiTarget));
	ui->focus = -1;
	ui->focus_want = -1;
	ui->escape.type = RELAIS_JOURNEY_N_EVENTS;
	ui->dirty = TRUE;
	ui->fixed_time_us = -1;
	ui->text_cache = g_hash_table_new(text_entry_hash, text_entry_equal);
	ui->draft_lines = g_array_new(FALSE, FALSE, sizeof(gsize));
	g_queue_init(&ui->text_lru);
	ui->fonts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)TTF_CloseFont);
	ui->catalogs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)relais_catalog_free);
	if (config->languages)
		ui->languages = g_strdupv((char **)config->languages);
	else
		ui->languages = g_strsplit_set(CONFIG_RELAIS_UI_LANGUAGES, " ", -1);
	if (ui->languages[0] == NULL || *ui->languages[0] == '\0') {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_CATALOG, "no language configured");
		return NULL;
	}
	ui->language = g_strdup(ui->languages[0]);
	ui->view.state = RELAIS_JOURNEY_ATTRACT;
	ui->view.language = ui->language;
	ui->drawn_state = RELAIS_JOURNEY_N_STATES;

	const char *locale_dir = config->locale_dir ? config->locale_dir : CONFIG_RELAIS_UI_LOCALE_DIR;
	for (char **l = ui->languages; *l; l++) {
		RelaisCatalog *cat = relais_catalog_load(locale_dir, *l, error);
		if (cat == NULL)
			return NULL;
		g_hash_table_insert(ui->catalogs, g_strdup(*l), cat);
	}

	if (!(ui->font_paths[0] = find_font(config->font_regular, 0, error)) ||
	    !(ui->font_paths[1] = find_font(config->font_bold, 1, error)))
		return NULL;

	/* Touch is handled as touch: without this hint SDL also synthesises
	 * mouse events and every tap would act twice. */
	SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
	if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "SDL video (%s): %s",
			    g_getenv("SDL_VIDEODRIVER") ? g_getenv("SDL_VIDEODRIVER") : "default driver",
			    SDL_GetError());
		return NULL;
	}
	if (TTF_Init() != 0) {
		SDL_QuitSubSystem(SDL_INIT_VIDEO);
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_FONT, "SDL_ttf: %s", TTF_GetError());
		return NULL;
	}
	/* Headless (tests, screenshots, benchmarks): nobody sees the pixels,
	 * so draw in software straight into the window's memory; an
	 * "accelerated" renderer there is a GPU emulated on the CPU, and the
	 * default window framebuffer goes through one too (6 ms a frame). */
	const char *driver = SDL_GetCurrentVideoDriver();
	gboolean headless = g_strcmp0(driver, "offscreen") == 0 || g_strcmp0(driver, "dummy") == 0;
	gboolean software = config->software || headless;
	if (headless)
		SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
	ui->window = SDL_CreateWindow("Relais", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, ui->w, ui->h,
				      config->fullscreen ? SDL_WINDOW_FULLSCREEN : 0);
	if (ui->window)
		ui->renderer = SDL_CreateRenderer(ui->window, -1,
						  software ? SDL_RENDERER_SOFTWARE
							   : SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
	if (ui->renderer == NULL && ui->window && !software) /* no GPU: still usable */
		ui->renderer = SDL_CreateRenderer(ui->window, -1, SDL_RENDERER_SOFTWARE);
	if (ui->renderer == NULL) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "SDL window %dx%d: %s", ui->w, ui->h,
			    SDL_GetError());
		return NULL;
	}
	/* one size now, so that a broken font file fails here, clearly */
	if (font_get(ui, FONT_BODY, FALSE) == NULL || font_get(ui, FONT_BODY, TRUE) == NULL) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_FONT, "cannot open font %s: %s", ui->font_paths[0],
			    TTF_GetError());
		return NULL;
	}
	ui->last_input_us = g_get_monotonic_time();
	return g_steal_pointer(&ui);
}

static void booking_clear(BoothUi *ui);

void booth_ui_free(BoothUi *ui)
{
	if (ui == NULL)
		return;
	if (ui->source_id) {
		GSource *s = g_main_context_find_source_by_id(ui->context, ui->source_id);
		if (s)
			g_source_destroy(s);
	}
	g_clear_pointer(&ui->context, g_main_context_unref);
	ui_kb_reset(ui);
	ui_doc_clear(ui);
	ui_video_destroy(ui);
	ui_text_cache_flush(ui); /* before the renderer and the fonts go */
	g_hash_table_destroy(ui->text_cache);
	g_array_unref(ui->draft_lines);
	g_hash_table_destroy(ui->fonts);
	g_hash_table_destroy(ui->catalogs);
	chat_clear(ui);
	g_free(ui->language);
	g_free(ui->answer);
	g_free(ui->next_opening);
	g_free(ui->fault);
	booking_clear(ui);
	g_strfreev(ui->languages);
	g_free(ui->font_paths[0]);
	g_free(ui->font_paths[1]);
	g_array_unref(ui->targets);
	gboolean inited = ui->window != NULL;
	if (ui->renderer)
		SDL_DestroyRenderer(ui->renderer);
	if (ui->window)
		SDL_DestroyWindow(ui->window);
	if (inited) {
		TTF_Quit();
		SDL_QuitSubSystem(SDL_INIT_VIDEO);
	}
	g_free(ui);
}

void booth_ui_set_event_func(BoothUi *ui, BoothUiEventFunc func, gpointer user_data)
{
	ui->func = func;
	ui->func_data = user_data;
}

void booth_ui_view_from_journey(BoothUiView *view, const RelaisJourney *j)
{
	view->state = relais_journey_get_state(j);
	view->language = relais_journey_get_language(j);
	view->question = relais_journey_get_question_index(j);
	view->answer = relais_journey_get_answer(j, view->question);
	view->muted = relais_journey_get_muted(j);
	view->camera_off = relais_journey_get_camera_off(j);
	view->volume = relais_journey_get_volume(j);
	view->reconnecting = relais_journey_get_link_down(j);
	view->next_opening = relais_journey_get_next_opening(j);
	view->fault = relais_journey_get_fault(j);
	view->n_slots = relais_journey_get_n_slots(j);
	view->slot = relais_journey_get_slot(j);
	view->code = relais_journey_get_code(j);
	view->booking_error = relais_journey_get_booking_error(j);
	view->booking_pending = relais_journey_get_booking_pending(j);
	view->booked = relais_journey_get_booked(j);
	/* a site with opening hours: its slots can be booked */
	view->can_book = view->next_opening != NULL;
}

static void replace(char **slot, const char *s)
{
	char *old = *slot;
	*slot = g_strdup(s);
	g_free(old);
}

/* The booking code is the visitor's: erased, not only freed. */
static void booking_clear(BoothUi *ui)
{
	if (ui->bk_code)
		memset(ui->bk_code, 0, strlen(ui->bk_code));
	g_clear_pointer(&ui->bk_code, g_free);
	g_clear_pointer(&ui->bk_slots, g_strfreev);
	g_clear_pointer(&ui->bk_start, g_free);
	g_clear_pointer(&ui->bk_when, g_free);
	g_clear_pointer(&ui->bk_site, g_free);
	g_clear_pointer(&ui->bk_error, g_free);
	g_clear_pointer(&ui->bk_retry, g_free);
}

static gboolean booking_same(BoothUi *ui, const BoothUiView *v)
{
	const BoothUiView *c = &ui->view;
	int n = MAX(v->n_slots, 0);
	if (v->n_slots != c->n_slots || v->slot != c->slot || !v->booking_pending != !c->booking_pending ||
	    !v->can_book != !c->can_book || !v->booked != !c->booked || g_strcmp0(v->code, ui->bk_code) != 0 ||
	    g_strcmp0(v->booking_start, ui->bk_start) != 0 || g_strcmp0(v->booking_when, ui->bk_when) != 0 ||
	    g_strcmp0(v->booking_site, ui->bk_site) != 0 || g_strcmp0(v->booking_error, ui->bk_error) != 0 ||
	    g_strcmp0(v->booking_retry, ui->bk_retry) != 0)
		return FALSE;
	guint have = ui->bk_slots ? g_strv_length(ui->bk_slots) : 0;
	if ((guint)(v->slots ? n : 0) != have)
		return FALSE;
	for (guint i = 0; i < have; i++)
		if (g_strcmp0(v->slots[i], ui->bk_slots[i]) != 0)
			return FALSE;
	return TRUE;
}

static void booking_copy(BoothUi *ui, const BoothUiView *v)
{
	booking_clear(ui);
	if (v->slots && v->n_slots > 0) {
		ui->bk_slots = g_new0(char *, v->n_slots + 1);
		for (int i = 0; i < v->n_slots; i++)
			ui->bk_slots[i] = g_strdup(v->slots[i] ? v->slots[i] : "");
	}
	ui->bk_code = g_strdup(v->code);
	ui->bk_start = g_strdup(v->booking_start);
	ui->bk_when = g_strdup(v->booking_when);
	ui->bk_site = g_strdup(v->booking_site);
	ui->bk_error = g_strdup(v->booking_error);
	ui->bk_retry = g_strdup(v->booking_retry);
	ui->view.slots = (const char *const *)ui->bk_slots;
	ui->view.n_slots = v->slots ? v->n_slots : MIN(v->n_slots, 0);
	ui->view.code = ui->bk_code;
	ui->view.booking_start = ui->bk_start;
	ui->view.booking_when = ui->bk_when;
	ui->view.booking_site = ui->bk_site;
	ui->view.booking_error = ui->bk_error;
	ui->view.booking_retry = ui->bk_retry;
}

static gboolean is_call_screen(RelaisJourneyState s)
{
	return s == RELAIS_JOURNEY_IN_CALL || s == RELAIS_JOURNEY_CONFIRM_END;
}

/* Screens after which nothing of the visitor may stay on the GPU. */
static gboolean forgets_visitor(RelaisJourneyState s)
{
	return s == RELAIS_JOURNEY_ATTRACT || s == RELAIS_JOURNEY_WIPED || s == RELAIS_JOURNEY_OUT_OF_ORDER;
}

/* TRUE if `v` would draw exactly what is drawn now: the owner may set the
 * view as often as it likes (e.g. the mic level ten times a second), only a
 * change costs a frame. */
static gboolean same_view(BoothUi *ui, const BoothUiView *v)
{
	const BoothUiView *c = &ui->view;
	const char *lang = v->language && g_hash_table_contains(ui->catalogs, v->language) ? v->language : ui->language;
	guint question = v->question < relais_questions_count(ui->questions) ? v->question : 0;
	if (v->state != c->state || g_strcmp0(lang, ui->language) != 0 || question != c->question ||
	    g_strcmp0(v->answer, ui->answer) != 0 || v->queue_position != c->queue_position ||
	    v->wait_minutes != c->wait_minutes || g_strcmp0(v->next_opening, ui->next_opening) != 0 ||
	    v->countdown_s != c->countdown_s || !v->muted != !c->muted || !v->camera_off != !c->camera_off ||
	    v->volume != c->volume || v->quality != c->quality || !v->reconnecting != !c->reconnecting ||
	    g_strcmp0(v->fault, ui->fault) != 0 || !v->sharing != !c->sharing || !booking_same(ui, v))
		return FALSE;
	/* the meter is only drawn on self_check */
	if (v->state == RELAIS_JOURNEY_SELF_CHECK && v->mic_level != c->mic_level)
		return FALSE;
	guint first = v->n_chat > UI_MAX_CHAT ? v->n_chat - UI_MAX_CHAT : 0;
	if (v->n_chat - first != ui->n_chat)
		return FALSE;
	for (guint i = first; i < v->n_chat; i++) {
		const BoothUiChatLine *l = &v->chat[i], *mine = &ui->chat[i - first];
		if (!l->from_adviser != !mine->from_adviser || g_strcmp0(l->text ? l->text : "", mine->text) != 0)
			return FALSE;
	}
	return TRUE;
}

static void set_toggles(BoothUi *ui, gboolean high_contrast, gboolean large_text)
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

void booth_ui_set_view(BoothUi *ui, const BoothUiView *view)
{
	if (same_view(ui, view))
		return;
	RelaisJourneyState before = ui->view.state;
	g_autofree char *language_before = g_strdup(ui->language);
	ui->view = *view;
	if (view->language && g_hash_table_contains(ui->catalogs, view->language))
		replace(&ui->language, view->language);
	replace(&ui->answer, view->answer);
	replace(&ui->next_opening, view->next_opening);
	replace(&ui->fault, view->fault);
	ui->view.language = ui->language;
	ui->view.answer = ui->answer;
	ui->view.next_opening = ui->next_opening;
	ui->view.fault = ui->fault;
	booking_copy(ui, view);
	if (ui->view.question >= relais_questions_count(ui->questions))
		ui->view.question = 0;
	chat_clear(ui);
	guint first = view->n_chat > UI_MAX_CHAT ? view->n_chat - UI_MAX_CHAT : 0;
	for (guint i = first; i < view->n_chat; i++) {
		ui->chat[ui->n_chat].from_adviser = view->chat[i].from_adviser;
		ui->chat[ui->n_chat].text = g_strdup(view->chat[i].text ? view->chat[i].text : "");
		ui->n_chat++;
	}
	ui->view.chat = ui->chat;
	ui->view.n_chat = ui->n_chat;
	ui->dirty = TRUE;
	/* the draft belongs to the call screen (and its "end?" dialog) */
	if (!is_call_screen(view->state))
		ui_kb_reset(ui);
	/* A new visitor starts from the site's defaults, not from the
	 * previous visitor's choices. */
	if (view->state == RELAIS_JOURNEY_ATTRACT && before != RELAIS_JOURNEY_ATTRACT)
		set_toggles(ui, ui->default_contrast, ui->default_large);
	if (forgets_visitor(view->state)) {
		booth_ui_set_document(ui, 0, 0);
		booth_ui_clear_video(ui, BOOTH_UI_VIDEO_LOCAL);
		booth_ui_clear_video(ui, BOOTH_UI_VIDEO_REMOTE);
		booth_ui_clear_video(ui, BOOTH_UI_VIDEO_SCREEN);
		if (before != view->state)
			ui_text_cache_flush(ui); /* chat lines were rendered into textures */
	} else if (g_strcmp0(language_before, ui->language) != 0) {
		ui_text_cache_flush(ui);
	}
}

/* After opening or closing the keyboard from a keyboard, the ring goes to
 * the first key, or back to "Write". */
static gboolean resolve_focus_want(BoothUi *ui)
{
	if (ui->focus_want < 0)
		return FALSE;
	int want = ui->focus_want;
	ui->focus_want = -1;
	for (guint i = 0; i < ui->targets->len; i++) {
		const UiTarget *t = &g_array_index(ui->targets, UiTarget, i);
		if (t->kind == TARGET_KEY && (int)t->key == want) {
			ui->focus = (int)i;
			return TRUE;
		}
	}
	return FALSE;
}

static void draw(BoothUi *ui)
{
	g_array_set_size(ui->targets, 0);
	ui->escape.type = RELAIS_JOURNEY_N_EVENTS;
	ui->stats.screen_shown = FALSE;
	ui_draw_screen(ui);
}

void booth_ui_render(BoothUi *ui)
{
	ui_video_poll_mailboxes(ui);
	/* Focus belongs to a screen: a new screen starts with none, so that a
	 * touch user never sees a stray ring, and Tab starts at the top. */
	if (ui->view.state != ui->drawn_state || ui->view.question != ui->drawn_question) {
		ui->focus = -1;
		ui->code_page = 0;
	}
	ui->drawn_state = ui->view.state;
	ui->drawn_question = ui->view.question;
	draw(ui);
	if (resolve_focus_want(ui))
		draw(ui); /* with the ring where it now is */
	if (ui->focus >= (int)ui->targets->len)
		ui->focus = -1;
	SDL_RenderPresent(ui->renderer);
	ui->dirty = FALSE;
	ui->last_render_us = g_get_monotonic_time();
	ui->stats.frames_rendered++;
}

void ui_mark_dirty(BoothUi *ui)
{
	ui->dirty = TRUE;
}

gint64 ui_now_us(BoothUi *ui)
{
	return ui->fixed_time_us >= 0 ? ui->fixed_time_us : g_get_monotonic_time();
}

/* --- input --------------------------------------------------------------- */

static gboolean typing(BoothUi *ui)
{
	return ui->kb_open && ui->view.state == RELAIS_JOURNEY_IN_CALL;
}

static void emit(BoothUi *ui, const UiTarget *target, gboolean by_keys)
{
	/* a copy: the owner's callback may redraw, which rebuilds targets */
	UiTarget t = *target;
	ui->dirty = TRUE;
	switch (t.kind) {
	case TARGET_LARGE_TEXT:
		set_toggles(ui, ui->high_contrast, !ui->large_text);
		return;
	case TARGET_CONTRAST:
		set_toggles(ui, !ui->high_contrast, ui->large_text);
		return;
	case TARGET_KEY:
		ui_kb_press(ui, &t, by_keys);
		return;
	case TARGET_CODE_PAGE:
		ui->code_page++; /* the screen wraps it around */
		return;
	case TARGET_JOURNEY:
		if (ui->func)
			ui->func(&t.ev, ui->func_data);
		return;
	case TARGET_DOC:
		if (ui->doc_func)
			ui->doc_func(t.doc_action, ui->doc_func_data);
		return;
	}
}

/* The last-registered target wins: overlays (dialogs) are drawn, and
 * registered, after what they cover. */
static const UiTarget *hit(BoothUi *ui, int x, int y)
{
	SDL_Point p = {x, y};
	for (guint i = ui->targets->len; i-- > 0;) {
		const UiTarget *t = &g_array_index(ui->targets, UiTarget, i);
		if (SDL_PointInRect(&p, &t->rect))
			return t;
	}
	return NULL;
}

static void move_focus(BoothUi *ui, int dir)
{
	int n = (int)ui->targets->len;
	if (n == 0)
		return;
	int f = ui->focus;
	for (int k = 0; k < n; k++) {
		f = f < 0 ? (dir > 0 ? 0 : n - 1) : (f + dir + n) % n;
		if (g_array_index(ui->targets, UiTarget, f).focusable) {
			ui->focus = f;
			ui->dirty = TRUE;
			return;
		}
	}
}

/* On the keyboard, Up and Down go to the key above or below (the nearest
 * row, then the nearest column), as on any keyboard grid. */
static void move_focus_vertical(BoothUi *ui, int dir)
{
	if (ui->focus < 0 || ui->focus >= (int)ui->targets->len) {
		move_focus(ui, dir);
		return;
	}
	const UiTarget *cur = &g_array_index(ui->targets, UiTarget, ui->focus);
	int cx = cur->rect.x + cur->rect.w / 2, cy = cur->rect.y + cur->rect.h / 2;
	int best = -1;
	gint64 best_score = G_MAXINT64;
	for (guint i = 0; i < ui->targets->len; i++) {
		const UiTarget *t = &g_array_index(ui->targets, UiTarget, i);
		int dy = (t->rect.y + t->rect.h / 2 - cy) * dir, dx = ABS(t->rect.x + t->rect.w / 2 - cx);
		if (!t->focusable || dy <= cur->rect.h / 2)
			continue;
		gint64 score = (gint64)dy * 100000 + dx;
		if (score < best_score)
			best_score = score, best = (int)i;
	}
	if (best >= 0) {
		ui->focus = best;
		ui->dirty = TRUE;
	}
}

static guint count_focusable(BoothUi *ui)
{
	guint n = 0;
	for (guint i = 0; i < ui->targets->len; i++)
		n += g_array_index(ui->targets, UiTarget, i).focusable;
	return n;
}

/* The code screen: letters and digits of the booking alphabet as typed
 * (either case), Backspace deletes. Other keys keep their meaning. */
static gboolean code_key(BoothUi *ui, SDL_Keycode k)
{
	RelaisJourneyEvent ev = {.type = RELAIS_JOURNEY_EV_CODE_DELETE};
	char c[2] = {0, 0};
	if (k != SDLK_BACKSPACE) {
		if (!((k >= SDLK_a && k <= SDLK_z) || (k >= SDLK_0 && k <= SDLK_9)))
			return FALSE;
		c[0] = g_ascii_toupper((char)k);
		ev = (RelaisJourneyEvent){.type = RELAIS_JOURNEY_EV_CODE_CHAR, .str = c};
	}
	/* the journey refuses what is not of the alphabet (0, O, 1, I) */
	if (ui->func)
		ui->func(&ev, ui->func_data);
	ui->dirty = TRUE;
	return TRUE;
}

static gboolean handle_key(BoothUi *ui, const SDL_KeyboardEvent *e)
{
	SDL_Keycode k = e->keysym.sym;
	gboolean kb = typing(ui);
	if (k == SDLK_TAB) {
		move_focus(ui, (e->keysym.mod & KMOD_SHIFT) ? -1 : 1);
	} else if (k == SDLK_RIGHT || k == SDLK_LEFT) {
		move_focus(ui, k == SDLK_RIGHT ? 1 : -1);
	} else if (k == SDLK_DOWN || k == SDLK_UP) {
		if (kb)
			move_focus_vertical(ui, k == SDLK_DOWN ? 1 : -1);
		else
			move_focus(ui, k == SDLK_DOWN ? 1 : -1);
	} else if (k == SDLK_RETURN || k == SDLK_KP_ENTER || (k == SDLK_SPACE && !kb)) {
		/* (while typing, Space is a space: it comes as text input) */
		if (kb && ui->focus < 0) {
			ui_kb_send(ui); /* typed on a physical keyboard */
			return TRUE;
		}
		/* Enter with nothing focused: act when the screen has a
		 * single button (attract, still there), else show the
		 * focus ring first rather than guess. */
		if (ui->focus < 0 && count_focusable(ui) == 1)
			move_focus(ui, 1);
		if (ui->focus >= 0 && (guint)ui->focus < ui->targets->len)
			emit(ui, &g_array_index(ui->targets, UiTarget, ui->focus), TRUE);
		else
			move_focus(ui, 1);
	} else if (k == SDLK_BACKSPACE && kb) {
		ui_kb_backspace(ui);
	} else if (ui->view.state == RELAIS_JOURNEY_CHECK_IN && code_key(ui, k)) {
		/* typed on a physical keyboard: handled */
	} else if (k == SDLK_ESCAPE) {
		if (kb) {
			ui_kb_reset(ui); /* back to the call's controls */
			ui->focus = -1;
			ui->focus_want = BOOTH_UI_KEY_OPEN;
			ui->dirty = TRUE;
		} else if (ui->escape.type != RELAIS_JOURNEY_N_EVENTS && ui->func) {
			RelaisJourneyEvent ev = ui->escape;
			ui->func(&ev, ui->func_data);
		}
	} else {
		return FALSE;
	}
	return TRUE;
}

gboolean booth_ui_handle_event(BoothUi *ui, const SDL_Event *e)
{
	const UiTarget *t = NULL;
	switch (e->type) {
	case SDL_MOUSEBUTTONUP:
		if (e->button.button != SDL_BUTTON_LEFT)
			return FALSE;
		t = hit(ui, e->button.x, e->button.y);
		break;
	case SDL_FINGERUP:
		t = hit(ui, (int)(e->tfinger.x * ui->w), (int)(e->tfinger.y * ui->h));
		break;
	case SDL_KEYDOWN:
		ui->last_input_us = g_get_monotonic_time();
		return handle_key(ui, &e->key);
	case SDL_TEXTINPUT:
		if (!typing(ui))
			return FALSE;
		ui->last_input_us = g_get_monotonic_time();
		ui_kb_insert(ui, e->text.text);
		return TRUE;
	case SDL_WINDOWEVENT:
		ui->dirty = TRUE; /* exposed, resized, restored: draw again */
		return FALSE;
	default:
		return FALSE;
	}
	ui->last_input_us = g_get_monotonic_time();
	if (t == NULL)
		return FALSE;
	emit(ui, t, FALSE);
	return TRUE;
}

void booth_ui_pump(BoothUi *ui)
{
	SDL_Event e;
	while (SDL_PollEvent(&e))
		booth_ui_handle_event(ui, &e);
}

static gboolean animating(BoothUi *ui)
{
	return ui->view.state == RELAIS_JOURNEY_WAITING;
}

static gboolean tick(gpointer data)
{
	BoothUi *ui = data;
	booth_ui_pump(ui);
	/* Half a tick of slack, or 16 ms ticks would round a 33 ms frame
	 * period up to 48 ms. */
	const gint64 slack = 8000;
	gint64 since = g_get_monotonic_time() - ui->last_render_us;
	if (ui->dirty || (since >= G_USEC_PER_SEC / CONFIG_RELAIS_UI_VIDEO_FPS - slack && ui_video_pending(ui)) ||
	    (since >= G_USEC_PER_SEC / CONFIG_RELAIS_UI_ANIMATION_FPS - slack && animating(ui)))
		booth_ui_render(ui);
	return G_SOURCE_CONTINUE;
}

guint booth_ui_attach(BoothUi *ui, GMainContext *context)
{
	g_return_val_if_fail(ui->source_id == 0, 0);
	g_autoptr(GSource) s = g_timeout_source_new(16);
	g_source_set_callback(s, tick, ui, NULL);
	g_source_set_name(s, "booth-ui");
	ui->context = context ? g_main_context_ref(context) : g_main_context_ref_thread_default();
	ui->source_id = g_source_attach(s, ui->context);
	return ui->source_id;
}

void booth_ui_set_large_text(BoothUi *ui, gboolean on)
{
	set_toggles(ui, ui->high_contrast, on);
}

void booth_ui_set_high_contrast(BoothUi *ui, gboolean on)
{
	set_toggles(ui, on, ui->large_text);
}

gboolean booth_ui_get_large_text(BoothUi *ui)
{
	return ui->large_text;
}

gboolean booth_ui_get_high_contrast(BoothUi *ui)
{
	return ui->high_contrast;
}

SDL_Window *booth_ui_get_window(BoothUi *ui)
{
	return ui->window;
}

gint64 booth_ui_get_last_input_us(BoothUi *ui)
{
	return ui->last_input_us;
}

void booth_ui_get_stats(BoothUi *ui, BoothUiStats *st)
{
	*st = ui->stats;
	for (int i = 0; i < BOOTH_UI_N_VIDEO; i++)
		st->has_picture[i] = ui->video[i] != NULL;
	st->has_document = ui->doc_tex != NULL;
	st->text_entries = ui->text_lru.length;
	st->text_pixels = ui->text_pixels;
}

gboolean booth_ui_find_key(BoothUi *ui, BoothUiKey key, const char *text, SDL_Rect *rect)
{
	for (guint i = 0; i < ui->targets->len; i++) {
		const UiTarget *t = &g_array_index(ui->targets, UiTarget, i);
		if (t->kind != TARGET_KEY || t->key != key)
			continue;
		if (key == BOOTH_UI_KEY_CHAR && g_strcmp0(text, t->text) != 0)
			continue;
		*rect = t->rect;
		return TRUE;
	}
	return FALSE;
}

gboolean booth_ui_find_target(BoothUi *ui, RelaisJourneyEventType type, const char *str, int num, SDL_Rect *rect)
{
	for (guint i = 0; i < ui->targets->len; i++) {
		const UiTarget *t = &g_array_index(ui->targets, UiTarget, i);
		if (t->kind != TARGET_JOURNEY || t->ev.type != type)
			continue;
		if (str && g_strcmp0(str, t->ev.str) != 0)
			continue;
		if ((type == RELAIS_JOURNEY_EV_SCORE || type == RELAIS_JOURNEY_EV_SLOT) && num != t->ev.num)
			continue;
		*rect = t->rect;
		return TRUE;
	}
	return FALSE;
}

int booth_ui_min_target_px(BoothUi *ui)
{
	int m = G_MAXINT;
	for (guint i = 0; i < ui->targets->len; i++) {
		const UiTarget *t = &g_array_index(ui->targets, UiTarget, i);
		m = MIN(m, MIN(t->rect.w, t->rect.h));
	}
	return m == G_MAXINT ? 0 : m;
}

SDL_Surface *booth_ui_snapshot(BoothUi *ui, GError **error)
{
	g_autoptr(SDL_Surface) s = SDL_CreateRGBSurfaceWithFormat(0, ui->w, ui->h, 24, SDL_PIXELFORMAT_RGB24);
	if (s == NULL || SDL_RenderReadPixels(ui->renderer, NULL, SDL_PIXELFORMAT_RGB24, s->pixels, s->pitch) != 0) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "reading pixels: %s", SDL_GetError());
		return NULL;
	}
	return g_steal_pointer(&s);
}
