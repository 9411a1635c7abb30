/* SPDX-License-Identifier: GPL-2.0-or-later */
/* relaisctl provision on real disk images, made as a technician's would be:
 * a file with an MBR or a GPT written by sfdisk and a FAT partition made by
 * mkfs.vfat --offset, no root and no loop mount. The settings file is read
 * back with mtools (mtype) and parsed with boothconf; a folder target; and
 * the clear errors: no FAT partition, an image cut short, a corrupt GPT,
 * mtools missing, a bad URL, CA or token, no PIN, a PIN on the command line. */
#include "boothconf.h"
#include "cert.h"
#include "harness.h"
#include "pinhash.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN  "q0N-4m_Zx8T3tY2uV1wR7sP6oL5kJ4iH3gF2eD1cB0a"
#define TOKEN2 "Zz9-8y_Xw7V6uT5sR4qP3oN2mL1kJ0iH9gF8eD7cB6a"
#define PIN    "2468"
/* the FAT partition of the MBR image: 1 MiB in, 32 MiB long */
#define MBR_FAT_SECTOR 2048
/* the GPT image: a Linux partition first, then the EFI System one */
#define GPT_FAT_SECTOR 18432

typedef struct {
	char *dir;
	char *image;
	char *ca, *key; /* a real certificate and its key (PEM files) */
	char *token_file;
	char *pin_file;
} Fixture;

static char *tool(const char *name)
{
	char *p = g_find_program_in_path(name);
	/* sfdisk and mkfs.vfat are in /usr/sbin, outside a user's PATH */
	if (p == NULL)
		p = g_build_filename("/usr/sbin", name, NULL);
	if (!g_file_test(p, G_FILE_TEST_IS_EXECUTABLE))
		g_error("%s is needed (board/host/packages.txt: fdisk, dosfstools, mtools)", name);
	return p;
}

typedef struct {
	int status;
	char *out, *err;
} Run;

static void run_clear(Run *r)
{
	g_free(r->out);
	g_free(r->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Run, run_clear)

/* Runs argv with `input` on standard input and, if path is not NULL, that
 * PATH. The input comes from a file, not a pipe: relaisctl refuses bad
 * options before it reads the PIN, and writing to a pipe it has closed would
 * fail the test instead. */
static void run(Run *r, const char *const *argv, const char *input, const char *path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSubprocessLauncher) l =
		g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
	g_autofree char *in = NULL;
	int fd = g_file_open_tmp("relais-provision-stdin-XXXXXX", &in, &error);
	g_assert_no_error(error);
	close(fd);
	g_assert_true(g_file_set_contents(in, input ? input : "", -1, &error));
	g_subprocess_launcher_set_stdin_file_path(l, in);
	if (path)
		g_subprocess_launcher_setenv(l, "PATH", path, TRUE);
	g_autoptr(GSubprocess) p = g_subprocess_launcher_spawnv(l, argv, &error);
	g_assert_no_error(error);
	g_assert_true(g_subprocess_communicate_utf8(p, NULL, NULL, &r->out, &r->err, &error));
	g_assert_no_error(error);
	r->status = g_subprocess_get_if_exited(p) ? g_subprocess_get_exit_status(p) : -1;
	g_unlink(in);
}

static void run_ok(const char *const *argv, const char *input)
{
	g_auto(Run) r = {0};
	run(&r, argv, input, NULL);
	if (r.status != 0)
		g_error("%s: exit %d\n%s%s", argv[0], r.status, r.out, r.err);
}

/* An image of `mib` MiB with the partition table `script` (sfdisk's input)
 * and a FAT file system of fat_kib KiB at sector fat_sector (0: none). */
static void make_image(const char *path, guint mib, const char *script, guint fat_sector, guint fat_kib)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GFile) f = g_file_new_for_path(path);
	g_autoptr(GFileOutputStream) s = g_file_replace(f, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(g_seekable_truncate(G_SEEKABLE(s), (goffset)mib * 1024 * 1024, NULL, &error));
	g_assert_true(g_output_stream_close(G_OUTPUT_STREAM(s), NULL, &error));
	g_autofree char *sfdisk = tool("sfdisk");
	const char *argv[] = {sfdisk, "--quiet", "--no-reread", "--no-tell-kernel", path, NULL};
	run_ok(argv, script);
	if (fat_sector == 0)
		return;
	g_autofree char *mkfs = tool("mkfs.vfat");
	g_autofree char *offset = g_strdup_printf("--offset=%u", fat_sector);
	g_autofree char *blocks = g_strdup_printf("%u", fat_kib);
	const char *mk[] = {mkfs, offset, "-n", "BOOT", path, blocks, NULL};
	run_ok(mk, NULL);
}

static void make_mbr_image(Fixture *fx)
{
	make_image(fx->image, 48, "label: dos\nstart=2048, size=65536, type=c\nstart=67584, type=83\n", MBR_FAT_SECTOR,
		   32 * 1024);
}

static void make_gpt_image(Fixture *fx)
{
	make_image(fx->image, 48,
		   "label: gpt\nstart=2048, size=16384, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n"
		   "start=18432, size=65536, type=U\n",
		   GPT_FAT_SECTOR, 32 * 1024);
}

static void fx_setup(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->dir = g_dir_make_tmp("relais-provision-XXXXXX", &error);
	g_assert_no_error(error);
	fx->image = g_build_filename(fx->dir, "booth.img", NULL);
	g_assert_true(sb_cert_make_self_signed(fx->dir, "switchboard.test", 30, FALSE, &error));
	fx->ca = g_build_filename(fx->dir, SB_CERT_FILE, NULL);
	fx->key = g_build_filename(fx->dir, SB_KEY_FILE, NULL);
	fx->token_file = g_build_filename(fx->dir, "token", NULL);
	g_assert_true(g_file_set_contents(fx->token_file, TOKEN "\n", -1, &error));
	fx->pin_file = g_build_filename(fx->dir, "pin", NULL);
	g_assert_true(g_file_set_contents(fx->pin_file, PIN "\n", -1, &error));
}

static void fx_teardown(Fixture *fx, gconstpointer data)
{
	rt_rm_rf(fx->dir);
	g_free(fx->dir);
	g_free(fx->image);
	g_free(fx->ca);
	g_free(fx->key);
	g_free(fx->token_file);
	g_free(fx->pin_file);
}

/* relaisctl provision with the fixture's good options, `extra` (NULL
 * terminated) before the target. */
static void provision(Fixture *fx, Run *r, const char *target, const char *input, const char *path,
		      const char *const *extra)
{
	g_autofree char *bin = g_build_filename(rt_build(), "bin", "relaisctl", NULL);
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	const char *base[] = {bin,	"provision",  "--switchboard", "wss://switchboard.test:8443/ws/booth",
			      "--ca",	fx->ca,	      "--name",	       "mediatheque-1",
			      "--site", "Médiathèque"};
	for (guint i = 0; i < G_N_ELEMENTS(base); i++)
		g_ptr_array_add(argv, (gpointer)base[i]);
	gboolean has_token = FALSE;
	for (const char *const *e = extra; e && *e; e++) {
		has_token |= g_str_has_prefix(*e, "--token");
		g_ptr_array_add(argv, (gpointer)*e);
	}
	if (!has_token) {
		g_ptr_array_add(argv, "--token-file");
		g_ptr_array_add(argv, fx->token_file);
	}
	g_ptr_array_add(argv, (gpointer)target);
	g_ptr_array_add(argv, NULL);
	run(r, (const char *const *)argv->pdata, input, path);
}

/* mtype of the settings file on the image's FAT partition at `sector`, as
 * a booth's card reader would read it. */
static void mtype_settings(Fixture *fx, guint sector, Run *r)
{
	g_autofree char *spec = g_strdup_printf("%s@@%u", fx->image, sector * 512);
	g_autofree char *mtype = tool("mtype");
	const char *argv[] = {mtype, "-i", spec, "::/relais/booth.conf", NULL};
	run(r, argv, NULL, NULL);
}

static gboolean has_settings(Fixture *fx, guint sector)
{
	g_auto(Run) r = {0};
	mtype_settings(fx, sector, &r);
	return r.status == 0;
}

/* The settings file read back and parsed. */
static RelaisBoothConf *read_back(Fixture *fx, guint sector)
{
	g_auto(Run) r = {0};
	mtype_settings(fx, sector, &r);
	if (r.status != 0)
		g_error("mtype: exit %d: %s", r.status, r.err);
	g_autoptr(GError) error = NULL;
	RelaisBoothConf *c = relais_boothconf_parse(r.out, strlen(r.out), &error);
	g_assert_no_error(error);
	return c;
}

static void check_conf(Fixture *fx, const RelaisBoothConf *c)
{
	g_autofree char *ca = NULL;
	g_assert_true(g_file_get_contents(fx->ca, &ca, NULL, NULL));
	g_assert_cmpstr(c->switchboard_url, ==, "wss://switchboard.test:8443/ws/booth");
	g_assert_cmpstr(c->ca_pem, ==, ca);
	g_assert_cmpstr(c->name, ==, "mediatheque-1");
	g_assert_cmpstr(c->site, ==, "Médiathèque");
	g_assert_cmpstr(c->token, ==, TOKEN);
	g_assert_true(relais_pinhash_check(PIN, c->pin_hash));
	g_assert_false(relais_pinhash_check("2469", c->pin_hash));
}

static void test_mbr_image(Fixture *fx, gconstpointer data)
{
	make_mbr_image(fx);
	g_autofree char *psk = g_build_filename(fx->dir, "psk", NULL);
	g_assert_true(g_file_set_contents(psk, "correct horse battery\n", -1, NULL));
	g_auto(Run) r = {0};
	/* the PIN on standard input */
	const char *extra[] = {"--wifi-ssid", "Bibliothèque", "--wifi-psk-file", psk, NULL};
	provision(fx, &r, fx->image, PIN "\n", NULL, extra);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.out, "partition 1"));
	g_assert_nonnull(strstr(r.out, "MBR, FAT at byte 1048576"));
	g_autoptr(RelaisBoothConf) c = read_back(fx, MBR_FAT_SECTOR);
	check_conf(fx, c);
	g_assert_cmpstr(c->wifi_ssid, ==, "Bibliothèque");
	g_assert_cmpstr(c->wifi_psk, ==, "correct horse battery");
	/* the PIN itself is nowhere in the image */
	g_autofree char *img = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(fx->image, &img, &len, NULL));
	g_assert_null(g_strstr_len(img, (gssize)len, "technician-pin=" PIN));

	/* provisioning again replaces the file */
	g_auto(Run) again = {0};
	const char *token[] = {"--token", TOKEN2, "--pin-file", fx->pin_file, NULL};
	provision(fx, &again, fx->image, NULL, NULL, token);
	g_assert_cmpint(again.status, ==, 0);
	g_autoptr(RelaisBoothConf) c2 = read_back(fx, MBR_FAT_SECTOR);
	g_assert_cmpstr(c2->token, ==, TOKEN2);
	g_assert_null(c2->wifi_ssid);
}

static void test_gpt_image(Fixture *fx, gconstpointer data)
{
	make_gpt_image(fx);
	g_auto(Run) r = {0};
	const char *extra[] = {"--pin-file", fx->pin_file, NULL};
	provision(fx, &r, fx->image, NULL, NULL, extra);
	if (r.status != 0)
		g_error("relaisctl: %s", r.err);
	g_assert_nonnull(strstr(r.out, "partition 2"));
	g_assert_nonnull(strstr(r.out, "GPT"));
	g_autoptr(RelaisBoothConf) c = read_back(fx, GPT_FAT_SECTOR);
	check_conf(fx, c);
	g_assert_null(c->wifi_ssid);
}

static void test_folder(Fixture *fx, gconstpointer data)
{
	g_autofree char *boot = g_build_filename(fx->dir, "boot", NULL);
	g_assert_cmpint(g_mkdir(boot, 0755), ==, 0);
	g_auto(Run) r = {0};
	const char *extra[] = {"--token", TOKEN, NULL};
	provision(fx, &r, boot, PIN "\n", NULL, extra);
	g_assert_cmpint(r.status, ==, 0);
	g_autofree char *path = g_build_filename(boot, RELAIS_BOOTHCONF_BOOT_PATH, NULL);
	GStatBuf st;
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisBoothConf) c = relais_boothconf_load(path, &error);
	g_assert_no_error(error);
	check_conf(fx, c);
}

static void expect_failure(Fixture *fx, const char *target, const char *input, const char *path,
			   const char *const *extra, int status, const char *needle)
{
	g_auto(Run) r = {0};
	provision(fx, &r, target, input, path, extra);
	if (r.status != status || strstr(r.err, needle) == NULL)
		g_error("wanted exit %d and '%s', got exit %d: %s%s", status, needle, r.status, r.out, r.err);
	g_assert_true(g_str_has_prefix(r.err, "relaisctl: "));
}

static void test_image_errors(Fixture *fx, gconstpointer data)
{
	/* only a Linux partition */
	make_image(fx->image, 8, "label: dos\nstart=2048, type=83\n", 0, 0);
	expect_failure(fx, fx->image, PIN "\n", NULL, NULL, 1, "no FAT partition in its MBR partition table");
	/* an image cut short (a download that stopped) */
	make_mbr_image(fx);
	g_assert_cmpint(truncate(fx->image, 20 * 1024 * 1024), ==, 0);
	expect_failure(fx, fx->image, PIN "\n", NULL, NULL, 1, "too small: partition 1 ends at byte 34603008");
	/* a GPT with one byte changed in its header */
	make_gpt_image(fx);
	{
		g_autofree char *img = NULL;
		gsize len = 0;
		g_assert_true(g_file_get_contents(fx->image, &img, &len, NULL));
		img[512 + 40] ^= 0x01;
		g_assert_true(g_file_set_contents(fx->image, img, (gssize)len, NULL));
	}
	expect_failure(fx, fx->image, PIN "\n", NULL, NULL, 1, "the GPT header's checksum is wrong");
	/* mtools not installed */
	make_mbr_image(fx);
	g_autofree char *empty = g_build_filename(fx->dir, "empty-path", NULL);
	g_assert_cmpint(g_mkdir(empty, 0755), ==, 0);
	expect_failure(fx, fx->image, PIN "\n", empty, NULL, 1, "mtools is not installed");
	/* nothing was written by any of these */
	g_assert_false(has_settings(fx, MBR_FAT_SECTOR));
	/* not an image, a device or a folder */
	expect_failure(fx, "/dev/null", PIN "\n", NULL, NULL, 1, "is not a disk image, a block device or a folder");
	g_autofree char *none = g_build_filename(fx->dir, "none.img", NULL);
	expect_failure(fx, none, PIN "\n", NULL, NULL, 1, "No such file");
}

static void test_input_errors(Fixture *fx, gconstpointer data)
{
	make_mbr_image(fx);
	const char *bad_url[] = {"--switchboard", "http://switchboard.test/ws/booth", NULL};
	expect_failure(fx, fx->image, PIN "\n", NULL, bad_url, 1, "the scheme must be wss://, ws:// or https://");
	const char *key_as_ca[] = {"--ca", fx->key, NULL};
	expect_failure(fx, fx->image, PIN "\n", NULL, key_as_ca, 1, "not a CERTIFICATE");
	g_autofree char *nothing = g_build_filename(fx->dir, "nothing.pem", NULL);
	const char *no_ca[] = {"--ca", nothing, NULL};
	expect_failure(fx, fx->image, PIN "\n", NULL, no_ca, 1, "--ca: ");
	const char *bad_token[] = {"--token", "abc", NULL};
	expect_failure(fx, fx->image, PIN "\n", NULL, bad_token, 1, "enrolment-token must be 43 characters");
	const char *two_tokens[] = {"--token", TOKEN, "--token-file", fx->token_file, NULL};
	expect_failure(fx, fx->image, PIN "\n", NULL, two_tokens, 2, "--token or --token-file");
	const char *bad_name[] = {"--name", "booth one", NULL};
	expect_failure(fx, fx->image, PIN "\n", NULL, bad_name, 1, "[booth] name");
	const char *psk_alone[] = {"--wifi-psk-file", fx->pin_file, NULL};
	expect_failure(fx, fx->image, PIN "\n", NULL, psk_alone, 2, "--wifi-psk-file needs --wifi-ssid");
	/* the PIN: never on the command line, required, digits */
	const char *pin_arg[] = {"--pin", PIN, NULL};
	expect_failure(fx, fx->image, PIN "\n", NULL, pin_arg, 2, "Unknown option --pin");
	expect_failure(fx, fx->image, "", NULL, NULL, 1, "no technician PIN on standard input");
	expect_failure(fx, fx->image, "12\n", NULL, NULL, 1, "the technician PIN must have 4 to 16 digits");
	expect_failure(fx, fx->image, "12ab\n", NULL, NULL, 1, "digits only");
	/* and the image is untouched */
	g_assert_false(has_settings(fx, MBR_FAT_SECTOR));
}

static void test_help(Fixture *fx, gconstpointer data)
{
	g_autofree char *bin = g_build_filename(rt_build(), "bin", "relaisctl", NULL);
	g_auto(Run) help = {0}, none = {0}, bogus = {0}, phelp = {0};
	const char *a[] = {bin, "--help", NULL};
	run(&help, a, NULL, NULL);
	g_assert_cmpint(help.status, ==, 0);
	g_assert_nonnull(strstr(help.out, "provision"));
	const char *b[] = {bin, NULL};
	run(&none, b, NULL, NULL);
	g_assert_cmpint(none.status, ==, 2);
	const char *c[] = {bin, "bogus", NULL};
	run(&bogus, c, NULL, NULL);
	g_assert_cmpint(bogus.status, ==, 2);
	g_assert_nonnull(strstr(bogus.err, "unknown command 'bogus'"));
	const char *d[] = {bin, "provision", "--help", NULL};
	run(&phelp, d, NULL, NULL);
	g_assert_cmpint(phelp.status, ==, 0);
	g_assert_nonnull(strstr(phelp.out, "--pin-file"));
	g_assert_nonnull(strstr(phelp.out, RELAIS_BOOTHCONF_BOOT_PATH));
}

/* --- a booth started from what was provisioned ------------------------------ */

typedef struct {
	const char *dir, *id, *state, *link;
	const char *reason; /* nullable: a part of the fault it must show */
} BoothWait;

static gboolean booth_is(gpointer data)
{
	BoothWait *w = data;
	g_autoptr(JsonObject) st = rt_control(w->dir, w->id, "{\"cmd\":\"status\"}");
	const char *reason = st ? rt_json_str(st, "reason") : NULL;
	return st && g_strcmp0(rt_json_str(st, "state"), w->state) == 0 &&
	       (w->link == NULL || g_strcmp0(rt_json_str(st, "link"), w->link) == 0) &&
	       (w->reason == NULL || (reason && strstr(reason, w->reason)));
}

/* relais-booth with --settings `settings`, its control socket dir/<id>.sock,
 * started in dir with the settings file and state folder given as relative
 * paths, as a technician types them (the CA written beside the state must
 * still be found: a relative CA path once verified nothing). */
static GSubprocess *start_booth(Fixture *fx, const char *id, const char *settings_path)
{
	g_autofree char *bin = g_build_filename(rt_build(), "bin", "relais-booth", NULL);
	g_autofree char *pipelines = rt_pipelines_dir();
	g_autofree char *sock = g_strdup_printf("%s/%s.sock", fx->dir, id);
	const char *state = "state";
	g_assert_true(g_str_has_prefix(settings_path, fx->dir));
	const char *settings = settings_path + strlen(fx->dir) + 1;
	g_autofree char *log = g_strdup_printf("%s/%s.log", fx->dir, id);
	g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
	g_subprocess_launcher_set_cwd(l, fx->dir);
	g_subprocess_launcher_set_stderr_file_path(l, log);
	g_autoptr(GError) error = NULL;
	GSubprocess *p =
		g_subprocess_launcher_spawn(l, &error, bin, "--settings", settings, "--state-dir", state, "--control",
					    sock, "--pipelines", pipelines, "--board", "sim", NULL);
	g_assert_no_error(error);
	return p;
}

/* Provisioned into an image, the settings file taken off the card as the
 * booth's boot partition would show it: the booth starts from it alone (no
 * --switchboard, --booth-id, --site) and reaches idle, linked. */
static void test_booth_from_image(Fixture *fx, gconstpointer data)
{
	guint port = 0;
	GSubprocess *sb = rt_start_switchboard(fx->dir, 0, &port);
	make_mbr_image(fx);
	/* the real thing: the switchboard's booth listener, the certificate
	 * booths trust for it, a token from `booth add` */
	g_autofree char *url = rt_booth_url(fx->dir);
	g_autofree char *ca = rt_booth_ca_file(fx->dir);
	g_autofree char *token = rt_booth_token(fx->dir, "mediatheque-1");
	g_auto(Run) r = {0};
	const char *extra[] = {"--switchboard", url, "--ca", ca, "--token", token, "--pin-file", fx->pin_file, NULL};
	provision(fx, &r, fx->image, NULL, NULL, extra);
	if (r.status != 0)
		g_error("relaisctl: %s", r.err);
	g_auto(Run) t = {0};
	mtype_settings(fx, MBR_FAT_SECTOR, &t);
	g_assert_cmpint(t.status, ==, 0);
	g_autofree char *settings = g_build_filename(fx->dir, "booth.conf", NULL);
	g_assert_true(g_file_set_contents(settings, t.out, -1, NULL));

	GSubprocess *booth = start_booth(fx, "mediatheque-1", settings);
	BoothWait idle = {fx->dir, "mediatheque-1", "idle", "up", NULL};
	g_assert_true(rt_wait(booth_is, &idle, 20000));
	/* it enrolled: its key and certificate are on its state folder, and
	 * the spent token is gone from the settings file */
	g_autofree char *crt = g_build_filename(fx->dir, "state", "booth.crt", NULL);
	g_assert_true(g_file_test(crt, G_FILE_TEST_IS_REGULAR));
	g_autofree char *after = NULL;
	g_assert_true(g_file_get_contents(settings, &after, NULL, NULL));
	g_assert_null(strstr(after, token));
	rt_stop(&booth);
	rt_stop(&sb);
}

/* A corrupt settings file, then one without a CA: out of order with the
 * reason, never an exit; a technician's good file brings the booth up by
 * itself. */
static void test_booth_not_set_up(Fixture *fx, gconstpointer data)
{
	guint port = 0;
	GSubprocess *sb = rt_start_switchboard(fx->dir, 0, &port);
	g_autofree char *settings = g_build_filename(fx->dir, "booth.conf", NULL);
	g_assert_true(g_file_set_contents(settings, "[switchboard\nurl=\x01\n", -1, NULL));
	GSubprocess *booth = start_booth(fx, "not-set-up", settings);
	BoothWait ooo = {fx->dir, "not-set-up", "out_of_order", "down", "This booth is not set up yet"};
	g_assert_true(rt_wait(booth_is, &ooo, 20000));
	g_autoptr(JsonObject) st = rt_control(fx->dir, "not-set-up", "{\"cmd\":\"status\"}");
	g_assert_nonnull(strstr(rt_json_str(st, "reason"), "This booth is not set up yet"));
	g_assert_nonnull(strstr(rt_json_str(st, "reason"), "call a technician"));
	g_assert_nonnull(g_subprocess_get_identifier(booth)); /* still running */

	/* provisioned into a folder, with no CA: still not set up, saying why */
	g_autofree char *url = rt_booth_url(fx->dir);
	g_autofree char *data_text =
		g_strdup_printf("[switchboard]\nurl=%s\n[booth]\nname=not-set-up\nsite=Lib\n", url);
	g_assert_true(g_file_set_contents(settings, data_text, -1, NULL));
	/* the booth was started with the corrupt file and says so until it
	 * can start with a good one; the incomplete file is not one */
	g_assert_false(relais_boothconf_parse(data_text, strlen(data_text), NULL));
	g_assert_true(rt_wait(booth_is, &ooo, 20000));

	/* the good file: the booth starts again with it and links up */
	g_autofree char *folder = g_build_filename(fx->dir, "bootfs", NULL);
	g_assert_cmpint(g_mkdir(folder, 0700), ==, 0);
	g_auto(Run) r = {0};
	g_autofree char *ca = rt_booth_ca_file(fx->dir);
	g_autofree char *token = rt_booth_token(fx->dir, "not-set-up");
	const char *extra[] = {"--switchboard", url,   "--name",     "not-set-up", "--ca", ca,
			       "--token",	token, "--pin-file", fx->pin_file, NULL};
	provision(fx, &r, folder, NULL, NULL, extra);
	if (r.status != 0)
		g_error("relaisctl: %s", r.err);
	g_autofree char *good = g_build_filename(folder, "relais", "booth.conf", NULL);
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(good, &text, NULL, NULL));
	g_assert_true(g_file_set_contents(settings, text, -1, NULL));
	BoothWait idle = {fx->dir, "not-set-up", "idle", "up", NULL};
	g_assert_true(rt_wait(booth_is, &idle, 30000));
	rt_stop(&booth);
	rt_stop(&sb);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fx_setup, fn, fx_teardown)
	ADD("/provision/mbr-image", test_mbr_image);
	ADD("/provision/gpt-image", test_gpt_image);
	ADD("/provision/folder", test_folder);
	ADD("/provision/image-errors", test_image_errors);
	ADD("/provision/input-errors", test_input_errors);
	ADD("/provision/help", test_help);
	ADD("/provision/booth-from-image", test_booth_from_image);
	ADD("/provision/booth-not-set-up", test_booth_not_set_up);
	return g_test_run();
}
