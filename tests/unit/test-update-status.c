/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The update status file the health service leaves for the booth
 * (updatestatus.h), read as hostile input: good files in their variants,
 * lines ignored with a warning, values that spoil the report, the size cap,
 * what is not a regular file (a FIFO must not block), random bytes; and the
 * running slot from a kernel command line. */
#include "protocol.h"
#include "updatestatus.h"
#include "relais-config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char GOOD[] = "# written by relais-booth-health\n"
			   "result=rolled-back\n"
			   "version=0.10-abc1234\n"
			   "from=0.10-0ff1ce5\n"
			   "slot=B\n"
			   "at=2026-12-06T22:10:00Z\n"
			   "detail=not healthy within 300 s: link down\n";

typedef struct {
	char *dir;
	GPtrArray *warnings;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->dir = g_dir_make_tmp("relais-update-status-XXXXXX", &error);
	g_assert_no_error(error);
	f->warnings = g_ptr_array_new_with_free_func(g_free);
}

static void teardown(Fixture *f, gconstpointer data)
{
	g_autoptr(GDir) d = g_dir_open(f->dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(f->dir, name, NULL);
		g_remove(p);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
	g_ptr_array_unref(f->warnings);
}

static RelaisUpdateStatus *parse(Fixture *f, const char *text, GError **error)
{
	g_ptr_array_set_size(f->warnings, 0);
	return relais_update_status_parse(text, strlen(text), f->warnings, error);
}

/* A file whose report is refused, the error naming `needle`. */
static void expect_invalid(Fixture *f, const char *text, const char *needle)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisUpdateStatus) s = parse(f, text, &error);
	if (s != NULL)
		g_error("accepted: %s", text);
	g_assert_error(error, RELAIS_UPDATE_STATUS_ERROR, RELAIS_UPDATE_STATUS_ERROR_INVALID);
	if (strstr(error->message, needle) == NULL)
		g_error("'%s' does not name '%s'", error->message, needle);
}

/* GOOD with `line` replaced by `by` (NULL: removed). */
static char *good_with(const char *line, const char *by)
{
	g_autoptr(GString) s = g_string_new(GOOD);
	g_autofree char *from = g_strconcat(line, "\n", NULL);
	g_autofree char *to = by ? g_strconcat(by, "\n", NULL) : g_strdup("");
	g_assert_cmpuint(g_string_replace(s, from, to, 1), ==, 1);
	return g_string_free(g_steal_pointer(&s), FALSE);
}

static void test_good(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisUpdateStatus) s = parse(f, GOOD, &error);
	g_assert_no_error(error);
	g_assert_cmpint(s->result, ==, RELAIS_UPDATE_ROLLED_BACK);
	g_assert_cmpstr(s->version, ==, "0.10-abc1234");
	g_assert_cmpstr(s->from, ==, "0.10-0ff1ce5");
	g_assert_cmpstr(s->slot, ==, "B");
	g_assert_cmpstr(s->at, ==, "2026-12-06T22:10:00Z");
	g_assert_cmpstr(s->detail, ==, "not healthy within 300 s: link down");
	g_assert_cmpuint(f->warnings->len, ==, 0);

	/* written back, it reads the same */
	g_autofree char *text = relais_update_status_to_data(s);
	g_autoptr(RelaisUpdateStatus) again = parse(f, text, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(again->detail, ==, s->detail);
	g_assert_cmpstr(again->from, ==, s->from);

	/* CRLF, blanks around keys and values, indented comments, an empty
	 * `from`, no detail, a newer service's keys: all fine, no warning */
	g_autoptr(RelaisUpdateStatus) k = parse(f,
						"\r\n  # a comment\r\n\tresult = kept \r\nversion=v2\r\nfrom=\r\n"
						"slot=A\r\nat=2026-12-06T23:10:00+01:00\r\nhealth_deadline_s=300\r\n"
						"x-vendor=whatever",
						&error);
	g_assert_no_error(error);
	g_assert_cmpint(k->result, ==, RELAIS_UPDATE_KEPT);
	g_assert_null(k->from);
	g_assert_null(k->detail);
	g_assert_cmpstr(k->at, ==, "2026-12-06T23:10:00+01:00");
	g_assert_cmpuint(f->warnings->len, ==, 0);

	g_autoptr(RelaisUpdateStatus) failed =
		parse(f, "result=install-failed\nversion=0.11-9\nslot=B\nat=2026-12-07T08:00:00Z\n", &error);
	g_assert_no_error(error);
	g_assert_cmpint(failed->result, ==, RELAIS_UPDATE_INSTALL_FAILED);
}

static void test_bad_lines(Fixture *f, gconstpointer data)
{
	/* each spoils its own line only: the report still stands */
	const char *lines[] = {
		"garbage without an equals sign",
		"=no key",
		"Result=kept",
		"ke y=v",
		"k\xff=v",
		"a-very-long-key-that-nobody-would-ever-write-here=v",
	};
	for (guint i = 0; i < G_N_ELEMENTS(lines); i++) {
		g_autofree char *text = g_strconcat(lines[i], "\n", GOOD, NULL);
		g_autoptr(GError) error = NULL;
		g_autoptr(RelaisUpdateStatus) s = parse(f, text, &error);
		g_assert_no_error(error);
		g_assert_cmpint(s->result, ==, RELAIS_UPDATE_ROLLED_BACK);
		g_assert_cmpuint(f->warnings->len, ==, 1);
		g_assert_nonnull(strstr(g_ptr_array_index(f->warnings, 0), "line 1 ignored"));
		/* the warning shows printable text only */
		for (const char *p = g_ptr_array_index(f->warnings, 0); *p; p++)
			g_assert_true(g_ascii_isprint(*p));
	}

	/* a NUL byte spoils its line: here the result's, so nothing is left */
	static const char nul[] = "result=kept\0x\nversion=v\nslot=A\nat=2026-12-06T22:10:00Z\n";
	g_autoptr(GError) error = NULL;
	g_ptr_array_set_size(f->warnings, 0);
	g_autoptr(RelaisUpdateStatus) s = relais_update_status_parse(nul, sizeof nul - 1, f->warnings, &error);
	g_assert_null(s);
	g_assert_error(error, RELAIS_UPDATE_STATUS_ERROR, RELAIS_UPDATE_STATUS_ERROR_INVALID);
	g_assert_cmpuint(f->warnings->len, ==, 1);
	g_assert_nonnull(strstr(g_ptr_array_index(f->warnings, 0), "NUL"));
	g_clear_error(&error);

	/* a key given twice: the first counts */
	g_autofree char *twice = g_strconcat(GOOD, "result=kept\n", NULL);
	g_autoptr(RelaisUpdateStatus) t = parse(f, twice, &error);
	g_assert_no_error(error);
	g_assert_cmpint(t->result, ==, RELAIS_UPDATE_ROLLED_BACK);
	g_assert_cmpuint(f->warnings->len, ==, 1);
	g_assert_nonnull(strstr(g_ptr_array_index(f->warnings, 0), "twice"));
}

static void test_bad_values(Fixture *f, gconstpointer data)
{
	struct {
		const char *line, *by, *needle;
	} cases[] = {
		{"result=rolled-back", "result=rolled back", "result"},
		{"result=rolled-back", "result=", "result is missing"},
		{"result=rolled-back", NULL, "result is missing"},
		{"version=0.10-abc1234", NULL, "version is missing"},
		{"version=0.10-abc1234", "version=0.10 abc", "version"},
		{"version=0.10-abc1234", "version=<script>", "version"},
		{"from=0.10-0ff1ce5", "from=../../etc", "from"},
		{"slot=B", "slot=C", "slot"},
		{"slot=B", "slot=b", "slot"},
		{"slot=B", NULL, "slot is missing"},
		{"at=2026-12-06T22:10:00Z", "at=2026-12-06 22:10", "at"},
		{"at=2026-12-06T22:10:00Z", "at=2026-12-06T22:10:00", "at"},
		{"at=2026-12-06T22:10:00Z", "at=yesterday", "at"},
		{"detail=not healthy within 300 s: link down", "detail=bell \x07 here", "detail"},
		{"detail=not healthy within 300 s: link down", "detail=\xc3\x28 not UTF-8", "detail"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *text = good_with(cases[i].line, cases[i].by);
		expect_invalid(f, text, cases[i].needle);
	}
	g_autofree char *long_version = g_strnfill(CONFIG_RELAIS_PROTO_MAX_ID + 1, '7');
	g_autofree char *version_line = g_strconcat("version=", long_version, NULL);
	g_autofree char *text = good_with("version=0.10-abc1234", version_line);
	expect_invalid(f, text, "version");
	expect_invalid(f, "", "result is missing");
	expect_invalid(f, "# nothing but a comment\n", "result is missing");
}

static void test_long_detail(Fixture *f, gconstpointer data)
{
	/* a detail past the protocol's text cap is cut at a character
	 * boundary, with a warning: it explains, the report still goes */
	g_autoptr(GString) d = g_string_new("detail=");
	while (d->len < CONFIG_RELAIS_PROTO_MAX_TEXT + 100)
		g_string_append(d, "é");
	g_autofree char *text = good_with("detail=not healthy within 300 s: link down", d->str);
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisUpdateStatus) s = parse(f, text, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(strlen(s->detail), <=, CONFIG_RELAIS_PROTO_MAX_TEXT);
	g_assert_cmpuint(strlen(s->detail), >=, CONFIG_RELAIS_PROTO_MAX_TEXT - 1);
	g_assert_true(g_utf8_validate(s->detail, -1, NULL));
	g_assert_cmpuint(f->warnings->len, ==, 1);
	g_assert_nonnull(strstr(g_ptr_array_index(f->warnings, 0), "cut"));
	/* and it passes the protocol */
	g_autoptr(JsonObject) msg = relais_update_status_message(s);
	g_assert_true(relais_msg_check(msg, &error));
	g_assert_no_error(error);
}

static char *write_file(Fixture *f, const char *name, const char *data, gssize len)
{
	char *path = g_build_filename(f->dir, name, NULL);
	g_autoptr(GError) error = NULL;
	g_assert_true(g_file_set_contents(path, data, len, &error));
	g_assert_no_error(error);
	return path;
}

static void expect_load_error(Fixture *f, const char *path, gint code, const char *needle)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisUpdateStatus) s = relais_update_status_load(path, f->warnings, &error);
	g_assert_null(s);
	g_assert_error(error, RELAIS_UPDATE_STATUS_ERROR, code);
	if (strstr(error->message, needle) == NULL)
		g_error("'%s' does not name '%s'", error->message, needle);
	g_assert_nonnull(strstr(error->message, path));
}

static void test_files(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *good = write_file(f, "update-status", GOOD, -1);
	g_autoptr(RelaisUpdateStatus) s = relais_update_status_load(good, f->warnings, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(s->version, ==, "0.10-abc1234");

	g_autofree char *missing = g_build_filename(f->dir, "none", NULL);
	expect_load_error(f, missing, RELAIS_UPDATE_STATUS_ERROR_MISSING, "no update status");

	/* the size cap: exactly at it reads, one byte more does not */
	g_autoptr(GString) big = g_string_new(GOOD);
	while (big->len < RELAIS_UPDATE_STATUS_MAX_BYTES)
		g_string_append_c(big, big->len % 64 == 63 ? '\n' : '#');
	g_string_truncate(big, RELAIS_UPDATE_STATUS_MAX_BYTES);
	g_autofree char *at_cap = write_file(f, "at-cap", big->str, big->len);
	g_autoptr(RelaisUpdateStatus) fits = relais_update_status_load(at_cap, f->warnings, &error);
	g_assert_no_error(error);
	g_assert_nonnull(fits);
	g_string_append_c(big, '\n');
	g_autofree char *over = write_file(f, "over-cap", big->str, big->len);
	expect_load_error(f, over, RELAIS_UPDATE_STATUS_ERROR_UNREADABLE, "4096");
	/* a huge file is not read whole: 64 MiB of it fails as fast */
	g_autofree char *huge = g_build_filename(f->dir, "huge", NULL);
	FILE *h = fopen(huge, "w");
	g_assert_nonnull(h);
	g_assert_cmpint(ftruncate(fileno(h), 64 << 20), ==, 0);
	fclose(h);
	expect_load_error(f, huge, RELAIS_UPDATE_STATUS_ERROR_UNREADABLE, "4096");

	/* not a regular file: a folder, a FIFO (which must not block), a link */
	expect_load_error(f, f->dir, RELAIS_UPDATE_STATUS_ERROR_UNREADABLE, "not a regular file");
	g_autofree char *fifo = g_build_filename(f->dir, "fifo", NULL);
	g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
	expect_load_error(f, fifo, RELAIS_UPDATE_STATUS_ERROR_UNREADABLE, "not a regular file");
	g_autofree char *link = g_build_filename(f->dir, "link", NULL);
	g_assert_cmpint(symlink(good, link), ==, 0);
	expect_load_error(f, link, RELAIS_UPDATE_STATUS_ERROR_UNREADABLE, link);
	/* an invalid one says which file */
	g_autofree char *bad = write_file(f, "bad", "result=maybe\nversion=v\nslot=A\nat=2026-12-06T22:10:00Z\n", -1);
	expect_load_error(f, bad, RELAIS_UPDATE_STATUS_ERROR_INVALID, "result");
	/* unreadable (not as root, which reads anything) */
	if (geteuid() != 0) {
		g_autofree char *locked = write_file(f, "locked", GOOD, -1);
		g_assert_cmpint(chmod(locked, 0), ==, 0);
		expect_load_error(f, locked, RELAIS_UPDATE_STATUS_ERROR_UNREADABLE, "ermission");
	}
}

/* Random bytes and mangled good files: an answer every time, never a crash. */
static void test_random(Fixture *f, gconstpointer data)
{
	guint accepted = 0;
	for (guint round = 0; round < 2000; round++) {
		gsize len = g_test_rand_int_range(0, 300);
		g_autofree char *buf = NULL;
		if (round % 2) {
			buf = g_malloc(len + 1);
			for (gsize i = 0; i < len; i++)
				buf[i] = (char)g_test_rand_int_range(0, 256);
		} else {
			/* a good file with a few bytes flipped */
			len = strlen(GOOD);
			buf = g_memdup2(GOOD, len + 1);
			for (int k = 0; k < 3; k++)
				buf[g_test_rand_int_range(0, len)] = (char)g_test_rand_int_range(0, 256);
		}
		g_autoptr(GError) error = NULL;
		g_ptr_array_set_size(f->warnings, 0);
		g_autoptr(RelaisUpdateStatus) s = relais_update_status_parse(buf, len, f->warnings, &error);
		g_assert_true((s == NULL) != (error == NULL));
		if (s == NULL)
			continue;
		accepted++;
		/* what is accepted is what the protocol takes */
		g_autoptr(JsonObject) msg = relais_update_status_message(s);
		g_assert_true(relais_msg_check(msg, &error));
		g_assert_no_error(error);
	}
	g_test_message("%u of 2000 mangled files still made a report", accepted);
}

static void test_cmdline(void)
{
	const struct {
		const char *cmdline, *slot;
	} cases[] = {
		{"console=ttyAMA0 root=/dev/vda4 rauc.slot=A rootwait\n", "A"},
		{"rauc.slot=B", "B"},
		{"rauc.slot=A quiet rauc.slot=B", "B"},
		{"rauc.slot=C", NULL},
		{"rauc.slot=", NULL},
		{"xrauc.slot=A", NULL},
		{"rauc.slot=AB", NULL},
		{"", NULL},
		{"BOOT_IMAGE=/vmlinuz root=UUID=1234 ro", NULL},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *slot = relais_cmdline_slot(cases[i].cmdline);
		g_assert_cmpstr(slot, ==, cases[i].slot);
	}
	g_assert_null(relais_cmdline_slot(NULL));
}

static void test_version(void)
{
	const struct {
		const char *raw, *id;
	} cases[] = {
		{"0.10-abc1234", "0.10-abc1234"},
		{"0.10-abc1234.dirty", "0.10-abc1234.dirty"},
		{"0.10-v1+rc/2 x", "0.10-v1_rc_2_x"},
		{"", "unknown"},
		{NULL, "unknown"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *v = relais_version_sanitize(cases[i].raw);
		g_assert_cmpstr(v, ==, cases[i].id);
	}
	g_autofree char *long_raw = g_strnfill(200, 'a');
	g_autofree char *cut = relais_version_sanitize(long_raw);
	g_assert_cmpuint(strlen(cut), ==, CONFIG_RELAIS_PROTO_MAX_ID);
}

/* the image's /etc/relais-release, as customize.sh writes it */
static void test_release(void)
{
	struct {
		const char *text, *want;
	} cases[] = {
		{"RELAIS_VERSION=0.10\nRELAIS_BUILD_ID=abc1234\nRELAIS_BOARD=qemu-arm64\n", "0.10-abc1234"},
		{"RELAIS_BUILD_ID=abc1234-dirty\nRELAIS_VERSION=0.10\n", "0.10-abc1234.dirty"},
		{"RELAIS_VERSION=0.10\r\nRELAIS_BUILD_ID=abc1234.u2\r\n", "0.10-abc1234.u2"},
		{"RELAIS_VERSION=0.10\nRELAIS_BUILD_ID=a b/c\n", "0.10-a_b_c"},
		{"RELAIS_VERSION=0.10\n", NULL},
		{"RELAIS_VERSION=\nRELAIS_BUILD_ID=abc\n", NULL},
		{"", NULL},
		{"garbage\n\x01\x02", NULL},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *v = relais_release_version(cases[i].text);
		g_assert_cmpstr(v, ==, cases[i].want);
	}
	g_assert_null(relais_release_version(NULL));
	g_autofree char *big = g_strnfill(5000, 'x');
	g_assert_null(relais_release_version(big));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/update-status/good", Fixture, NULL, setup, test_good, teardown);
	g_test_add("/update-status/bad-lines", Fixture, NULL, setup, test_bad_lines, teardown);
	g_test_add("/update-status/bad-values", Fixture, NULL, setup, test_bad_values, teardown);
	g_test_add("/update-status/long-detail", Fixture, NULL, setup, test_long_detail, teardown);
	g_test_add("/update-status/files", Fixture, NULL, setup, test_files, teardown);
	g_test_add("/update-status/random", Fixture, NULL, setup, test_random, teardown);
	g_test_add_func("/update-status/cmdline", test_cmdline);
	g_test_add_func("/update-status/version", test_version);
	g_test_add_func("/update-status/release", test_release);
	return g_test_run();
}
