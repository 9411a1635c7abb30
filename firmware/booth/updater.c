/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-updater"

#include "updater.h"
#include "relais-config.h"
#include "updatestatus.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Room left on the data partition beyond the bundle (logs, the key, the
 * journal keep working). */
#define SPARE_BYTES (16u << 20)
#define CHUNK	    (64 * 1024)
/* A status message is one line, short. */
#define MAX_MESSAGE 500

/* --- the decisions --------------------------------------------------------------- */

static const char *const state_names[] = {"none", "waiting", "downloading", "installing", "installed", "rebooting"};

const char *booth_update_state_name(BoothUpdateState state)
{
	return (guint)state < G_N_ELEMENTS(state_names) ? state_names[state] : "?";
}

gboolean booth_update_step(BoothUpdateState state, BoothUpdateEvent event, gboolean idle, BoothUpdateState *next,
			   BoothUpdateAction *action)
{
	BoothUpdateState n = state;
	BoothUpdateAction a = BOOTH_UPDATE_DO_NOTHING;
	switch (state) {
	case BOOTH_UPDATE_NONE:
	case BOOTH_UPDATE_WAITING:
		if (event == BOOTH_UPDATE_EV_IDLE && state == BOOTH_UPDATE_WAITING && !idle) {
			n = state; /* still a visitor: keep waiting, say nothing */
		} else if (event == BOOTH_UPDATE_EV_OFFER ||
			   (event == BOOTH_UPDATE_EV_IDLE && state == BOOTH_UPDATE_WAITING)) {
			/* never while a visitor is there: the link is theirs */
			n = idle ? BOOTH_UPDATE_DOWNLOADING : BOOTH_UPDATE_WAITING;
			a = idle ? BOOTH_UPDATE_DO_DOWNLOAD : BOOTH_UPDATE_DO_TELL_BUSY;
		} else {
			return FALSE;
		}
		break;
	case BOOTH_UPDATE_DOWNLOADING:
		if (event == BOOTH_UPDATE_EV_DOWNLOADED) {
			n = BOOTH_UPDATE_INSTALLING;
			a = BOOTH_UPDATE_DO_INSTALL;
		} else if (event == BOOTH_UPDATE_EV_FAILED) {
			n = BOOTH_UPDATE_NONE;
			a = BOOTH_UPDATE_DO_REPORT_FAILURE;
		} else if (event == BOOTH_UPDATE_EV_OFFER) {
			a = BOOTH_UPDATE_DO_REFUSE;
		} else {
			return FALSE;
		}
		break;
	case BOOTH_UPDATE_INSTALLING:
		if (event == BOOTH_UPDATE_EV_INSTALLED) {
			/* a new slot is there: the reboot waits for the visitor
			 * to leave */
			n = idle ? BOOTH_UPDATE_REBOOTING : BOOTH_UPDATE_INSTALLED;
			a = idle ? BOOTH_UPDATE_DO_REBOOT : BOOTH_UPDATE_DO_TELL_INSTALLED;
		} else if (event == BOOTH_UPDATE_EV_FAILED) {
			n = BOOTH_UPDATE_NONE;
			a = BOOTH_UPDATE_DO_REPORT_FAILURE;
		} else if (event == BOOTH_UPDATE_EV_OFFER) {
			a = BOOTH_UPDATE_DO_REFUSE;
		} else {
			return FALSE;
		}
		break;
	case BOOTH_UPDATE_INSTALLED:
		if (event == BOOTH_UPDATE_EV_IDLE) {
			/* never during a visitor's session */
			n = idle ? BOOTH_UPDATE_REBOOTING : BOOTH_UPDATE_INSTALLED;
			a = idle ? BOOTH_UPDATE_DO_REBOOT : BOOTH_UPDATE_DO_NOTHING;
		} else if (event == BOOTH_UPDATE_EV_OFFER) {
			a = BOOTH_UPDATE_DO_REFUSE;
		} else {
			return FALSE;
		}
		break;
	case BOOTH_UPDATE_REBOOTING:
		if (event == BOOTH_UPDATE_EV_REBOOT_FAILED)
			n = BOOTH_UPDATE_INSTALLED; /* again when next idle */
		else if (event == BOOTH_UPDATE_EV_OFFER)
			a = BOOTH_UPDATE_DO_REFUSE;
		else
			return FALSE;
		break;
	default:
		return FALSE;
	}
	*next = n;
	*action = a;
	return TRUE;
}

/* --- the updater ------------------------------------------------------------------ */

struct _BoothUpdater {
	BoothLink *link;
	char *dir, *rauc, *reboot_cmd, *software, *slot;
	BoothUpdaterIdleFunc idle;
	gpointer idle_data;
	BoothUpdateState state;
	/* the offer taken (or waiting) */
	char *update, *sha256, *version;
	guint64 size;
	/* the work under way */
	GCancellable *cancel;
	GInputStream *in;
	int fd;
	char *tmp;
	guint64 got;
	GChecksum *sha;
	guint8 *buf;
	gint told_progress;
	guint poll_id; /* waiting or installed: is the booth idle now? */
	GSubprocess *rauc_proc;
	GDataInputStream *rauc_out;
	char *last_line, *line_before; /* RAUC's last words */
	char *failure;		       /* why it failed, for the reports */
};

static void send_status(BoothUpdater *u, const char *update, const char *state, gint progress, const char *message)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_UPDATE_STATUS);
	json_object_set_string_member(o, "update", update);
	json_object_set_string_member(o, "state", state);
	if (progress >= 0)
		json_object_set_int_member(o, "progress", progress);
	if (message && *message) {
		g_autofree char *m = g_utf8_make_valid(message, MIN((gssize)strlen(message), MAX_MESSAGE));
		json_object_set_string_member(o, "message", m);
	}
	/* the link may be down: the switchboard offers again after the next
	 * hello, and the booth answers with where it is */
	(void)booth_link_send(u->link, o);
}

/* The version the report names: the offer's, else the bundle's hash. */
static char *report_version(BoothUpdater *u)
{
	return u->version ? g_strdup(u->version) : g_strdup_printf("bundle-%.12s", u->sha256);
}

/* A failure as the health service would say it: update_report
 * install-failed, so that the page shows it with the others. */
static void report_failure(BoothUpdater *u, const char *why)
{
	g_warning("update %s failed: %s", u->update, why);
	send_status(u, u->update, "failed", -1, why);
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *at = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
	g_autofree char *version = report_version(u);
	g_autofree char *detail = g_utf8_make_valid(why, MIN((gssize)strlen(why), MAX_MESSAGE));
	/* the slot it would have written: the other one (B without slots:
	 * a development machine) */
	RelaisUpdateStatus st = {
		.result = RELAIS_UPDATE_INSTALL_FAILED,
		.version = version,
		.from = (char *)u->software,
		.slot = g_strcmp0(u->slot, "B") == 0 ? "A" : "B",
		.at = at,
		.detail = detail,
	};
	(void)booth_link_send(u->link, relais_update_status_message(&st));
}

static void clear_work(BoothUpdater *u)
{
	if (u->cancel) {
		g_cancellable_cancel(u->cancel);
		g_clear_object(&u->cancel);
	}
	g_clear_object(&u->in);
	if (u->fd >= 0) {
		close(u->fd);
		u->fd = -1;
	}
	if (u->tmp) {
		/* whatever happened, the bundle does not stay on the data
		 * partition */
		(void)g_unlink(u->tmp);
		g_clear_pointer(&u->tmp, g_free);
	}
	g_clear_pointer(&u->sha, g_checksum_free);
	g_clear_pointer(&u->buf, g_free);
	g_clear_object(&u->rauc_out);
	g_clear_object(&u->rauc_proc);
	g_clear_pointer(&u->last_line, g_free);
	g_clear_pointer(&u->line_before, g_free);
}

static void forget_offer(BoothUpdater *u)
{
	g_clear_pointer(&u->update, g_free);
	g_clear_pointer(&u->sha256, g_free);
	g_clear_pointer(&u->version, g_free);
	u->size = 0;
}

static void step(BoothUpdater *u, BoothUpdateEvent event);

static void fail(BoothUpdater *u, const char *why)
{
	g_free(u->failure);
	u->failure = g_strdup(why);
	step(u, BOOTH_UPDATE_EV_FAILED);
}

/* --- the download ---------------------------------------------------------------------- */

static char *mib(guint64 bytes)
{
	return g_strdup_printf("%" G_GUINT64_FORMAT " MiB", (bytes + (1 << 20) - 1) >> 20);
}

static void on_read(GObject *source, GAsyncResult *res, gpointer data);

static void read_more(BoothUpdater *u)
{
	g_input_stream_read_async(u->in, u->buf, CHUNK, G_PRIORITY_LOW, u->cancel, on_read, u);
}

static void on_read(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), res, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return; /* the updater is gone or moved on */
	BoothUpdater *u = data;
	if (n < 0) {
		g_autofree char *why = g_strdup_printf("the download failed: %s", error->message);
		fail(u, why);
		return;
	}
	if (n == 0) {
		if (u->got != u->size) {
			g_autofree char *why = g_strdup_printf("the download was cut: %" G_GUINT64_FORMAT
							       " of %" G_GUINT64_FORMAT " bytes",
							       u->got, u->size);
			fail(u, why);
			return;
		}
		if (g_strcmp0(g_checksum_get_string(u->sha), u->sha256) != 0) {
			fail(u, "the bundle's SHA-256 is not the offer's: discarded");
			return;
		}
		if (fsync(u->fd) != 0) {
			g_autofree char *why = g_strdup_printf("the data partition: %s", g_strerror(errno));
			fail(u, why);
			return;
		}
		g_message("update %s: bundle downloaded and checked (%" G_GUINT64_FORMAT " bytes)", u->update, u->got);
		step(u, BOOTH_UPDATE_EV_DOWNLOADED);
		return;
	}
	if (u->got + (guint64)n > u->size) {
		fail(u, "the switchboard sent more than the offer's size");
		return;
	}
	g_checksum_update(u->sha, u->buf, n);
	for (gssize done = 0; done < n;) {
		ssize_t w = write(u->fd, u->buf + done, (size_t)(n - done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			g_autofree char *why =
				g_strdup_printf("writing the bundle on the data partition: %s", g_strerror(errno));
			fail(u, why);
			return;
		}
		done += w;
	}
	u->got += (guint64)n;
	gint progress = (gint)(u->got * 100 / u->size);
	if (progress >= u->told_progress + 10) {
		u->told_progress = progress - progress % 10;
		send_status(u, u->update, "downloading", u->told_progress, NULL);
	}
	read_more(u);
}

static void on_opened(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	goffset length = 0;
	GInputStream *in = booth_link_open_finish(NULL, res, &length, &error);
	if (in == NULL && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	BoothUpdater *u = data;
	if (in == NULL) {
		g_autofree char *why = g_strdup_printf("the download failed: %s", error->message);
		fail(u, why);
		return;
	}
	u->in = in;
	if ((guint64)length != u->size) {
		g_autofree char *why = g_strdup_printf("the switchboard sends %" G_GINT64_FORMAT
						       " bytes, the offer said %" G_GUINT64_FORMAT,
						       (gint64)length, u->size);
		fail(u, why);
		return;
	}
	read_more(u);
}

/* The room first: a bundle that does not fit touches nothing. */
static gboolean check_room(BoothUpdater *u, char **why)
{
	struct statvfs vfs;
	if (statvfs(u->dir, &vfs) != 0) {
		*why = g_strdup_printf("the update folder %s: %s", u->dir, g_strerror(errno));
		return FALSE;
	}
	guint64 room = (guint64)vfs.f_bavail * vfs.f_frsize;
	if (room < u->size + SPARE_BYTES) {
		g_autofree char *need = mib(u->size), *free_text = mib(room > SPARE_BYTES ? room - SPARE_BYTES : 0);
		*why = g_strdup_printf("data partition full: the bundle needs %s, %s free", need, free_text);
		return FALSE;
	}
	return TRUE;
}

static void download(BoothUpdater *u)
{
	g_autofree char *why = NULL;
	if (g_mkdir_with_parents(u->dir, 0700) != 0) {
		why = g_strdup_printf("the update folder %s: %s", u->dir, g_strerror(errno));
		fail(u, why);
		return;
	}
	if (!check_room(u, &why)) {
		fail(u, why);
		return;
	}
	u->tmp = g_build_filename(u->dir, ".bundle-XXXXXX", NULL);
	u->fd = g_mkstemp_full(u->tmp, O_RDWR | O_CLOEXEC, 0600);
	if (u->fd < 0) {
		g_clear_pointer(&u->tmp, g_free);
		why = g_strdup_printf("the update folder %s: %s", u->dir, g_strerror(errno));
		fail(u, why);
		return;
	}
	u->sha = g_checksum_new(G_CHECKSUM_SHA256);
	u->buf = g_malloc(CHUNK);
	u->got = 0;
	u->told_progress = 0;
	u->cancel = g_cancellable_new();
	g_message("update %s: downloading the bundle (%" G_GUINT64_FORMAT " bytes, version %s)", u->update, u->size,
		  u->version ? u->version : "unknown");
	send_status(u, u->update, "downloading", 0, NULL);
	g_autofree char *path = g_strdup_printf("/api/booth/bundle/%s", u->update);
	booth_link_open_async(u->link, path, u->cancel, on_opened, u);
}

/* --- rauc install ------------------------------------------------------------------------ */

/* "  40% Copying image to rootfs.1" → 40; -1 if the line has no percentage */
static gint percent_of(const char *line)
{
	const char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	gint v = 0, digits = 0;
	while (g_ascii_isdigit(*p) && digits < 4) {
		v = v * 10 + (*p - '0');
		p++;
		digits++;
	}
	return digits > 0 && digits <= 3 && *p == '%' && v <= 100 ? v : -1;
}

static void on_rauc_line(GObject *source, GAsyncResult *res, gpointer data);

static void read_rauc_line(BoothUpdater *u)
{
	g_data_input_stream_read_line_async(u->rauc_out, G_PRIORITY_DEFAULT, u->cancel, on_rauc_line, u);
}

static void on_rauc_exit(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	gboolean waited = g_subprocess_wait_finish(G_SUBPROCESS(source), res, &error);
	if (!waited && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	BoothUpdater *u = data;
	if (waited && g_subprocess_get_if_exited(u->rauc_proc) && g_subprocess_get_exit_status(u->rauc_proc) == 0) {
		g_message("update %s: rauc install succeeded", u->update);
		step(u, BOOTH_UPDATE_EV_INSTALLED);
		return;
	}
	/* RAUC says what went wrong, then that the install failed: both */
	g_autofree char *why =
		g_strdup_printf("rauc install failed: %s%s%s", u->line_before ? u->line_before : "",
				u->line_before ? "; " : "", u->last_line ? u->last_line : "no reason given");
	fail(u, why);
}

static void on_rauc_line(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	g_autofree char *line =
		g_data_input_stream_read_line_finish_utf8(G_DATA_INPUT_STREAM(source), res, &len, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	BoothUpdater *u = data;
	if (line == NULL) {
		/* its output is over (or not UTF-8): the exit status decides */
		g_subprocess_wait_async(u->rauc_proc, u->cancel, on_rauc_exit, u);
		return;
	}
	g_strstrip(line);
	if (*line) {
		g_message("rauc: %s", line);
		gint p = percent_of(line);
		if (p < 0) {
			g_free(u->line_before);
			u->line_before = g_steal_pointer(&u->last_line);
			u->last_line = g_strndup(line, MAX_MESSAGE / 2);
		}
		if (p >= 0 && p != u->told_progress) {
			u->told_progress = p;
			send_status(u, u->update, "installing", p, line);
		}
	}
	read_rauc_line(u);
}

static void install(BoothUpdater *u)
{
	g_autoptr(GError) error = NULL;
	/* the download is complete: RAUC reads it by its name */
	close(u->fd);
	u->fd = -1;
	const char *argv[] = {u->rauc, "install", u->tmp, NULL};
	u->rauc_proc =
		g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);
	if (u->rauc_proc == NULL) {
		g_autofree char *why = g_strdup_printf("cannot run %s: %s", u->rauc, error->message);
		fail(u, why);
		return;
	}
	g_message("update %s: %s install %s", u->update, u->rauc, u->tmp);
	u->told_progress = -1;
	send_status(u, u->update, "installing", 0, NULL);
	u->rauc_out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(u->rauc_proc));
	read_rauc_line(u);
}

/* --- reboot ---------------------------------------------------------------------------------- */

static void on_reboot_exit(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	GSubprocess *p = G_SUBPROCESS(source);
	gboolean ok = g_subprocess_wait_check_finish(p, res, &error);
	g_object_unref(p);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	BoothUpdater *u = data;
	if (ok)
		return; /* the system goes down */
	g_warning("the reboot command failed (%s): again when the booth is next idle", error->message);
	step(u, BOOTH_UPDATE_EV_REBOOT_FAILED);
}

static void reboot(BoothUpdater *u)
{
	g_auto(GStrv) argv = NULL;
	g_autoptr(GError) error = NULL;
	if (!g_shell_parse_argv(u->reboot_cmd, NULL, &argv, &error)) {
		g_warning("the reboot command '%s': %s", u->reboot_cmd, error->message);
		step(u, BOOTH_UPDATE_EV_REBOOT_FAILED);
		return;
	}
	g_message("update %s installed and nobody at the booth: rebooting (%s)", u->update, u->reboot_cmd);
	GSubprocess *p = g_subprocess_newv((const char *const *)argv, G_SUBPROCESS_FLAGS_NONE, &error);
	if (p == NULL) {
		g_warning("the reboot command '%s': %s", u->reboot_cmd, error->message);
		step(u, BOOTH_UPDATE_EV_REBOOT_FAILED);
		return;
	}
	if (u->cancel == NULL)
		u->cancel = g_cancellable_new();
	g_subprocess_wait_check_async(p, u->cancel, on_reboot_exit, u);
}

/* --- steps ---------------------------------------------------------------------------------- */

/* While an offer or a reboot waits for the booth to be idle, ask now and
 * then: a visitor leaving the screen is no event of the booth's. */
static gboolean on_poll(gpointer data)
{
	BoothUpdater *u = data;
	u->poll_id = 0;
	step(u, BOOTH_UPDATE_EV_IDLE);
	return G_SOURCE_REMOVE;
}

static void step(BoothUpdater *u, BoothUpdateEvent event)
{
	BoothUpdateState next;
	BoothUpdateAction action;
	gboolean idle = u->idle ? u->idle(u->idle_data) : TRUE;
	if (!booth_update_step(u->state, event, idle, &next, &action))
		return;
	if (next != u->state)
		g_debug("update: %s -> %s", booth_update_state_name(u->state), booth_update_state_name(next));
	BoothUpdateState from = u->state;
	u->state = next;
	switch (action) {
	case BOOTH_UPDATE_DO_NOTHING:
	case BOOTH_UPDATE_DO_REFUSE: /* handled by the offer itself */
		break;
	case BOOTH_UPDATE_DO_TELL_BUSY:
		g_message("update %s offered while a visitor is here: later", u->update);
		send_status(u, u->update, "busy", -1, "a visitor is at the booth: the update starts once they leave");
		break;
	case BOOTH_UPDATE_DO_DOWNLOAD:
		download(u);
		break;
	case BOOTH_UPDATE_DO_INSTALL:
		install(u);
		break;
	case BOOTH_UPDATE_DO_TELL_INSTALLED:
		clear_work(u);
		send_status(u, u->update, "installed", 100, "the booth reboots once no visitor is there");
		break;
	case BOOTH_UPDATE_DO_REBOOT:
		if (from == BOOTH_UPDATE_INSTALLING) {
			clear_work(u);
			send_status(u, u->update, "installed", 100, "rebooting");
		}
		reboot(u);
		break;
	case BOOTH_UPDATE_DO_REPORT_FAILURE:
		clear_work(u);
		report_failure(u, u->failure ? u->failure : "no reason given");
		forget_offer(u);
		break;
	}
	if ((u->state == BOOTH_UPDATE_WAITING || u->state == BOOTH_UPDATE_INSTALLED) && u->poll_id == 0)
		u->poll_id = g_timeout_add_seconds(5, on_poll, u);
	else if (u->state != BOOTH_UPDATE_WAITING && u->state != BOOTH_UPDATE_INSTALLED)
		g_clear_handle_id(&u->poll_id, g_source_remove);
}

void booth_updater_offer(BoothUpdater *u, RelaisMsg *offer)
{
	const char *id = relais_msg_get_string(offer, "update");
	if (u->update && g_strcmp0(id, u->update) == 0 && u->state != BOOTH_UPDATE_WAITING) {
		/* offered again after a reconnection: say where it is */
		send_status(u, id,
			    u->state == BOOTH_UPDATE_DOWNLOADING  ? "downloading"
			    : u->state == BOOTH_UPDATE_INSTALLING ? "installing"
								  : "installed",
			    u->told_progress >= 0 ? u->told_progress : 0, NULL);
		return;
	}
	if (u->state != BOOTH_UPDATE_NONE && u->state != BOOTH_UPDATE_WAITING) {
		g_autofree char *why =
			g_strdup_printf("another update (%s) is under way on this booth", u->update ? u->update : "?");
		g_message("update %s refused: %s", id, why);
		send_status(u, id, "failed", -1, why);
		return;
	}
	forget_offer(u);
	u->update = g_strdup(id);
	u->sha256 = g_strdup(relais_msg_get_string(offer, "sha256"));
	u->version = g_strdup(relais_msg_get_string(offer, "version"));
	u->size = (guint64)relais_msg_get_int(offer, "size", 0);
	step(u, BOOTH_UPDATE_EV_OFFER);
}

void booth_updater_idle(BoothUpdater *u)
{
	step(u, BOOTH_UPDATE_EV_IDLE);
}

JsonObject *booth_updater_status(BoothUpdater *u)
{
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "state", booth_update_state_name(u->state));
	if (u->update)
		json_object_set_string_member(o, "update", u->update);
	if (u->state == BOOTH_UPDATE_DOWNLOADING && u->size)
		json_object_set_int_member(o, "progress", (gint64)(u->got * 100 / u->size));
	if (u->failure)
		json_object_set_string_member(o, "last_failure", u->failure);
	return o;
}

BoothUpdater *booth_updater_new(BoothLink *link, const BoothUpdaterConfig *config, BoothUpdaterIdleFunc idle,
				gpointer user_data)
{
	BoothUpdater *u = g_new0(BoothUpdater, 1);
	u->link = link;
	u->dir = g_strdup(config->dir);
	u->rauc = g_strdup(config->rauc ? config->rauc : CONFIG_RELAIS_BOOTH_RAUC_PATH);
	u->reboot_cmd = g_strdup(config->reboot_cmd ? config->reboot_cmd : CONFIG_RELAIS_BOOTH_REBOOT_CMD);
	u->software = g_strdup(config->software);
	u->slot = g_strdup(config->slot);
	u->idle = idle;
	u->idle_data = user_data;
	u->fd = -1;
	u->told_progress = -1;
	/* what a crash or a power cut left half-downloaded */
	g_autoptr(GDir) d = u->dir ? g_dir_open(u->dir, 0, NULL) : NULL;
	const char *name;
	while (d && (name = g_dir_read_name(d)))
		if (g_str_has_prefix(name, ".bundle-")) {
			g_autofree char *p = g_build_filename(u->dir, name, NULL);
			(void)g_unlink(p);
		}
	return u;
}

void booth_updater_free(BoothUpdater *u)
{
	if (u == NULL)
		return;
	g_clear_handle_id(&u->poll_id, g_source_remove);
	clear_work(u);
	forget_offer(u);
	g_free(u->dir);
	g_free(u->rauc);
	g_free(u->reboot_cmd);
	g_free(u->software);
	g_free(u->slot);
	g_free(u->failure);
	g_free(u);
}
