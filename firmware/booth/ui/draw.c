/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bottom of the UI: colours, lengths and shapes on the renderer. Knows
 * nothing of screens, targets or text. */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/draw.h"
#include "relais-config.h"

#include <math.h>

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

/* --- shapes -------------------------------------------------------------- */

void ui_fill(BoothUi *ui, SDL_Color c)
{
	SDL_SetRenderDrawColor(ui->renderer, c.r, c.g, c.b, c.a);
	if (!ui->damage_on) {
		SDL_RenderClear(ui->renderer);
		return;
	}
	/* A clear ignores the clip rectangle: plain fills keep to it. The
	 * largest picture of the last render (ui->damage_hole) is drawn again
	 * at the same place, opaque, over whatever is under it: no fill there
	 * (SDL's fills write past the cache; they were half of a frame's time). */
	SDL_BlendMode mode;
	SDL_GetRenderDrawBlendMode(ui->renderer, &mode);
	SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_NONE);
	SDL_Rect d = ui->damage, h;
	if (!SDL_IntersectRect(&ui->damage_hole, &d, &h)) {
		SDL_RenderFillRect(ui->renderer, &d);
	} else {
		SDL_Rect parts[4] = {
			{d.x, d.y, d.w, h.y - d.y},
			{d.x, h.y + h.h, d.w, d.y + d.h - h.y - h.h},
			{d.x, h.y, h.x - d.x, h.h},
			{h.x + h.w, h.y, d.x + d.w - h.x - h.w, h.h},
		};
		for (guint i = 0; i < G_N_ELEMENTS(parts); i++)
			if (parts[i].w > 0 && parts[i].h > 0)
				SDL_RenderFillRect(ui->renderer, &parts[i]);
	}
	SDL_SetRenderDrawBlendMode(ui->renderer, mode);
}

void ui_clip(BoothUi *ui, const SDL_Rect *r)
{
	if (!ui->damage_on) {
		SDL_RenderSetClipRect(ui->renderer, r);
		return;
	}
	SDL_Rect both = {ui->damage.x, ui->damage.y, 0, 0};
	if (r == NULL)
		both = ui->damage;
	else if (!SDL_IntersectRect(r, &ui->damage, &both))
		both.w = both.h = 0; /* nothing: an empty clip draws nothing */
	SDL_RenderSetClipRect(ui->renderer, &both);
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
		/* Opaque: the same outline as one fan, but the body as three
		 * rectangles (plain fills, each pixel once) and only the
		 * corners as fans, each from its own centre: most of the area
		 * then costs a memset in the software renderer, not a
		 * triangle walk. */
		SDL_Rect across = {r.x, r.y + radius, r.w, r.h - 2 * radius};
		SDL_Rect top = {r.x + radius, r.y, r.w - 2 * radius, radius};
		SDL_Rect bottom = {r.x + radius, r.y + r.h - radius, r.w - 2 * radius, radius};
		SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_NONE);
		SDL_SetRenderDrawColor(ui->renderer, c.r, c.g, c.b, c.a);
		SDL_RenderFillRect(ui->renderer, &across);
		if (radius > 0) {
			SDL_RenderFillRect(ui->renderer, &top);
			SDL_RenderFillRect(ui->renderer, &bottom);
		}
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

void ui_mark_dirty(BoothUi *ui)
{
	ui->dirty = TRUE;
}

gint64 ui_now_us(BoothUi *ui)
{
	return ui->fixed_time_us >= 0 ? ui->fixed_time_us : g_get_monotonic_time();
}
