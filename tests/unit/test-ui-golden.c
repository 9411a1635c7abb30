/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every screen, in French and English at 800x480, against the golden images
 * in tests/golden/<lang>/<screen>.png.
 *
 * After a deliberate UI change: `make update-goldens`, look at the images
 * (git diff shows which changed), commit them. A failure leaves the rendered
 * image and a diff beside the test log (build/test-logs/golden/).
 *
 * Tolerance: the software renderer and FreeType give the same pixels for the
 * same fonts on the same Debian image, so the bars are tight; they only leave
 * room for anti-aliasing differences of a library point release.
 */
#include "ui/samples.h"

#include <SDL_image.h>
#include <string.h>

#define MAX_MEAN_DIFF	  0.5	/* mean absolute difference per channel, 0..255 */
#define MAX_DIFF_FRACTION 0.002 /* pixels differing by more than ... */
#define PIXEL_THRESHOLD	  48	/* ... this much in any channel */

static char *path_in(const char *env, const char *fallback, const char *rel)
{
	const char *base = g_getenv(env);
	return g_build_filename(base ? base : fallback, rel, NULL);
}

static SDL_Surface *to_rgb24(SDL_Surface *s)
{
	return SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_RGB24, 0);
}

static void save_failure(SDL_Surface *actual, SDL_Surface *diff, const char *lang, const char *name)
{
	g_autofree char *dir = path_in("RELAIS_BUILD", "build", "test-logs/golden");
	g_autofree char *sub = g_build_filename(dir, lang, NULL);
	g_mkdir_with_parents(sub, 0755);
	g_autofree char *a = g_strdup_printf("%s/%s.png", sub, name);
	g_autofree char *d = g_strdup_printf("%s/%s-diff.png", sub, name);
	IMG_SavePNG(actual, a);
	IMG_SavePNG(diff, d);
	g_test_message("rendered image: %s, differences: %s", a, d);
}

static void test_golden(void)
{
	static const char *const languages[] = {"fr", "en", NULL};
	g_autofree char *questions = path_in("RELAIS_TOP", ".", "assets/questions/default.ini");
	g_autofree char *locale = path_in("RELAIS_BUILD", "build", "locale");
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisQuestions) qs = relais_questions_load_file(questions, &error);
	g_assert_no_error(error);
	/* the same settings as relais-ui-shots --golden */
	BoothUiConfig cfg = {
		.width = 800,
		.height = 480,
		.dpi = 133,
		.software = TRUE,
		.locale_dir = locale,
		.languages = languages,
		.questions = qs,
		.font_regular = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
		.font_bold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
	};
	g_autoptr(BoothUi) ui = booth_ui_new(&cfg, &error);
	g_assert_no_error(error);
	IMG_Init(IMG_INIT_PNG);

	guint failures = 0, compared = 0;
	for (const char *const *l = languages; *l; l++)
		for (guint i = 0; i < booth_ui_samples_count(); i++) {
			const char *name = booth_ui_sample_name(i);
			g_assert_true(booth_ui_render_sample(ui, i, *l, &error));
			g_autoptr(SDL_Surface) actual = booth_ui_snapshot(ui, &error);
			g_assert_no_error(error);
			g_autofree char *rel = g_strdup_printf("tests/golden/%s/%s.png", *l, name);
			g_autofree char *golden_path = path_in("RELAIS_TOP", ".", rel);
			g_autoptr(SDL_Surface) loaded = IMG_Load(golden_path);
			if (loaded == NULL) {
				g_test_message("%s missing: run `make update-goldens`", golden_path);
				failures++;
				continue;
			}
			g_autoptr(SDL_Surface) golden = to_rgb24(loaded);
			g_assert_nonnull(golden);
			if (golden->w != actual->w || golden->h != actual->h) {
				g_test_message("%s: %dx%d, expected %dx%d", golden_path, actual->w, actual->h,
					       golden->w, golden->h);
				failures++;
				continue;
			}
			g_autoptr(SDL_Surface) diff =
				SDL_CreateRGBSurfaceWithFormat(0, actual->w, actual->h, 24, SDL_PIXELFORMAT_RGB24);
			guint64 sum = 0, differing = 0;
			for (int y = 0; y < actual->h; y++) {
				const guint8 *a = (guint8 *)actual->pixels + y * actual->pitch;
				const guint8 *g = (guint8 *)golden->pixels + y * golden->pitch;
				guint8 *d = (guint8 *)diff->pixels + y * diff->pitch;
				for (int x = 0; x < actual->w; x++) {
					int worst = 0;
					for (int c = 0; c < 3; c++) {
						int dv = ABS(a[3 * x + c] - g[3 * x + c]);
						sum += dv;
						worst = MAX(worst, dv);
					}
					differing += worst > PIXEL_THRESHOLD;
					d[3 * x] = d[3 * x + 1] = d[3 * x + 2] = worst > PIXEL_THRESHOLD ? 255 : worst;
				}
			}
			double pixels = (double)actual->w * actual->h;
			double mean = sum / (pixels * 3), fraction = differing / pixels;
			compared++;
			if (mean > MAX_MEAN_DIFF || fraction > MAX_DIFF_FRACTION) {
				g_test_message("%s/%s differs: mean %.3f (max %.3f), %.4f%% pixels (max %.4f%%)", *l,
					       name, mean, MAX_MEAN_DIFF, 100 * fraction, 100 * MAX_DIFF_FRACTION);
				save_failure(actual, diff, *l, name);
				failures++;
			}
		}
	IMG_Quit();
	/* the chat keyboard's screens are among them */
	guint keyboards = 0;
	for (guint i = 0; i < booth_ui_samples_count(); i++)
		keyboards += g_str_has_prefix(booth_ui_sample_name(i), "in-call-keyboard");
	g_assert_cmpuint(keyboards, ==, 2);
	g_assert_cmpuint(compared, ==, 2 * booth_ui_samples_count());
	g_assert_cmpuint(failures, ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_setenv("SDL_VIDEODRIVER", "offscreen", FALSE);
	g_test_add_func("/ui/golden", test_golden);
	return g_test_run();
}
