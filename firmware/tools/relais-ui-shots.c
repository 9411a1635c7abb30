/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * relais-ui-shots: renders every screen of the touch UI headless (SDL
 * offscreen driver, software renderer) into PNG files and a contact sheet.
 *
 *   relais-ui-shots --out DIR      DIR/<w>x<h>/<lang>/<screen>.png and DIR/contact-sheet.png
 *   relais-ui-shots --golden DIR   DIR/<lang>/<screen>.png at 800x480 (tests/golden)
 *   relais-ui-shots --bench N      draws the call screen N times at 1280x800, a new
 *                                  640x480 frame from each camera every time, and
 *                                  prints the cost of a frame (software renderer)
 */
#define G_LOG_DOMAIN "relais-ui-shots"

#include "ui/samples.h"

#include <SDL_image.h>
#include <stdlib.h>

/* The golden images pin the font: Noto, when installed, would change them. */
#define GOLDEN_FONT	 "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define GOLDEN_FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

typedef struct {
	int w, h, dpi;
} Size;

/* the contact sheet shows the first; the input test checks all three */
static const Size sizes[] = {{1280, 800, 150}, {800, 480, 133}, {1920, 1080, 96}};
static const char *const languages[] = {"fr", "en", NULL};

static gboolean render_all(const Size *size, const RelaisQuestions *qs, const char *locale_dir, const char *dir,
			   gboolean golden, GPtrArray *sheet, GError **error)
{
	BoothUiConfig cfg = {
		.width = size->w,
		.height = size->h,
		.dpi = size->dpi,
		.software = TRUE,
		.locale_dir = locale_dir,
		.languages = languages,
		.questions = qs,
		.font_regular = golden ? GOLDEN_FONT : NULL,
		.font_bold = golden ? GOLDEN_FONT_BOLD : NULL,
	};
	g_autoptr(BoothUi) ui = booth_ui_new(&cfg, error);
	if (ui == NULL)
		return FALSE;
	for (const char *const *l = languages; *l; l++) {
		g_autofree char *sub = golden ? g_build_filename(dir, *l, NULL)
					      : g_strdup_printf("%s/%dx%d/%s", dir, size->w, size->h, *l);
		if (g_mkdir_with_parents(sub, 0755) != 0) {
			g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "mkdir %s: %s", sub,
				    g_strerror(errno));
			return FALSE;
		}
		for (guint i = 0; i < booth_ui_samples_count(); i++) {
			if (!booth_ui_render_sample(ui, i, *l, error))
				return FALSE;
			g_autofree char *name = g_strdup_printf("%s.png", booth_ui_sample_name(i));
			g_autofree char *path = g_build_filename(sub, name, NULL);
			if (!booth_ui_save_png(ui, path, error))
				return FALSE;
			if (sheet)
				g_ptr_array_add(sheet, g_steal_pointer(&path));
		}
	}
	return TRUE;
}

/* A grid of thumbnails with every screen, for a quick look in review. */
static gboolean contact_sheet(GPtrArray *paths, const char *out, GError **error)
{
	const int cols = 6, tw = 320, th = 200, pad = 8;
	int rows = ((int)paths->len + cols - 1) / cols;
	g_autoptr(SDL_Surface) sheet = SDL_CreateRGBSurfaceWithFormat(
		0, cols * (tw + pad) + pad, rows * (th + pad) + pad, 24, SDL_PIXELFORMAT_RGB24);
	if (sheet == NULL) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "contact sheet: %s", SDL_GetError());
		return FALSE;
	}
	SDL_FillRect(sheet, NULL, SDL_MapRGB(sheet->format, 0x55, 0x5b, 0x60));
	for (guint i = 0; i < paths->len; i++) {
		g_autoptr(SDL_Surface) img = IMG_Load(paths->pdata[i]);
		if (img == NULL) {
			g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "%s: %s", (char *)paths->pdata[i],
				    IMG_GetError());
			return FALSE;
		}
		SDL_Rect d = {pad + (int)(i % cols) * (tw + pad), pad + (int)(i / cols) * (th + pad), tw, th};
		SDL_BlitScaled(img, NULL, sheet, &d);
	}
	if (IMG_SavePNG(sheet, out) != 0) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "%s: %s", out, IMG_GetError());
		return FALSE;
	}
	return TRUE;
}

/* What one frame of a call costs the CPU: the UI's part of the booth's
 * figure (a GPU renderer moves most of it off the CPU). */
static gboolean bench(const RelaisQuestions *qs, const char *locale_dir, int n, GError **error)
{
	BoothUiConfig cfg = {
		.width = 1280,
		.height = 800,
		.dpi = 150,
		.software = TRUE,
		.locale_dir = locale_dir,
		.languages = languages,
		.questions = qs,
	};
	g_autoptr(BoothUi) ui = booth_ui_new(&cfg, error);
	if (ui == NULL)
		return FALSE;
	guint in_call = 0;
	while (in_call < booth_ui_samples_count() && g_strcmp0(booth_ui_sample_name(in_call), "in-call") != 0)
		in_call++;
	if (!booth_ui_render_sample(ui, in_call, "fr", error))
		return FALSE;
	const int w = 640, h = 480;
	g_autofree guint8 *frames[2] = {g_malloc(w * h * 3 / 2), g_malloc(w * h * 3 / 2)};
	booth_ui_synthetic_i420(frames[0], w, h, 0);
	booth_ui_synthetic_i420(frames[1], w, h, 1);
	BoothUiStats before, after;
	booth_ui_get_stats(ui, &before);
	gint64 t0 = g_get_monotonic_time();
	for (int i = 0; i < n; i++) {
		for (int v = 0; v < BOOTH_UI_N_VIDEO; v++) {
			const guint8 *f = frames[(i + v) & 1];
			if (!booth_ui_push_i420(ui, v, w, h, f, w, f + w * h, w / 2, f + w * h + w * h / 4, w / 2,
						error))
				return FALSE;
		}
		booth_ui_render(ui);
	}
	double ms = (g_get_monotonic_time() - t0) / 1000.0 / MAX(n, 1);
	booth_ui_get_stats(ui, &after);
	g_print("call screen 1280x800, software renderer, two 640x480 streams: %.2f ms a frame "
		"(at 30 fps: %.0f%% of one core)\n",
		ms, ms * 30 / 10);
	g_print("frames %" G_GUINT64_FORMAT ", uploads local %" G_GUINT64_FORMAT " remote %" G_GUINT64_FORMAT
		", text cache %" G_GUINT64_FORMAT " hits %" G_GUINT64_FORMAT " misses, %u textures\n",
		after.frames_rendered - before.frames_rendered, after.video_uploads[BOOTH_UI_VIDEO_LOCAL],
		after.video_uploads[BOOTH_UI_VIDEO_REMOTE], after.text_hits - before.text_hits,
		after.text_misses - before.text_misses, after.text_entries);
	return TRUE;
}

int main(int argc, char **argv)
{
	g_autofree char *out = NULL, *golden = NULL, *locale_dir = NULL, *questions = NULL;
	int bench_frames = 0;
	GOptionEntry entries[] = {
		{"out", 0, 0, G_OPTION_ARG_FILENAME, &out, "Write screenshots and a contact sheet here", "DIR"},
		{"golden", 0, 0, G_OPTION_ARG_FILENAME, &golden, "Write golden images (800x480) here", "DIR"},
		{"locale-dir", 0, 0, G_OPTION_ARG_FILENAME, &locale_dir, "Compiled catalogs", "DIR"},
		{"questions", 0, 0, G_OPTION_ARG_FILENAME, &questions, "Question set", "FILE"},
		{"bench", 0, 0, G_OPTION_ARG_INT, &bench_frames, "Time N frames of the call screen", "N"},
		{NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- render every screen of the booth UI");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error) ||
	    (out != NULL) + (golden != NULL) + (bench_frames > 0) != 1) {
		g_printerr("relais-ui-shots: %s\n",
			   error ? error->message : "give --out DIR, --golden DIR or --bench N");
		return 2;
	}
	/* headless unless told otherwise */
	g_setenv("SDL_VIDEODRIVER", "offscreen", FALSE);
	g_setenv("SDL_AUDIODRIVER", "dummy", FALSE);
	g_autoptr(RelaisQuestions) qs =
		relais_questions_load_file(questions ? questions : "assets/questions/default.ini", &error);
	if (qs == NULL) {
		g_printerr("relais-ui-shots: %s\n", error->message);
		return 1;
	}
	IMG_Init(IMG_INIT_PNG);
	int rc = 0;
	if (bench_frames > 0) {
		if (!bench(qs, locale_dir, bench_frames, &error))
			rc = 1;
	} else if (golden) {
		if (!render_all(&sizes[1], qs, locale_dir, golden, TRUE, NULL, &error))
			rc = 1;
	} else {
		g_autoptr(GPtrArray) sheet = g_ptr_array_new_with_free_func(g_free);
		for (guint i = 0; i < G_N_ELEMENTS(sizes) && rc == 0; i++)
			if (!render_all(&sizes[i], qs, locale_dir, out, FALSE, i == 0 ? sheet : NULL, &error))
				rc = 1;
		g_autofree char *path = g_build_filename(out, "contact-sheet.png", NULL);
		if (rc == 0 && !contact_sheet(sheet, path, &error))
			rc = 1;
	}
	if (rc)
		g_printerr("relais-ui-shots: %s\n", error->message);
	IMG_Quit();
	return rc;
}
