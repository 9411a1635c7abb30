/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-booth"

#include "booth.h"
#include "control.h"
#include "protocol.h"
#include "relais-config.h"

#include "boothconf.h"
#include "diag.h"
#include "enrol-client.h"
#include "enrolment.h"
#include "pinhash.h"
#include "technician.h"
#include "mainloop.h"
#include "updatestatus.h"
#include "visitor.h"
#include "watchdog.h"
#include <gst/gst.h>
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <string.h>
#include <stdio.h>

#if defined(__GLIBC__) && defined(CONFIG_RELAIS_BOOTH_SCRUB_FREED_MEMORY)
/* Freed memory is overwritten. The allocator reads its settings at start
 * only, so the booth runs itself again with them in the environment, before
 * anything else happens. glibc's malloc: its tunables. A build with
 * AddressSanitizer (tests/sanitizer) allocates through ASan, which keeps
 * freed blocks, bytes and all, in its quarantine unless told to fill them:
 * the same promise kept by ASan's own options, so that the test for it
 * (it scans the live process for a session's chat text) means the same in
 * the sanitizer pass. */
#ifdef __SANITIZE_ADDRESS__
#define SCRUB_VAR      "ASAN_OPTIONS"
#define SCRUB_MARK     "max_free_fill_size="
#define SCRUB_SETTINGS "max_free_fill_size=1073741824:free_fill_byte=90"
#else
#define SCRUB_VAR      "GLIBC_TUNABLES"
#define SCRUB_MARK     "glibc.malloc.perturb="
#define SCRUB_SETTINGS "glibc.malloc.perturb=90:glibc.malloc.tcache_count=0"
#endif
static void scrub_freed_memory(char **argv)
{
	const char *have = getenv(SCRUB_VAR);
	if (have && strstr(have, SCRUB_MARK) != NULL)
		return; /* already (or deliberately set otherwise) */
	char *value = have && *have ? g_strconcat(have, ":", SCRUB_SETTINGS, NULL) : g_strdup(SCRUB_SETTINGS);
	setenv(SCRUB_VAR, value, 1);
	g_free(value);
	execv("/proc/self/exe", argv);
	fprintf(stderr, "relais-booth: warning: cannot restart with freed-memory scrubbing: %s\n", g_strerror(errno));
}
#else
static void scrub_freed_memory(char **argv)
{
}
#endif

/* "idle=60,countdown=20,...": each 1..3600 s */
static gboolean parse_timeouts(const char *spec, RelaisJourneyTimeouts *t, guint *technician_s, GError **error)
{
	const struct {
		const char *name;
		guint *value;
	} fields[] = {
		{"idle", &t->idle_s},
		{"countdown", &t->countdown_s},
		{"confirm_end", &t->confirm_end_s},
		{"satisfaction", &t->satisfaction_s},
		{"no_adviser", &t->no_adviser_s},
		{"thanks", &t->thanks_s},
		{"technician", technician_s},
	};
	g_auto(GStrv) items = g_strsplit(spec, ",", -1);
	for (char **it = items; *it; it++) {
		g_auto(GStrv) kv = g_strsplit(*it, "=", 2);
		guint64 v = 0;
		gboolean found = FALSE;
		if (kv[0] == NULL || kv[1] == NULL || !g_ascii_string_to_unsigned(kv[1], 10, 1, 3600, &v, NULL)) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "'%s' is not NAME=SECONDS (1-3600)", *it);
			return FALSE;
		}
		for (guint i = 0; i < G_N_ELEMENTS(fields); i++) {
			if (g_str_equal(kv[0], fields[i].name)) {
				*fields[i].value = (guint)v;
				found = TRUE;
			}
		}
		if (!found) {
			g_set_error(
				error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				"unknown timeout '%s' (idle, countdown, confirm_end, satisfaction, no_adviser, thanks, "
				"technician)",
				kv[0]);
			return FALSE;
		}
	}
	return TRUE;
}

/* The booth's settings file (boothconf.h), read when --settings names it or
 * when no --switchboard is given (a booth in the field). Flags given on the
 * command line win over it (tests, a technician's experiment). On any
 * problem the booth is "not set up": *fault says why, for its screen. */
typedef struct {
	char *path;
	RelaisBoothConf *conf;
	char *ca_path; /* the inline CA, written out for GTlsFileDatabase */
} Settings;

static void settings_clear(Settings *st)
{
	g_free(st->path);
	g_clear_pointer(&st->conf, relais_boothconf_free);
	g_free(st->ca_path);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Settings, settings_clear)

/* Where the booth keeps what it makes for itself (the CA copy today; its key
 * and certificate with enrolment): systemd's StateDirectory=, else the
 * user's state folder. */
static char *state_dir_default(void)
{
	const char *sd = g_getenv("STATE_DIRECTORY");
	if (sd && *sd) {
		/* "a:b" when a unit names several: the first is ours */
		g_auto(GStrv) dirs = g_strsplit(sd, ":", 2);
		return g_strdup(dirs[0]);
	}
	return g_build_filename(g_get_user_state_dir(), "relais-booth", NULL);
}

static gboolean settings_load(Settings *st, const char *state_dir, GError **error)
{
	st->conf = relais_boothconf_load(st->path, error);
	if (st->conf == NULL)
		return FALSE;
	if (g_mkdir_with_parents(state_dir, 0700) != 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "state folder '%s': %s", state_dir,
			    g_strerror(errno));
		return FALSE;
	}
	st->ca_path = g_build_filename(state_dir, "switchboard-ca.pem", NULL);
	return g_file_set_contents_full(st->ca_path, st->conf->ca_pem, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* A booth that is not set up checks its settings file again now and then:
 * once a technician has provisioned it, it starts again with them. */
static gboolean on_settings_retry(gpointer data)
{
	char **argv = data; /* the settings path, then the program's argv */
	g_autoptr(RelaisBoothConf) conf = relais_boothconf_load(argv[0], NULL);
	if (conf == NULL)
		return G_SOURCE_CONTINUE;
	g_message("settings %s are valid now: starting again with them", argv[0]);
	execv("/proc/self/exe", argv + 1);
	g_warning("cannot start again: %s", g_strerror(errno));
	return G_SOURCE_CONTINUE;
}

/* The firmware's build time (the Makefile passes SOURCE_DATE_EPOCH): no
 * clock before it is right. */
#ifndef RELAIS_BUILD_EPOCH
#define RELAIS_BUILD_EPOCH 0
#endif

/* Tests play a Raspberry Pi before time sync: RELAIS_BOOTH_TEST_CLOCK_FILE
 * names a file holding an offset in seconds added to the real time while
 * it exists; removing it is "time sync". */
static gint64 test_clock(gpointer data)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_autofree char *text = NULL;
	gint64 offset = 0;
	if (g_file_get_contents(data, &text, NULL, NULL) &&
	    g_ascii_string_to_signed(g_strstrip(text), 10, -now, G_MAXINT32, &offset, NULL))
		return now + offset;
	return now;
}

static void on_enrol_ready(BoothEnrolment *e, GTlsCertificate *client, gpointer data)
{
	booth_set_client_certificate(data, client);
}

/* waiting and fault alike: out of order with the reason on the screen
 * (enrolment.c tells them apart in its log and retries what may pass) */
static void on_enrol_hold(BoothEnrolment *e, const char *reason, gpointer data)
{
	booth_set_hold(data, reason);
}

static void on_cert_refused(Booth *booth, gpointer data)
{
	booth_enrolment_refused(data);
}

/* notBefore of the provisioned CA file (0: unknown, with a warning) */
static gint64 ca_file_not_before(const char *ca_file)
{
	g_autofree char *pem = NULL;
	g_autoptr(GError) error = NULL;
	gint64 t = 0;
	if (ca_file && g_file_get_contents(ca_file, &pem, NULL, &error))
		t = booth_enrol_ca_not_before(pem, &error);
	if (t == 0)
		g_warning("the switchboard's CA: %s", error ? error->message : "none given (--ca-file)");
	return t;
}

/* Nobody at the screen: the attract screen, or out of order. */
static gboolean visitor_away(gpointer data)
{
	RelaisJourneyState st = booth_visitor_get_state(data);
	return st == RELAIS_JOURNEY_ATTRACT || st == RELAIS_JOURNEY_OUT_OF_ORDER;
}

int main(int argc, char **argv)
{
	scrub_freed_memory(argv);
	/* run again through /proc/self/exe, the kernel names the process
	 * "exe": ps, top and the journal would say so */
	prctl(PR_SET_NAME, "relais-booth");
	/* the last warnings, for the technician's diagnostics report; lives
	 * as long as the process (GLib's writer is set once) */
	RelaisLogRing *log_ring = relais_log_ring_new(CONFIG_RELAIS_BOOTH_DIAG_ERRORS);
	relais_log_ring_install(log_ring);
	/* argv as given, for a restart once the settings are valid */
	g_auto(GStrv) argv_copy = g_strdupv(argv);
	/* option values (site names) are UTF-8 text: GOption needs the locale */
	setlocale(LC_ALL, "");
	g_autofree char *url = NULL;
	g_autofree char *settings_path = NULL;
	g_autofree char *state_dir = NULL;
	g_autofree char *booth_id = NULL;
	g_autofree char *site = NULL;
	g_autofree char *board = NULL;
	g_autofree char *pipelines = NULL;
	g_autofree char *control_path = NULL;
	gboolean ui = FALSE, fullscreen = FALSE, relay_only = FALSE;
	g_auto(GStrv) ice_addresses = NULL;
	g_autofree char *ui_size = NULL;
	int ui_dpi = 0;
	g_autofree char *questions_path = NULL;
	g_autofree char *locale_dir = NULL;
	g_autofree char *languages = NULL;
	g_autofree char *timeouts_spec = NULL;
	g_autofree char *ca_file = NULL;
	g_autofree char *enrol_token = NULL;
	g_autofree char *pin_hash = NULL;
	g_autofree char *update_status = NULL;
	g_autofree char *cmdline_path = NULL;
	g_autofree char *update_dir = NULL;
	g_autofree char *rauc = NULL;
	g_autofree char *reboot_cmd = NULL;
	GOptionEntry entries[] = {
		{"settings", 0, 0, G_OPTION_ARG_FILENAME, &settings_path,
		 "The booth's settings file, written by relaisctl provision (default, when no --switchboard is "
		 "given: " RELAIS_BOOTHCONF_DEFAULT_PATH ")",
		 "FILE"},
		{"state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
		 "Where the booth keeps what it makes for itself (default: $STATE_DIRECTORY)", "DIR"},
		{"switchboard", 's', 0, G_OPTION_ARG_STRING, &url,
		 "Switchboard WebSocket URL (wss://HOST:PORT/ws/booth; ws:// on loopback); overrides the settings "
		 "file",
		 "URL"},
		{"ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file,
		 "PEM CA certificate(s) (or the switchboard's self-signed one) to trust for wss:// "
		 "(default: the system's)",
		 "FILE"},
		{"enrol-token", 0, 0, G_OPTION_ARG_STRING, &enrol_token,
		 "One-time enrolment token (relais-switchboard booth add); overrides the settings file's", "TOKEN"},
		{"booth-id", 'i', 0, G_OPTION_ARG_STRING, &booth_id, "This booth's id (default: host name)", "ID"},
		{"site", 0, 0, G_OPTION_ARG_FILENAME, &site, "Site name shown to advisers", "NAME"},
		{"board", 0, 0, G_OPTION_ARG_STRING, &board, "Board (folder under pipelines/)", "NAME"},
		{"pipelines", 0, 0, G_OPTION_ARG_FILENAME, &pipelines, "pipelines/ folder", "DIR"},
		{"control", 'c', 0, G_OPTION_ARG_FILENAME, &control_path, "Control socket path", "PATH"},
		{"relay-only", 0, 0, G_OPTION_ARG_NONE, &relay_only,
		 "Media through the switchboard's TURN servers only (strict firewalls; hides this booth's addresses)",
		 NULL},
		{"ice-address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &ice_addresses,
		 "Local address for media (repeatable; default: every interface but loopback)", "IP"},
		{"ui", 0, 0, G_OPTION_ARG_NONE, &ui,
		 "Show the visitor's touch UI (SDL; headless: SDL_VIDEODRIVER=offscreen)", NULL},
		{"ui-size", 0, 0, G_OPTION_ARG_STRING, &ui_size, "Screen size (default: Kconfig)", "WxH"},
		{"ui-dpi", 0, 0, G_OPTION_ARG_INT, &ui_dpi,
		 "Screen density, for 15 mm touch targets (default: Kconfig)", "DPI"},
		{"fullscreen", 0, 0, G_OPTION_ARG_NONE, &fullscreen, "Full screen (the kiosk)", NULL},
		{"questions", 0, 0, G_OPTION_ARG_FILENAME, &questions_path, "The site's question set", "FILE"},
		{"locale-dir", 0, 0, G_OPTION_ARG_FILENAME, &locale_dir, "Compiled catalogs (default: Kconfig)", "DIR"},
		{"languages", 0, 0, G_OPTION_ARG_STRING, &languages,
		 "Languages offered, default first (default: Kconfig)", "\"fr en\""},
		{"ui-timeouts", 0, 0, G_OPTION_ARG_STRING, &timeouts_spec,
		 "Screen timeouts in seconds (default: Kconfig), e.g. idle=60,countdown=20,confirm_end=15,"
		 "satisfaction=30,no_adviser=90,thanks=8,technician=120",
		 "LIST"},
		{"technician-pin-hash", 0, 0, G_OPTION_ARG_STRING, &pin_hash,
		 "The technician PIN's hash (relaisctl's pbkdf2-sha256$... form); overrides the settings file", "HASH"},
		{"update-status", 0, 0, G_OPTION_ARG_FILENAME, &update_status,
		 "What became of the last update, written by the health service (default: STATE_DIR/update-status)",
		 "FILE"},
		{"cmdline", 0, 0, G_OPTION_ARG_FILENAME, &cmdline_path,
		 "Where rauc.slot= names the running slot (default: /proc/cmdline)", "FILE"},
		{"update-dir", 0, 0, G_OPTION_ARG_FILENAME, &update_dir,
		 "Where an update sent from afar is downloaded, on the data partition (default: STATE_DIR/updates)",
		 "DIR"},
		{"rauc", 0, 0, G_OPTION_ARG_FILENAME, &rauc,
		 "RAUC's command, to install an update (default: " CONFIG_RELAIS_BOOTH_RAUC_PATH ")", "PATH"},
		{"reboot-cmd", 0, 0, G_OPTION_ARG_STRING, &reboot_cmd,
		 "The command (no shell) that reboots into an installed update, run once no visitor is there "
		 "(default: " CONFIG_RELAIS_BOOTH_REBOOT_CMD ")",
		 "COMMAND"},
		{NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- Relais booth");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_add_group(ctx, gst_init_get_option_group());
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "relais-booth: %s\n", error->message);
		return 2;
	}
	/* the defaults once the options are parsed: GOption replaces a string
	 * it is given without freeing the one it finds (a leak per option) */
	if (board == NULL)
		board = g_strdup(CONFIG_RELAIS_BOARD);
	if (pipelines == NULL)
		pipelines = g_strdup(CONFIG_RELAIS_BOOTH_PIPELINES_DIR);
	if (questions_path == NULL)
		questions_path = g_strdup(CONFIG_RELAIS_UI_QUESTIONS_FILE);
	if (cmdline_path == NULL)
		cmdline_path = g_strdup("/proc/cmdline");
	if (rauc == NULL)
		rauc = g_strdup(CONFIG_RELAIS_BOOTH_RAUC_PATH);
	if (reboot_cmd == NULL)
		reboot_cmd = g_strdup(CONFIG_RELAIS_BOOTH_REBOOT_CMD);
	g_auto(Settings) settings = {0};
	g_autofree char *setup_fault = NULL;
	if (settings_path || url == NULL) {
		settings.path = g_strdup(settings_path ? settings_path : RELAIS_BOOTHCONF_DEFAULT_PATH);
		if (state_dir == NULL)
			state_dir = state_dir_default();
		if (!settings_load(&settings, state_dir, &error)) {
			/* never an exit: a restart loop would show nothing; the
			 * screen says what is wrong and whom to call */
			setup_fault = g_strdup_printf("This booth is not set up yet: %s. Please call a technician.",
						      error->message);
			g_warning("%s", setup_fault);
			g_clear_error(&error);
		} else {
			if (url == NULL)
				url = g_strdup(settings.conf->switchboard_url);
			if (booth_id == NULL)
				booth_id = g_strdup(settings.conf->name);
			if (site == NULL)
				site = g_strdup(settings.conf->site);
			if (ca_file == NULL)
				ca_file = g_strdup(settings.ca_path);
			if (pin_hash == NULL)
				pin_hash = g_strdup(settings.conf->pin_hash);
		}
	}
	if (url == NULL)
		url = g_strdup(CONFIG_RELAIS_BOOTH_SWITCHBOARD_URL);
	/* --site is taken as raw bytes (FILENAME) so that a UTF-8 name works
	 * whatever the locale of the service manager; it must be UTF-8 */
	if (site && !g_utf8_validate(site, -1, NULL)) {
		fprintf(stderr, "relais-booth: --site must be UTF-8 text\n");
		return 2;
	}
	if (booth_id == NULL)
		booth_id = g_strdup(g_get_host_name());
	if (!relais_proto_valid_id(booth_id)) {
		fprintf(stderr, "relais-booth: booth id '%s' must be 1-%d characters of A-Z a-z 0-9 . _ : -\n",
			booth_id, CONFIG_RELAIS_PROTO_MAX_ID);
		return 2;
	}
	if (enrol_token && !relais_boothconf_token_valid(enrol_token)) {
		/* never sent anywhere: a typo is said here, not as a 401 */
		fprintf(stderr,
			"relais-booth: --enrol-token is not an enrolment token (%d characters of A-Z a-z 0-9 - _)\n",
			RELAIS_BOOTHCONF_TOKEN_CHARS);
		return 2;
	}
	if (!relais_proto_valid_id(board)) {
		fprintf(stderr, "relais-booth: board '%s' is not a valid name\n", board);
		return 2;
	}
	if (pin_hash && !relais_pinhash_valid(pin_hash, &error)) {
		fprintf(stderr, "relais-booth: --technician-pin-hash: %s\n", error->message);
		return 2;
	}
	int ui_w = 0, ui_h = 0;
	if (ui_size &&
	    (sscanf(ui_size, "%dx%d", &ui_w, &ui_h) != 2 || ui_w < 320 || ui_h < 240 || ui_w > 7680 || ui_h > 4320)) {
		fprintf(stderr, "relais-booth: --ui-size '%s' must be WxH, from 320x240 to 7680x4320\n", ui_size);
		return 2;
	}
	if (ui_dpi < 0 || ui_dpi > 1000) {
		fprintf(stderr, "relais-booth: --ui-dpi must be 1-1000\n");
		return 2;
	}
	RelaisJourneyTimeouts timeouts = {
		CONFIG_RELAIS_UI_IDLE_TIMEOUT_S,	CONFIG_RELAIS_UI_COUNTDOWN_S,
		CONFIG_RELAIS_UI_CONFIRM_END_TIMEOUT_S, CONFIG_RELAIS_UI_SATISFACTION_TIMEOUT_S,
		CONFIG_RELAIS_UI_NO_ADVISER_TIMEOUT_S,	CONFIG_RELAIS_UI_THANKS_TIMEOUT_S,
	};
	guint technician_s = CONFIG_RELAIS_UI_TECHNICIAN_IDLE_S;
	if (timeouts_spec && !parse_timeouts(timeouts_spec, &timeouts, &technician_s, &error)) {
		fprintf(stderr, "relais-booth: --ui-timeouts: %s\n", error->message);
		return 2;
	}
	g_autoptr(RelaisQuestions) questions = NULL;
	if (ui) {
		/* a corrupt question file is the site's mistake, found at start */
		questions = relais_questions_load_file(questions_path, &error);
		if (questions == NULL) {
			fprintf(stderr, "relais-booth: %s\n", error->message);
			return 1;
		}
	}
	if (!g_str_has_prefix(url, "ws://") && !g_str_has_prefix(url, "wss://")) {
		fprintf(stderr, "relais-booth: --switchboard '%s' must start with ws:// or wss://\n", url);
		return 2;
	}
	g_autoptr(GTlsDatabase) tls_database = NULL;
	if (ca_file) {
		/* an absolute path: the TLS file database (glib-networking) given a relative one
		 * loads it, yet verifies nothing against it (every certificate
		 * "not signed by a trusted CA"), seen with `--ca-file ca.pem` */
		g_autofree char *relative = ca_file;
		ca_file = g_canonicalize_filename(relative, NULL);
		/* the site's mistake, found at start (like the question file) */
		tls_database = g_tls_file_database_new(ca_file, &error);
		if (tls_database == NULL) {
			fprintf(stderr, "relais-booth: --ca-file '%s': %s\n", ca_file, error->message);
			return 1;
		}
		/* ...and the process's default: glib-networking reads the default
		 * database while it makes each TLS connection, before libsoup
		 * gives it the session's, and the default is the system's whole
		 * trust store (about 140 certificates parsed into the heap, for
		 * nothing: a booth talks to its switchboard only, under this CA) */
		g_tls_backend_set_default_database(g_tls_backend_get_default(), tls_database);
	}
	/* Always enrolment (ENROL.md): the switchboard's booth endpoint takes
	 * only enrolled booths. A ws:// URL puts the booth out of order ("must
	 * be reached over wss://"), as a missing token without a certificate
	 * does ("not enrolled"). */
	const char *token = enrol_token ? enrol_token : settings.conf ? settings.conf->token : NULL;
	gboolean enrol = setup_fault == NULL;
	if (enrol && state_dir == NULL)
		state_dir = state_dir_default();
	gst_init(NULL, NULL);

	/* the slot this system runs from: a missing or foreign command line
	 * (a development machine) names none */
	g_autofree char *cmdline = NULL;
	g_autofree char *slot = NULL;
	g_autoptr(GError) cmdline_error = NULL;
	if (g_file_get_contents(cmdline_path, &cmdline, NULL, &cmdline_error))
		slot = relais_cmdline_slot(cmdline);
	else
		g_debug("%s", cmdline_error->message);
	if (update_status == NULL) {
		if (state_dir == NULL)
			state_dir = state_dir_default();
		update_status = g_build_filename(state_dir, "update-status", NULL);
	}

	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	BoothConfig config = {
		.switchboard_url = url,
		.booth_id = booth_id,
		.site = site,
		.board = board,
		.pipelines_dir = pipelines,
		.relay_only = relay_only,
		.ice_addresses = (const char *const *)ice_addresses,
		.tls_database = tls_database,
		.setup_fault = setup_fault,
		.needs_certificate = enrol,
		.state_dir = state_dir,
		.log_ring = log_ring,
		.software = booth_diag_software(),
		.slot = slot,
		.update_status_path = update_status,
		.update_dir = update_dir,
		.rauc = rauc,
		.reboot_cmd = reboot_cmd,
	};
	g_autoptr(Booth) booth = booth_new(&config);
	g_autoptr(BoothControl) control = NULL;
	if (control_path) {
		control = booth_control_new(booth, control_path, &error);
		if (control == NULL) {
			fprintf(stderr, "relais-booth: %s\n", error->message);
			return 1;
		}
	}
	g_autoptr(BoothVisitor) visitor = NULL;
	/* declared after the visitor: freed before it */
	g_autoptr(BoothTechnician) technician = NULL;
	g_auto(GStrv) langv = languages ? g_strsplit_set(languages, " ,", -1) : NULL;
	if (ui) {
		BoothVisitorConfig vc = {
			.ui =
				{
					.width = ui_w,
					.height = ui_h,
					.dpi = ui_dpi,
					.fullscreen = fullscreen,
					.locale_dir = locale_dir,
					.languages = (const char *const *)langv,
					.questions = questions,
#ifdef CONFIG_RELAIS_UI_HIGH_CONTRAST
					.high_contrast = TRUE,
#endif
#ifdef CONFIG_RELAIS_UI_LARGE_TEXT
					.large_text = TRUE,
#endif
				},
		};
		vc.timeouts = &timeouts;
		visitor = booth_visitor_new(booth, &vc, &error);
		if (visitor == NULL) {
			fprintf(stderr, "relais-booth: touch UI: %s\n", error->message);
			return 1;
		}
		if (control)
			booth_control_set_visitor(control, visitor);
		/* an update waits until the screen is back to its start */
		booth_set_idle_func(booth, visitor_away, visitor);
		BoothTechnicianConfig tc = {.pin_hash = pin_hash, .idle_s = technician_s};
		technician = booth_technician_new(booth, visitor, &tc);
		if (control)
			booth_control_set_technician(control, technician);
	}
	booth_start(booth);
	g_autoptr(BoothEnrolment) enrolment = NULL;
	if (enrol) {
		const char *clock_file = g_getenv("RELAIS_BOOTH_TEST_CLOCK_FILE");
		BoothEnrolmentConfig ec = {
			.data_dir = state_dir,
			.booth_id = booth_id,
			.switchboard_url = url,
			.token = token,
			.settings_path = settings.conf ? settings.path : NULL,
			.tls_database = tls_database,
			.build_time = RELAIS_BUILD_EPOCH,
			.ca_not_before = ca_file_not_before(ca_file),
			.clock = clock_file && *clock_file ? test_clock : NULL,
			.clock_data = (gpointer)clock_file,
		};
		static const BoothEnrolmentCallbacks enrol_callbacks = {on_enrol_ready, on_enrol_hold, on_enrol_hold};
		enrolment = booth_enrolment_new(&ec, &enrol_callbacks, booth);
		booth_enrolment_start(enrolment);
		booth_set_refused_func(booth, on_cert_refused, enrolment);
	}
	if (setup_fault) {
		/* argv for the restart: the settings path first, then the
		 * program's own arguments */
		GStrvBuilder *b = g_strv_builder_new();
		g_strv_builder_add(b, settings.path);
		g_strv_builder_addv(b, (const char **)argv_copy);
		char **retry = g_strv_builder_end(b);
		g_strv_builder_unref(b);
		g_timeout_add_seconds_full(G_PRIORITY_DEFAULT, 5, on_settings_retry, retry, (GDestroyNotify)g_strfreev);
	} else {
		g_message("booth %s (board %s, software %s, slot %s) started, switchboard %s", booth_id, board,
			  booth_diag_software(), slot ? slot : "none", url);
	}

	/* under systemd (Type=notify): ready once the first screen is up, and
	 * the watchdog fed from this loop while the media thread also runs
	 * (watchdog.h), so a hung booth is restarted (and comes back to the
	 * attract screen with nothing of a session kept) */
	g_autofree char *status = g_strdup_printf("booth %s, switchboard %s", booth_id, url);
	g_autoptr(BoothWatchdog) watchdog = booth_watchdog_new(booth, status);
	relais_main_loop_run(loop);
	booth_watchdog_stopping(watchdog);
	return 0;
}
