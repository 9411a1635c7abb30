/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * relaisctl: the technician's and administrator's tool (firmware/tools/README.md).
 *
 *   relaisctl provision --switchboard URL --ca FILE --name NAME --site SITE
 *                       (--token TOKEN | --token-file FILE) [--pin-file FILE]
 *                       [--wifi-ssid SSID [--wifi-psk-file FILE]] TARGET
 *
 * writes the booth's settings file (firmware/lib/boothconf.h) as
 * relais/booth.conf on the FAT boot partition of TARGET: a disk image file or
 * a card's block device (its partition table is read and the file written
 * with mtools at the partition's offset: no root, no loop mount), or a
 * folder (a mounted boot partition, or anywhere for tests). The technician
 * PIN is read from --pin-file or standard input, never from the command line
 * (where `ps` and the shell history would show it).
 *
 *   relaisctl diag BOOTH --switchboard URL [--ca-file FILE] --login LOGIN [--json]
 *
 * prints a booth's diagnostic report, fetched by the switchboard from the
 * booth through its link, as an administrator (diagclient.h, diagtext.h).
 * The password comes from RELAIS_PASSWORD or standard input (not echoed).
 *
 *   relaisctl update BOOTH BUNDLE --switchboard URL [--ca-file FILE] --login LOGIN [--wait MIN]
 *
 * uploads a signed RAUC bundle to the switchboard and asks booth BOOTH to
 * install it (an update sent from afar); with --wait, follows it until the
 * booth kept it, rolled back or failed (diagclient.h).
 *
 *   relaisctl flash IMAGE DEVICE [--bmap FILE] [--force] [--verify-only]
 *
 * writes a disk image onto a card with bmaptool and reads it back to compare
 * (firmware/lib/flash.h); it refuses unsafe targets before writing anything.
 */
#include "boothconf.h"
#include "diagclient.h"
#include "diagtext.h"
#include "disklabel.h"
#include "flash.h"
#include "pinhash.h"
#include "secretline.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <gio/gunixmounts.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_USAGE 2
/* longer lines are read as empty, and the PIN policy refuses them */
#define PIN_LINE_MAX 64

static const char usage[] = "Usage: relaisctl COMMAND [OPTIONS]\n"
			    "\n"
			    "Commands:\n"
			    "  provision   write a booth's settings file onto a card, a disk image or a folder\n"
			    "  diag        show a booth's diagnostic report, fetched through the switchboard\n"
			    "  update      send a booth a signed update bundle through the switchboard\n"
			    "  flash       write a disk image onto a card and read it back to verify it\n"
			    "\n"
			    "relaisctl COMMAND --help shows a command's options.\n";

static int fail(const char *format, ...) G_GNUC_PRINTF(1, 2);
static int fail(const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	g_autofree char *msg = g_strdup_vprintf(format, ap);
	va_end(ap);
	fprintf(stderr, "relaisctl: %s\n", msg);
	return EXIT_FAILURE;
}

/* --- secrets ------------------------------------------------------------- */

/* The first line of `text`, without its line end; NULL if empty. */
static char *first_line(const char *text)
{
	gsize n = strcspn(text, "\r\n");
	return n ? g_strndup(text, n) : NULL;
}

static char *read_secret_file(const char *what, const char *path, GError **error)
{
	g_autofree char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, error)) {
		g_prefix_error(error, "%s: ", what);
		return NULL;
	}
	char *line = first_line(text);
	memset(text, 0, strlen(text));
	if (line == NULL)
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s is empty", what, path);
	return line;
}

static char *read_pin(const char *pin_file, GError **error)
{
	if (pin_file)
		return read_secret_file("--pin-file", pin_file, error);
	g_autofree char *pin = relais_read_secret_line(stdin, "Technician PIN (4-16 digits): ", PIN_LINE_MAX);
	if (pin == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "no technician PIN on standard input (or give --pin-file)");
		return NULL;
	}
	if (isatty(STDIN_FILENO)) {
		g_autofree char *again = relais_read_secret_line(stdin, "The same PIN again: ", PIN_LINE_MAX);
		if (g_strcmp0(pin, again) != 0) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the two PINs differ");
			return NULL;
		}
	}
	return g_steal_pointer(&pin);
}

/* --- targets ------------------------------------------------------------- */

static gboolean write_folder(const char *dir, const char *data, gsize len, GError **error)
{
	g_autofree char *sub = g_build_filename(dir, "relais", NULL);
	if (g_mkdir_with_parents(sub, 0700) != 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "%s: %s", sub, g_strerror(errno));
		return FALSE;
	}
	g_autofree char *path = g_build_filename(dir, RELAIS_BOOTHCONF_BOOT_PATH, NULL);
	if (!g_file_set_contents_full(path, data, len, G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
				      0600, error))
		return FALSE;
	printf("wrote %s\n", path);
	return TRUE;
}

/* Writing under a mounted file system corrupts it: refuse a device whose
 * partitions (or itself) are mounted. */
static gboolean check_not_mounted(const char *device, GError **error)
{
	g_autofree char *real = realpath(device, NULL);
	const char *dev = real ? real : device;
	gsize n = strlen(dev);
	GList *mounts = g_unix_mounts_get(NULL);
	gboolean ok = TRUE;
	for (GList *l = mounts; l && ok; l = l->next) {
		const char *src = g_unix_mount_get_device_path(l->data);
		if (strncmp(src, dev, n) != 0)
			continue;
		/* the device itself, or sdb1, mmcblk0p1 */
		if (src[n] == '\0' || g_ascii_isdigit(src[n]) || (src[n] == 'p' && g_ascii_isdigit(src[n + 1]))) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_BUSY,
				    "%s is mounted at %s: unmount it first (or give the mounted folder)", src,
				    g_unix_mount_get_mount_path(l->data));
			ok = FALSE;
		}
	}
	g_list_free_full(mounts, (GDestroyNotify)g_unix_mount_free);
	return ok;
}

static gboolean find_mtools(GError **error)
{
	const char *tools[] = {"mmd", "mcopy", "mtype"};
	for (guint i = 0; i < G_N_ELEMENTS(tools); i++) {
		g_autofree char *p = g_find_program_in_path(tools[i]);
		if (p == NULL) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
				    "mtools is not installed (%s not found in PATH; Debian: apt-get install mtools)",
				    tools[i]);
			return FALSE;
		}
	}
	return TRUE;
}

/* Runs an mtools command on the partition; returns its standard output
 * (transfer full) or NULL with its standard error as the message. */
static char *mtools(const char *const *argv, GError **error)
{
	g_autoptr(GSubprocessLauncher) l =
		g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
	/* an image file has no geometry worth checking, and the user's
	 * ~/.mtoolsrc must not change what is written */
	g_subprocess_launcher_setenv(l, "MTOOLS_SKIP_CHECK", "1", TRUE);
	g_subprocess_launcher_setenv(l, "MTOOLSRC", "/dev/null", TRUE);
	g_autoptr(GSubprocess) p = g_subprocess_launcher_spawnv(l, argv, error);
	if (p == NULL)
		return NULL;
	g_autoptr(GBytes) out = NULL, err = NULL;
	if (!g_subprocess_communicate(p, NULL, NULL, &out, &err, error))
		return NULL;
	if (!g_subprocess_get_if_exited(p) || g_subprocess_get_exit_status(p) != 0) {
		gsize n = 0;
		const char *text = g_bytes_get_data(err, &n);
		g_autofree char *msg = g_strndup(text ? text : "", n);
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed: %s", argv[0],
			    *g_strstrip(msg) ? msg : "(no message)");
		return NULL;
	}
	gsize n = 0;
	const char *text = g_bytes_get_data(out, &n);
	return g_strndup(text ? text : "", n);
}

static gboolean write_image(const char *target, gboolean block, const char *data, gsize len, GError **error)
{
	if (block && !check_not_mounted(target, error))
		return FALSE;
	RelaisPartition part;
	RelaisDisklabel label;
	if (!relais_disk_find_fat(target, &part, &label, error) || !find_mtools(error))
		return FALSE;
	g_autofree char *spec = g_strdup_printf("%s@@%" G_GUINT64_FORMAT, target, part.offset);
	/* the file goes through a private temp folder: mcopy reads a file */
	g_autofree char *tmp = g_dir_make_tmp("relaisctl-XXXXXX", error);
	if (tmp == NULL)
		return FALSE;
	g_autofree char *file = g_build_filename(tmp, "booth.conf", NULL);
	gboolean ok = g_file_set_contents_full(file, data, len, G_FILE_SET_CONTENTS_NONE, 0600, error);
	if (ok) {
		/* the folder may exist already (re-provisioning): mmd's complaint
		 * does not matter, mcopy's would */
		const char *mmd[] = {"mmd", "-D", "s", "-i", spec, "::/relais", NULL};
		g_autofree char *ignored = mtools(mmd, NULL);
		const char *mcopy[] = {"mcopy", "-o", "-i", spec, file, "::/" RELAIS_BOOTHCONF_BOOT_PATH, NULL};
		g_autofree char *copied = mtools(mcopy, error);
		ok = copied != NULL;
	}
	g_unlink(file);
	g_rmdir(tmp);
	if (!ok)
		return FALSE;
	/* a card pulled out right after "wrote" must hold the file */
	int fd = g_open(target, O_RDWR | O_CLOEXEC, 0);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	/* read back what a booth will read */
	const char *mtype[] = {"mtype", "-i", spec, "::/" RELAIS_BOOTHCONF_BOOT_PATH, NULL};
	g_autofree char *back = mtools(mtype, error);
	if (back == NULL)
		return FALSE;
	if (strlen(back) != len || memcmp(back, data, len) != 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: the file read back differs from the one written",
			    target);
		return FALSE;
	}
	printf("wrote %s into partition %u of %s (%s, FAT at byte %" G_GUINT64_FORMAT ")\n", RELAIS_BOOTHCONF_BOOT_PATH,
	       part.number, target, relais_disklabel_name(label), part.offset);
	return TRUE;
}

/* --- provision ----------------------------------------------------------- */

static int provision(int argc, char **argv)
{
	g_autofree char *url = NULL, *ca_file = NULL, *name = NULL, *site = NULL;
	g_autofree char *token = NULL, *token_file = NULL, *pin_file = NULL;
	g_autofree char *ssid = NULL, *psk_file = NULL;
	GOptionEntry entries[] = {
		{"switchboard", 0, 0, G_OPTION_ARG_STRING, &url, "The booth endpoint (wss://HOST:PORT/ws/booth)",
		 "URL"},
		{"ca", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, "The switchboard's CA certificate(s), PEM", "FILE"},
		{"name", 0, 0, G_OPTION_ARG_STRING, &name, "The booth's name, as registered", "NAME"},
		{"site", 0, 0, G_OPTION_ARG_STRING, &site, "Its site", "SITE"},
		{"token", 0, 0, G_OPTION_ARG_STRING, &token, "The one-time enrolment token", "TOKEN"},
		{"token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file, "... or a file holding it", "FILE"},
		{"pin-file", 0, 0, G_OPTION_ARG_FILENAME, &pin_file,
		 "The technician PIN (default: read from standard input)", "FILE"},
		{"wifi-ssid", 0, 0, G_OPTION_ARG_STRING, &ssid, "Wi-Fi network (none: wired)", "SSID"},
		{"wifi-psk-file", 0, 0, G_OPTION_ARG_FILENAME, &psk_file, "A file holding its passphrase", "FILE"},
		{NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("TARGET");
	g_option_context_set_summary(
		ctx, "Writes the booth's settings file as " RELAIS_BOOTHCONF_BOOT_PATH
		     " on the FAT boot partition of TARGET:\n"
		     "a disk image file or a card's block device (no root or mount needed: mtools),\n"
		     "or a folder (a mounted boot partition). The PIN is never taken from the command line.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fail("provision: %s", error->message);
		return EXIT_USAGE;
	}
	if (argc != 2) {
		fail("provision: one TARGET is needed (an image, a block device or a folder)");
		return EXIT_USAGE;
	}
	const char *missing = !url ? "--switchboard" : !ca_file ? "--ca" : !name ? "--name" : !site ? "--site" : NULL;
	if (missing) {
		fail("provision: %s is needed", missing);
		return EXIT_USAGE;
	}
	if ((token == NULL) == (token_file == NULL)) {
		fail("provision: give the enrolment token with --token or --token-file (one of them)");
		return EXIT_USAGE;
	}
	if (psk_file && !ssid) {
		fail("provision: --wifi-psk-file needs --wifi-ssid");
		return EXIT_USAGE;
	}
	const char *target = argv[1];
	GStatBuf st;
	if (g_stat(target, &st) != 0)
		return fail("%s: %s", target, g_strerror(errno));
	gboolean folder = S_ISDIR(st.st_mode), block = S_ISBLK(st.st_mode);
	if (!folder && !block && !S_ISREG(st.st_mode))
		return fail("%s is not a disk image, a block device or a folder", target);

	g_autoptr(RelaisBoothConf) conf = relais_boothconf_new();
	conf->switchboard_url = g_strdup(url);
	conf->name = g_strdup(name);
	conf->site = g_strdup(site);
	conf->wifi_ssid = g_strdup(ssid);
	if (!g_file_get_contents(ca_file, &conf->ca_pem, NULL, &error))
		return fail("--ca: %s", error->message);
	conf->token = token ? g_strdup(token) : read_secret_file("--token-file", token_file, &error);
	if (psk_file)
		conf->wifi_psk = read_secret_file("--wifi-psk-file", psk_file, &error);
	if (error)
		return fail("%s", error->message);
	/* everything but the PIN is checked before asking for it: a
	 * placeholder hash stands in for it meanwhile */
	conf->pin_hash = relais_pinhash_new("0000", RELAIS_PINHASH_MIN_ITERATIONS, &error);
	if (conf->pin_hash == NULL)
		return fail("%s", error->message);
	if (!relais_boothconf_validate(conf, &error))
		return fail("%s", error->message);
	g_autofree char *pin = read_pin(pin_file, &error);
	if (pin == NULL)
		return fail("%s", error->message);
	g_free(conf->pin_hash);
	conf->pin_hash = relais_pinhash_new(pin, 0, &error);
	memset(pin, 0, strlen(pin));
	if (conf->pin_hash == NULL)
		return fail("%s", error->message);

	gsize len = 0;
	g_autofree char *data = relais_boothconf_to_data(conf, &len, &error);
	if (data == NULL)
		return fail("%s", error->message);
	gboolean ok = folder ? write_folder(target, data, len, &error) : write_image(target, block, data, len, &error);
	memset(data, 0, len);
	if (!ok)
		return fail("%s", error->message);
	return EXIT_SUCCESS;
}

/* --- diag ---------------------------------------------------------------- */

/* relaisctl diag's exit statuses beyond 0, 1 (failed) and 2 (usage), one
 * per answer a script may act on (firmware/tools/README.md) */
enum {
	EXIT_SIGNIN = 3,    /* 401: wrong login or password */
	EXIT_FORBIDDEN = 4, /* 403: not an administrator */
	EXIT_NO_BOOTH = 5,  /* 404 */
	EXIT_OFFLINE = 6,   /* 409: the booth is not connected */
	EXIT_NO_ANSWER = 7, /* 504/502: no answer in time, or it left */
	EXIT_BUSY = 8,	    /* 429 */
	EXIT_UNREACHABLE = 9,
};
#define PASSWORD_LINE_MAX 1024

static int diag_exit(const GError *error)
{
	if (error->domain != RELAIS_DIAG_CLIENT_ERROR)
		return EXIT_FAILURE;
	switch (error->code) {
	case RELAIS_DIAG_CLIENT_ERROR_USAGE:
		return EXIT_USAGE;
	case RELAIS_DIAG_CLIENT_ERROR_CONNECT:
		return EXIT_UNREACHABLE;
	case RELAIS_DIAG_CLIENT_ERROR_SIGNIN:
		return EXIT_SIGNIN;
	case RELAIS_DIAG_CLIENT_ERROR_FORBIDDEN:
		return EXIT_FORBIDDEN;
	case RELAIS_DIAG_CLIENT_ERROR_NO_BOOTH:
		return EXIT_NO_BOOTH;
	case RELAIS_DIAG_CLIENT_ERROR_OFFLINE:
		return EXIT_OFFLINE;
	case RELAIS_DIAG_CLIENT_ERROR_NO_ANSWER:
		return EXIT_NO_ANSWER;
	case RELAIS_DIAG_CLIENT_ERROR_BUSY:
		return EXIT_BUSY;
	default:
		return EXIT_FAILURE;
	}
}

/* What diag and update share: the switchboard and an administrator's
 * sign-in (the password from RELAIS_PASSWORD or standard input, never from
 * the command line). */
typedef struct {
	char *url, *ca_file, *login;
} AdminArgs;

static void admin_args_clear(AdminArgs *a)
{
	g_clear_pointer(&a->url, g_free);
	g_clear_pointer(&a->ca_file, g_free);
	g_clear_pointer(&a->login, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(AdminArgs, admin_args_clear)

/* --switchboard, --ca-file and --login into `a` (the entries are copied;
 * `a` must outlive the parse) */
static void admin_add_entries(GOptionContext *ctx, AdminArgs *a)
{
	GOptionEntry entries[] = {
		{"switchboard", 0, 0, G_OPTION_ARG_STRING, &a->url, "The switchboard (https://HOST:PORT)", "URL"},
		{"ca-file", 0, 0, G_OPTION_ARG_FILENAME, &a->ca_file,
		 "Its TLS certificate or CA, PEM (default: the system's)", "FILE"},
		{"login", 0, 0, G_OPTION_ARG_STRING, &a->login, "An administrator's login", "LOGIN"},
		{NULL}};
	g_option_context_add_main_entries(ctx, entries, NULL);
}

/* After the options: --switchboard and --login given, then the password
 * (transfer full; the caller wipes it), or NULL with the sentence said. */
static char *admin_password(const char *cmd, const AdminArgs *a)
{
	const char *missing = !a->url ? "--switchboard" : !a->login ? "--login" : NULL;
	if (missing) {
		fail("%s: %s is needed", cmd, missing);
		return NULL;
	}
	const char *env = g_getenv("RELAIS_PASSWORD");
	g_autofree char *prompt = g_strdup_printf("Password of %s: ", a->login);
	char *password = env && *env ? g_strdup(env) : relais_read_secret_line(stdin, prompt, PASSWORD_LINE_MAX);
	if (password == NULL || *password == '\0') {
		g_free(password);
		fail("%s: no password (set RELAIS_PASSWORD or type it on standard input)", cmd);
		return NULL;
	}
	return password;
}

static int diag(int argc, char **argv)
{
	g_auto(AdminArgs) a = {0};
	gboolean json = FALSE;
	GOptionEntry entries[] = {
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the switchboard's JSON answer as it is", NULL}, {NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("BOOTH");
	admin_add_entries(ctx, &a);
	g_option_context_set_summary(
		ctx, "Shows booth BOOTH's diagnostic report, which the switchboard fetches from the booth through\n"
		     "its link, signed in as an administrator. The password is read from RELAIS_PASSWORD or\n"
		     "standard input, never from the command line.\n"
		     "Exit status: 0 shown, 1 failed, 2 bad usage, 3 sign-in refused, 4 not an administrator,\n"
		     "5 no such booth, 6 booth not connected, 7 no answer from the booth, 8 asked too often,\n"
		     "9 switchboard unreachable.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fail("diag: %s", error->message);
		return EXIT_USAGE;
	}
	if (argc != 2) {
		fail("diag: one BOOTH is needed");
		return EXIT_USAGE;
	}
	g_autofree char *password = admin_password("diag", &a);
	if (password == NULL)
		return EXIT_USAGE;
	g_autoptr(JsonObject) reply = relais_diag_fetch(a.url, a.ca_file, a.login, password, argv[1], &error);
	memset(password, 0, strlen(password));
	if (reply == NULL) {
		fail("diag: %s", error->message);
		return diag_exit(error);
	}
	g_autofree char *text = NULL;
	if (json) {
		g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
		json_node_set_object(node, reply);
		text = json_to_string(node, TRUE);
		g_autofree char *line = g_strconcat(text, "\n", NULL);
		g_free(text);
		text = g_steal_pointer(&line);
	} else {
		text = relais_diag_text(reply);
	}
	fputs(text, stdout);
	return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* --- update ------------------------------------------------------------- */

/* relaisctl update's exit statuses beyond diag's (firmware/tools/README.md) */
enum {
	EXIT_UPDATING = 8,	 /* 409: the booth is being updated already */
	EXIT_BUNDLE = 10,	 /* the bundle was refused (or cannot be read) */
	EXIT_UPDATE_FAILED = 11, /* --wait: failed, rolled back or cancelled */
};

static void update_say(const char *line, gpointer data)
{
	g_autofree char *valid = g_utf8_make_valid(line, -1);
	for (char *p = valid; *p; p++)
		if ((guchar)*p < 0x20 || *p == 0x7f)
			*p = '?';
	printf("%s\n", valid);
	fflush(stdout);
}

static int update(int argc, char **argv)
{
	g_auto(AdminArgs) a = {0};
	int wait_min = 0;
	GOptionEntry entries[] = {
		{"wait", 0, 0, G_OPTION_ARG_INT, &wait_min,
		 "Follow the update for up to MIN minutes, until the booth kept it, rolled back or failed", "MIN"},
		{NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("BOOTH BUNDLE");
	admin_add_entries(ctx, &a);
	g_option_context_set_summary(
		ctx, "Uploads BUNDLE (a RAUC bundle signed for the fleet) to the switchboard and asks booth BOOTH\n"
		     "to install it: the booth downloads it over its link, installs it and reboots once no visitor\n"
		     "is there. Signed in as an administrator; the password is read from RELAIS_PASSWORD or\n"
		     "standard input, never from the command line.\n"
		     "Exit status: 0 asked (with --wait: kept), 1 failed, 2 bad usage, 3 sign-in refused, 4 not an\n"
		     "administrator, 5 no such booth or bundle, 7 --wait ran out, 8 the booth is being updated\n"
		     "already, 9 switchboard unreachable, 10 bundle refused, 11 the update failed or was rolled back.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fail("update: %s", error->message);
		return EXIT_USAGE;
	}
	if (argc != 3) {
		fail("update: BOOTH and BUNDLE are needed");
		return EXIT_USAGE;
	}
	if (wait_min < 0 || wait_min > 24 * 60) {
		fail("update: --wait is 0 to 1440 minutes");
		return EXIT_USAGE;
	}
	g_autofree char *password = admin_password("update", &a);
	if (password == NULL)
		return EXIT_USAGE;
	g_autoptr(JsonObject) job = relais_update_send(a.url, a.ca_file, a.login, password, argv[1], argv[2],
						       (guint)wait_min * 60, update_say, NULL, &error);
	memset(password, 0, strlen(password));
	if (job == NULL) {
		fail("update: %s", error->message);
		if (error->domain == RELAIS_DIAG_CLIENT_ERROR && error->code == RELAIS_DIAG_CLIENT_ERROR_BUNDLE)
			return EXIT_BUNDLE;
		if (error->domain == RELAIS_DIAG_CLIENT_ERROR && error->code == RELAIS_DIAG_CLIENT_ERROR_UPDATING)
			return EXIT_UPDATING;
		if (error->domain == RELAIS_DIAG_CLIENT_ERROR && error->code == RELAIS_DIAG_CLIENT_ERROR_UPDATE_FAILED)
			return EXIT_UPDATE_FAILED;
		return diag_exit(error);
	}
	return EXIT_SUCCESS;
}

/* --- flash --------------------------------------------------------------- */

/* relaisctl flash's exit statuses (firmware/tools/README.md) */
enum {
	EXIT_FLASH_REFUSED = 3,	 /* the target is not safe to write: nothing was written */
	EXIT_FLASH_IMAGE = 4,	 /* the image or its block map is unusable: nothing was written */
	EXIT_FLASH_MISMATCH = 5, /* written, but what was read back differs */
};

static void flash_say(const char *line, gpointer data)
{
	fprintf(stderr, "relaisctl flash: %s\n", line);
}

static int flash(int argc, char **argv)
{
	g_autofree char *bmap = NULL;
	gboolean force = FALSE, verify_only = FALSE;
	GOptionEntry entries[] = {
		{"bmap", 0, 0, G_OPTION_ARG_FILENAME, &bmap,
		 "The image's block map (default: NAME.bmap beside NAME.img, else one is made)", "FILE"},
		{"force", 0, 0, G_OPTION_ARG_NONE, &force, "Write a disk that is not a removable card", NULL},
		{"verify-only", 0, 0, G_OPTION_ARG_NONE, &verify_only,
		 "Write nothing: read DEVICE back and compare it with IMAGE", NULL},
		{NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("IMAGE DEVICE");
	g_option_context_set_summary(
		ctx, "Writes the disk image IMAGE onto the card DEVICE with bmaptool, then reads the written\n"
		     "ranges back and compares them with the image. Refuses a mounted device, the system's\n"
		     "disk, a partition, a device smaller than the image, a disk that is not removable\n"
		     "(unless --force) and an image that is not a whole MBR/GPT disk image.\n"
		     "Exit status: 0 written and verified, 1 failed, 2 bad usage, 3 target refused,\n"
		     "4 image refused, 5 verification failed.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fail("flash: %s", error->message);
		return EXIT_USAGE;
	}
	if (argc != 3) {
		fail("flash: IMAGE and DEVICE are needed");
		return EXIT_USAGE;
	}
	/* test-only, documented: flip one byte between writing and reading back
	 * (files and loop devices only, flash.h) */
	const char *corrupt = g_getenv("RELAIS_FLASH_TEST_CORRUPT_AT");
	const char *extra = g_getenv("RELAIS_FLASH_TEST_MOUNTINFO");
	const char *extra_list[] = {extra, NULL};
	guint64 at = 0;
	if (corrupt && !g_ascii_string_to_unsigned(corrupt, 10, 0, G_MAXINT64, &at, NULL)) {
		fail("flash: RELAIS_FLASH_TEST_CORRUPT_AT is not a byte offset");
		return EXIT_USAGE;
	}
	RelaisFlashOptions opts = {
		.image = argv[1],
		.target = argv[2],
		.bmap = bmap,
		.force = force,
		.verify_only = verify_only,
		.extra_mountinfo = extra && *extra ? extra_list : NULL,
		.test_corrupt_at = corrupt ? (gint64)at : -1,
		.say = flash_say,
	};
	RelaisFlashResult result;
	gboolean ok = relais_flash_run(&opts, &result, &error);
	if (!ok) {
		fail("flash: %s", error->message);
		relais_flash_result_clear(&result);
		if (error->domain != RELAIS_FLASH_ERROR)
			return EXIT_FAILURE;
		switch (error->code) {
		case RELAIS_FLASH_ERROR_REFUSED:
			return EXIT_FLASH_REFUSED;
		case RELAIS_FLASH_ERROR_IMAGE:
			return EXIT_FLASH_IMAGE;
		case RELAIS_FLASH_ERROR_MISMATCH:
			return EXIT_FLASH_MISMATCH;
		default:
			return EXIT_FAILURE;
		}
	}
	printf("verified %" G_GUINT64_FORMAT " bytes of %s on %s (%u ranges of %s; image %" G_GUINT64_FORMAT
	       " bytes)\n",
	       result.verified, opts.image, opts.target, result.ranges, result.bmap_how, result.image_size);
	relais_flash_result_clear(&result);
	return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int main(int argc, char **argv)
{
	/* option values (site names) are UTF-8 text: GOption needs the locale */
	setlocale(LC_ALL, "");
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (g_str_equal(cmd, "--help") || g_str_equal(cmd, "-h") || g_str_equal(cmd, "help")) {
		fputs(usage, stdout);
		return EXIT_SUCCESS;
	}
	if (g_str_equal(cmd, "provision")) {
		/* the command's own options: GOption sees "relaisctl provision" as argv[0] */
		argv[1] = g_strdup_printf("%s %s", argv[0], cmd);
		return provision(argc - 1, argv + 1);
	}
	if (g_str_equal(cmd, "diag")) {
		argv[1] = g_strdup_printf("%s %s", argv[0], cmd);
		return diag(argc - 1, argv + 1);
	}
	if (g_str_equal(cmd, "update")) {
		argv[1] = g_strdup_printf("%s %s", argv[0], cmd);
		return update(argc - 1, argv + 1);
	}
	if (g_str_equal(cmd, "flash")) {
		argv[1] = g_strdup_printf("%s %s", argv[0], cmd);
		return flash(argc - 1, argv + 1);
	}
	fprintf(stderr, "relaisctl: unknown command '%s'\n\n%s", cmd, usage);
	return EXIT_USAGE;
}
