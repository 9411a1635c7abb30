/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Question sets and translation catalogs: the shipped files are complete
 * and consistent; corrupt ones are refused with a clear error. */
#include "catalog.h"
#include "harness.h"
#include "questions.h"
#include "run.h"

#include <string.h>

static char *top_path(const char *rel)
{
	const char *top = g_getenv("RELAIS_TOP");
	return g_build_filename(top ? top : ".", rel, NULL);
}

static char *locale_dir(void)
{
	const char *build = g_getenv("RELAIS_BUILD");
	return build ? g_build_filename(build, "locale", NULL) : top_path("build/locale");
}

static void test_default_set(void)
{
	g_autofree char *path = top_path("assets/questions/default.ini");
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisQuestions) qs = relais_questions_load_file(path, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(relais_questions_get_id(qs), ==, "default");
	g_assert_cmpuint(relais_questions_count(qs), ==, 2);
	const RelaisQuestion *topic = relais_questions_get(qs, 0);
	g_assert_cmpstr(topic->id, ==, "topic");
	static const char *const topics[] = {"guidance",      "job-search", "training",
					     "career-change", "admin-help", "other"};
	g_assert_cmpuint(topic->n_choices, ==, G_N_ELEMENTS(topics));
	for (guint i = 0; i < G_N_ELEMENTS(topics); i++)
		g_assert_cmpint(relais_question_find_choice(topic, topics[i]), ==, (int)i);
	const RelaisQuestion *situation = relais_questions_get(qs, 1);
	g_assert_cmpstr(situation->id, ==, "situation");
	static const char *const situations[] = {"student", "job-seeker", "employed", "other"};
	g_assert_cmpuint(situation->n_choices, ==, G_N_ELEMENTS(situations));
	for (guint i = 0; i < G_N_ELEMENTS(situations); i++)
		g_assert_cmpint(relais_question_find_choice(situation, situations[i]), ==, (int)i);
	g_assert_cmpint(relais_question_find_choice(situation, "nope"), ==, -1);
	g_assert_cmpint(relais_question_find_choice(situation, NULL), ==, -1);
}

#define SET "[set]\nid=s\nquestions=a\n"
#define QA  "[question a]\ntitle=t.a\n"

static void test_corrupt_sets(void)
{
	static const struct {
		const char *data, *error;
	} cases[] = {
		{"", "set"},
		{"garbage without groups", ""},
		{"[set]\nquestions=a\n", "[set]"},
		{"[set]\nid=Bad Id\nquestions=a\n", "may only hold"},
		{"[set]\nid=s\n", "[set]"},
		{"[set]\nid=s\nquestions=\n", "0 questions"},
		{"[set]\nid=s\nquestions=a;b;c;d;e;f;g;h;i\n", "9 questions"},
		{"[set]\nid=s\nquestions=a;a\n" QA "choices=x;y\nlabels=l.x;l.y\n", "listed twice"},
		{SET, "no [question a] group"},
		{SET "[question a]\nchoices=x;y\nlabels=l.x;l.y\n", "[question a]"},
		{SET QA "labels=l.x;l.y\n", "[question a]"},
		{SET QA "choices=x;y\n", "[question a]"},
		{SET QA "choices=x\nlabels=l.x\n", "1 choices"},
		{SET QA "choices=a;b;c;d;e;f;g;h;i\nlabels=a;b;c;d;e;f;g;h;i\n", "9 choices"},
		{SET QA "choices=x;y\nlabels=l.x\n", "2 choices but 1 labels"},
		{SET QA "choices=x;x\nlabels=l.x;l.y\n", "listed twice"},
		{SET QA "choices=x;Y!\nlabels=l.x;l.y\n", "may only hold"},
		{SET QA "choices=x;y\nlabels=l.x;has space\n", "message id"},
		{SET "[question a]\ntitle=\nchoices=x;y\nlabels=l.x;l.y\n", "message id"},
		{SET QA "choices=x;"
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nlabels=l.x;l.y\n",
		 "1 to 32"},
		{"[set]\nid=s\xff\nquestions=a\n", "UTF-8"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(RelaisQuestions) qs =
			relais_questions_load_data(cases[i].data, strlen(cases[i].data), &error);
		g_assert_null(qs);
		g_assert_error(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID);
		if (strstr(error->message, cases[i].error) == NULL)
			g_error("case %u: '%s' does not mention '%s'", i, error->message, cases[i].error);
	}
	g_autoptr(GError) error = NULL;
	g_assert_null(relais_questions_load_file("/nonexistent/q.ini", &error));
	g_assert_nonnull(strstr(error->message, "/nonexistent/q.ini"));
}

/* Message ids in the .pot, the reference list. */
static GPtrArray *pot_ids(void)
{
	g_autofree char *path = top_path("assets/i18n/relais-booth.pot");
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	/* a format string's id is its context (catalog.h) */
	g_autofree char *context = NULL;
	for (char **l = lines; *l; l++) {
		if (g_str_has_prefix(*l, "msgctxt \"")) {
			g_free(context);
			context = g_strndup(*l + 9, strlen(*l) - 10);
		} else if (g_str_has_prefix(*l, "msgid \"") && strlen(*l) > 8) {
			g_ptr_array_add(ids, context ? g_steal_pointer(&context) : g_strndup(*l + 7, strlen(*l) - 8));
		}
	}
	g_assert_cmpuint(ids->len, >, 50);
	return ids;
}

/* The printf conversions of a string, in order ("%d%s"). */
static char *conversions(const char *s)
{
	GString *out = g_string_new(NULL);
	for (const char *p = strchr(s, '%'); p; p = strchr(p + 2, '%'))
		if (p[1])
			g_string_append_len(out, p, 2);
	return g_string_free(out, FALSE);
}

static void test_catalogs_complete(void)
{
	g_autofree char *dir = locale_dir();
	g_autoptr(GPtrArray) ids = pot_ids();
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisCatalog) fr = relais_catalog_load(dir, "fr", &error);
	g_assert_no_error(error);
	g_autoptr(RelaisCatalog) en = relais_catalog_load(dir, "en", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(relais_catalog_language(fr), ==, "fr");
	for (guint i = 0; i < ids->len; i++) {
		const char *id = ids->pdata[i];
		const char *f = relais_catalog_lookup(fr, id), *e = relais_catalog_lookup(en, id);
		if (f == NULL || e == NULL)
			g_error("'%s' is not translated in %s", id, f ? "en" : "fr");
		g_autofree char *cf = conversions(f), *ce = conversions(e);
		/* a translation with other conversions would crash the printf */
		g_assert_cmpstr(cf, ==, ce);
	}
	g_assert_cmpuint(relais_catalog_size(fr), ==, ids->len);
	g_assert_cmpuint(relais_catalog_size(en), ==, ids->len);
	g_assert_cmpstr(relais_catalog_get(fr, "ui.back"), ==, "Retour");
	g_assert_cmpstr(relais_catalog_get(en, "ui.back"), ==, "Back");
	g_assert_cmpstr(relais_catalog_get(en, "no.such.id"), ==, "no.such.id");
	g_assert_cmpstr(relais_catalog_get(NULL, "ui.back"), ==, "ui.back");

	/* every message id of the default question set is in the catalogs */
	g_autofree char *path = top_path("assets/questions/default.ini");
	g_autoptr(RelaisQuestions) qs = relais_questions_load_file(path, &error);
	g_assert_no_error(error);
	for (guint i = 0; i < relais_questions_count(qs); i++) {
		const RelaisQuestion *q = relais_questions_get(qs, i);
		g_assert_nonnull(relais_catalog_lookup(fr, q->title));
		g_assert_nonnull(relais_catalog_lookup(en, q->title));
		for (guint c = 0; c < q->n_choices; c++) {
			g_assert_nonnull(relais_catalog_lookup(fr, q->choices[c].label));
			g_assert_nonnull(relais_catalog_lookup(en, q->choices[c].label));
		}
	}
}

/* Builds <tmp>/locale/<lang>/.../relais-booth.mo from <tmp>/i18n/<lang>.po
 * with the build's own rule (make, the Makefile's msgfmt --check). */
static void make_catalog(RtRun *r, const char *tmp, const char *lang, const char *po)
{
	g_autofree char *dir = g_build_filename(tmp, "i18n", NULL);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
	g_autofree char *name = g_strconcat(lang, ".po", NULL);
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_assert_true(g_file_set_contents(path, po, -1, NULL));
	g_autofree char *top = top_path(".");
	g_autofree char *o = g_strconcat("O=", tmp, "/build", NULL);
	g_autofree char *i18n = g_strconcat("I18N=", dir, NULL);
	g_autofree char *target = g_strconcat(tmp, "/build/locale/", lang, "/LC_MESSAGES/relais-booth.mo", NULL);
	const char *argv[] = {"make", "-s", "--no-print-directory", "-C", top, o, i18n, target, NULL};
	rt_run(r, argv, NULL, NULL);
}

/* A translation whose printf conversions differ from its msgid's is
 * refused when the catalog is built (msgfmt --check on the c-format
 * entries), not crashed on by the booth's printf: %s for the int of
 * "Question %d sur %d", and a conversion dropped. The shipped French
 * catalog, copied the same way, builds (the control). */
static void test_catalog_bad_format(void)
{
	g_autofree char *src = top_path("assets/i18n/fr.po");
	g_autofree char *good = NULL;
	g_assert_true(g_file_get_contents(src, &good, NULL, NULL));
	g_assert_nonnull(strstr(good, "msgstr \"Question %d sur %d\""));
	g_autoptr(GError) error = NULL;
	g_autofree char *tmp = g_dir_make_tmp("relais-i18n-XXXXXX", &error);
	g_assert_no_error(error);

	g_auto(RtRun) ok = {0};
	make_catalog(&ok, tmp, "fr", good);
	if (ok.status != 0)
		g_error("the shipped fr.po does not build: %s", ok.err);

	static const struct {
		const char *with, *words;
	} bad[] = {
		{"msgstr \"Question %s sur %d\"", "format specifications in 'msgid' and 'msgstr' for argument 1"},
		{"msgstr \"Question %d\"", "number of format specifications"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *lang = g_strdup_printf("x%u", i);
		g_auto(GStrv) parts = g_strsplit(good, "msgstr \"Question %d sur %d\"", 2);
		g_autofree char *po = g_strjoinv(bad[i].with, parts);
		g_auto(RtRun) r = {0};
		make_catalog(&r, tmp, lang, po);
		g_assert_cmpint(r.status, !=, 0);
		if (strstr(r.err, bad[i].words) == NULL)
			g_error("case %u: make says '%s', not '%s'", i, r.err, bad[i].words);
		g_autofree char *mo = g_strconcat(tmp, "/build/locale/", lang, "/LC_MESSAGES/relais-booth.mo", NULL);
		g_assert_false(g_file_test(mo, G_FILE_TEST_EXISTS));
	}
	rt_rm_rf(tmp);
}

static void test_catalog_corrupt(void)
{
	g_autofree char *dir = locale_dir();
	g_autofree char *path = g_build_filename(dir, "fr", "LC_MESSAGES", "relais-booth.mo", NULL);
	g_autofree char *data = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(path, &data, &len, NULL));

	g_autoptr(GError) error = NULL;
	g_assert_null(relais_catalog_load(dir, "xx", &error));
	g_assert_nonnull(strstr(error->message, "xx"));
	g_clear_error(&error);

	static const gsize cuts[] = {0, 4, 27, 28};
	for (guint i = 0; i < G_N_ELEMENTS(cuts); i++) {
		g_autoptr(GBytes) b = g_bytes_new(data, cuts[i]);
		g_assert_null(relais_catalog_load_data("fr", b, &error));
		g_assert_error(error, RELAIS_CATALOG_ERROR, RELAIS_CATALOG_ERROR_CORRUPT);
		g_clear_error(&error);
	}
	/* truncated half-way: strings point outside the file */
	g_autoptr(GBytes) half = g_bytes_new(data, len / 2);
	g_assert_null(relais_catalog_load_data("fr", half, &error));
	g_assert_nonnull(strstr(error->message, "outside the file"));
	g_clear_error(&error);

	g_autofree char *bad = g_memdup2(data, len);
	bad[0] ^= 0x55;
	g_autoptr(GBytes) b = g_bytes_new(bad, len);
	g_assert_null(relais_catalog_load_data("fr", b, &error));
	g_assert_nonnull(strstr(error->message, "magic"));
	g_clear_error(&error);

	/* every single-byte flip of the header and tables: an error or a
	 * catalog, never a crash or a read outside the buffer (ASan build) */
	for (gsize i = 0; i < MIN(len, (gsize)1024); i++) {
		g_autofree char *flip = g_memdup2(data, len);
		flip[i] ^= 0xff;
		g_autoptr(GBytes) fb = g_bytes_new_take(g_steal_pointer(&flip), len);
		g_autoptr(GError) e = NULL;
		g_autoptr(RelaisCatalog) c = relais_catalog_load_data("fr", fb, &e);
		g_assert_true((c == NULL) != (e == NULL));
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/questions/default-set", test_default_set);
	g_test_add_func("/questions/corrupt", test_corrupt_sets);
	g_test_add_func("/catalog/complete", test_catalogs_complete);
	g_test_add_func("/catalog/corrupt", test_catalog_corrupt);
	g_test_add_func("/catalog/bad-format", test_catalog_bad_format);
	return g_test_run();
}
