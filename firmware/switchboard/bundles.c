/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-bundles"

#include "bundles.h"
#include "api-json.h"
#include "enrol-http.h"
#include "http.h"
#include "protocol.h"
#include "relais-config.h"
#include "updatestatus.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define UPLOAD_KEY   "relais-bundle-upload"
#define ADMIN_PATH   "/api/admin/bundles"
#define FETCH_PREFIX "/api/booth/bundle/"
/* Room kept free on the data folder beyond an upload (the store, the
 * journal of SQLite, logs). */
#define SPARE_BYTES (64u << 20)

struct _SbBundles {
	SbBundlesConfig config;
	char *dir;
	char *rauc, *keyring;
	SbEnrol *enrol;
	gboolean uploading; /* one upload at a time: the disk is bounded */
};

/* One upload, filled chunk by chunk into a temporary file. */
typedef struct {
	SbBundles *b;
	char *tmp; /* its temporary file */
	int fd;
	guint64 len, got;
	GChecksum *sha;
	char *write_error; /* the first write that failed */
	char *login;	   /* the administrator's */
} Upload;

static void bundles_unref(gpointer data);

static void upload_free(Upload *u)
{
	if (u->fd >= 0)
		close(u->fd);
	if (u->tmp)
		(void)g_unlink(u->tmp); /* kept only once renamed */
	u->b->uploading = FALSE;
	g_free(u->tmp);
	g_checksum_free(u->sha);
	g_free(u->write_error);
	g_free(u->login);
	bundles_unref(u->b);
	g_free(u);
}

static void free_bundles(SbBundles *b)
{
	g_free(b->dir);
	g_free(b->rauc);
	g_free(b->keyring);
}

static void bundles_unref(gpointer data)
{
	g_rc_box_release_full(data, (GDestroyNotify)free_bundles);
}

char *sb_bundles_path(SbBundles *b, const char *id)
{
	g_autofree char *name = g_strdup_printf("%s.raucb", id);
	return g_build_filename(b->dir, name, NULL);
}

static char *mib_text(guint64 bytes)
{
	return g_strdup_printf("%" G_GUINT64_FORMAT " MiB", (bytes + (1 << 20) - 1) >> 20);
}

/* --- inspecting a bundle ------------------------------------------------------ */

gboolean sb_bundles_inspect(const char *rauc, const char *keyring, const char *path, char **compatible, char **version,
			    GError **error)
{
	*compatible = *version = NULL;
	g_autofree char *ring = keyring ? g_strdup_printf("--keyring=%s", keyring) : NULL;
	const char *argv[] = {rauc, "info", "--output-format=json", ring ? ring : "--no-verify", path, NULL};
	g_autoptr(GSubprocess) p =
		g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error);
	if (p == NULL) {
		g_prefix_error(error, "cannot run %s: ", rauc);
		return FALSE;
	}
	g_autofree char *out = NULL, *err = NULL;
	if (!g_subprocess_communicate_utf8(p, NULL, NULL, &out, &err, error))
		return FALSE;
	if (!g_subprocess_get_if_exited(p) || g_subprocess_get_exit_status(p) != 0) {
		/* RAUC's last line says why (signature, format) */
		g_auto(GStrv) lines = g_strsplit(g_strstrip(err ? err : ""), "\n", -1);
		guint n = g_strv_length(lines);
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "RAUC refuses it: %s",
			    n ? lines[n - 1] : "no reason given");
		return FALSE;
	}
	g_autoptr(JsonParser) parser = json_parser_new();
	if (!json_parser_load_from_data(parser, out ? out : "", -1, NULL) || json_parser_get_root(parser) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "rauc info gave no JSON");
		return FALSE;
	}
	JsonObject *o = json_node_get_object(json_parser_get_root(parser));
	const char *c = sb_api_member_string(o, "compatible");
	const char *v = sb_api_member_string(o, "version");
	*compatible = c && *c ? relais_version_sanitize(c) : NULL;
	*version = v && *v ? relais_version_sanitize(v) : NULL;
	return TRUE;
}

/* --- the upload: headers, then chunks --------------------------------------------- */

static void on_chunk(SoupServerMessage *msg, GBytes *chunk, gpointer data)
{
	Upload *u = data;
	gsize n = 0;
	const guint8 *p = g_bytes_get_data(chunk, &n);
	n = (gsize)MIN((guint64)n, u->len - u->got);
	if (n == 0 || u->write_error)
		return;
	g_checksum_update(u->sha, p, (gssize)n);
	/* a local file: the page cache takes it at once; fsync comes later,
	 * off the main loop */
	for (gsize done = 0; done < n;) {
		ssize_t w = write(u->fd, p + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			u->write_error = g_strdup(g_strerror(errno));
			return;
		}
		done += (gsize)w;
	}
	u->got += n;
}

static void check_upload_headers(SbBundles *b, SoupServerMessage *msg)
{
	if (!sb_http_allow(msg, "GET, HEAD, POST"))
		return;
	if (g_strcmp0(soup_server_message_get_method(msg), "POST") != 0)
		return; /* the list: the normal handler */
	g_autoptr(SbUser) user = sb_http_require_role(b->config.store, msg, SB_HTTP_ROLE(SB_ROLE_ADMIN), NULL);
	if (user == NULL)
		return;
	if (!sb_http_origin_is_ours(msg, b->config.secure, FALSE)) {
		sb_http_set_json_error(msg, SOUP_STATUS_FORBIDDEN, "cross-origin request refused");
		return;
	}
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *type = soup_message_headers_get_content_type(h, NULL);
	if (g_strcmp0(type, "application/octet-stream") != 0) {
		sb_http_set_json_error(msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
				       "send the bundle as application/octet-stream");
		return;
	}
	if (soup_message_headers_get_encoding(h) != SOUP_ENCODING_CONTENT_LENGTH) {
		sb_http_set_json_error(msg, SOUP_STATUS_LENGTH_REQUIRED, "send the bundle with a Content-Length");
		return;
	}
	goffset len = soup_message_headers_get_content_length(h);
	if (len <= 0) {
		sb_http_set_json_error(msg, SOUP_STATUS_BAD_REQUEST, "the bundle is empty");
		return;
	}
	if ((guint64)len > b->config.max_bytes) {
		g_autofree char *max = mib_text(b->config.max_bytes);
		g_autofree char *text = g_strdup_printf("the bundle is larger than the cap (%s)", max);
		sb_http_set_json_error(msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, text);
		return;
	}
	if (b->uploading) {
		soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After", "30");
		sb_http_set_json_error(msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
				       "another bundle is being uploaded: try again when it is done");
		return;
	}
	struct statvfs vfs;
	if (statvfs(b->dir, &vfs) == 0) {
		guint64 room = (guint64)vfs.f_bavail * vfs.f_frsize;
		if (room < (guint64)len + SPARE_BYTES) {
			g_autofree char *need = mib_text((guint64)len), *free_text = mib_text(room);
			g_autofree char *text = g_strdup_printf(
				"the switchboard's disk is too full: the bundle needs %s, %s free", need, free_text);
			sb_http_set_json_error(msg, SOUP_STATUS_INSUFFICIENT_STORAGE, text);
			return;
		}
	}
	g_autofree char *tmp = g_build_filename(b->dir, ".upload-XXXXXX", NULL);
	int fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_warning("bundle upload: %s: %s", b->dir, g_strerror(errno));
		sb_http_set_json_error(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "the switchboard cannot keep the file");
		return;
	}
	Upload *u = g_new0(Upload, 1);
	u->b = g_rc_box_acquire(b);
	u->tmp = g_steal_pointer(&tmp);
	u->fd = fd;
	u->len = (guint64)len;
	u->sha = g_checksum_new(G_CHECKSUM_SHA256);
	u->login = g_strdup(user->login);
	b->uploading = TRUE;
	g_object_set_data_full(G_OBJECT(msg), UPLOAD_KEY, u, (GDestroyNotify)upload_free);
	soup_message_body_set_accumulate(soup_server_message_get_request_body(msg), FALSE);
	g_signal_connect(msg, "got-chunk", G_CALLBACK(on_chunk), u);
}

static void on_upload_early(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
			    gpointer user_data)
{
	if (g_strcmp0(path, ADMIN_PATH) != 0)
		return; /* /api/admin/bundles/ID: the normal handler */
	check_upload_headers(user_data, msg);
	if (soup_server_message_get_status(msg) != 0)
		sb_http_refuse_before_body(msg);
}

/* --- the upload: the whole body, checked off the main loop ------------------------- */

typedef struct {
	SbBundles *b;
	SoupServerMessage *msg;
	Upload *u; /* the message's: alive while msg is */
	gboolean gone;
	gulong finished_id, disconnected_id;
	char *sha256;
	char *compatible, *version;
	GError *error;
	guint status; /* of the error */
} Check;

static void on_check_gone(SoupServerMessage *msg, gpointer data)
{
	((Check *)data)->gone = TRUE;
}

/* Worker thread: on disk for good, a squashfs, and what RAUC says. */
static void check_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	Check *c = data;
	Upload *u = c->u;
	guint8 magic[4] = {0};
	if (fsync(u->fd) != 0 || pread(u->fd, magic, sizeof magic, 0) != (ssize_t)sizeof magic) {
		c->status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
		g_set_error(&c->error, G_IO_ERROR, g_io_error_from_errno(errno),
			    "the switchboard cannot keep the "
			    "file: %s",
			    g_strerror(errno));
	} else if (memcmp(magic, "hsqs", 4) != 0) {
		/* every RAUC bundle (plain or verity) is a squashfs image */
		c->status = SOUP_STATUS_BAD_REQUEST;
		g_set_error_literal(&c->error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "this is not a RAUC bundle");
	} else if (c->b->rauc &&
		   !sb_bundles_inspect(c->b->rauc, c->b->keyring, u->tmp, &c->compatible, &c->version, &c->error)) {
		c->status = SOUP_STATUS_BAD_REQUEST;
	}
	g_task_return_boolean(task, TRUE);
}

static void reply_bundle(SoupServerMessage *msg, guint status, const SbBundle *bundle)
{
	g_autoptr(JsonBuilder) jb = json_builder_new();
	json_builder_begin_object(jb);
	json_builder_set_member_name(jb, "id");
	json_builder_add_string_value(jb, bundle->id);
	json_builder_set_member_name(jb, "size");
	json_builder_add_int_value(jb, bundle->size);
	json_builder_set_member_name(jb, "version");
	bundle->version ? json_builder_add_string_value(jb, bundle->version) : json_builder_add_null_value(jb);
	json_builder_set_member_name(jb, "compatible");
	bundle->compatible ? json_builder_add_string_value(jb, bundle->compatible) : json_builder_add_null_value(jb);
	json_builder_end_object(jb);
	sb_http_set_json(msg, status, jb);
}

/* Main loop: the checked file kept under its hash, and recorded. */
static void keep_checked(Check *c)
{
	SbBundles *b = c->b;
	Upload *u = c->u;
	if (c->error) {
		g_message("bundle upload by %s refused: %s", u->login, c->error->message);
		sb_http_set_json_error(c->msg, c->status, c->error->message);
		return;
	}
	SbBundle bundle = {.id = c->sha256,
			   .size = (gint64)u->len,
			   .version = c->version,
			   .compatible = c->compatible,
			   .uploaded_by = u->login};
	g_autofree char *path = sb_bundles_path(b, c->sha256);
	if (rename(u->tmp, path) != 0) {
		g_warning("bundle %s: %s", path, g_strerror(errno));
		sb_http_set_json_error(c->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
				       "the switchboard cannot keep the file");
		return;
	}
	g_clear_pointer(&u->tmp, g_free);
	g_autoptr(GError) error = NULL;
	gboolean existed = FALSE;
	if (!sb_store_bundle_add(b->config.store, &bundle, &existed, &error)) {
		g_warning("bundle %.12s: %s", c->sha256, error->message);
		/* a full disk or a lock: 503, try again (the file is kept
		 * under its hash, the same upload again records it) */
		sb_api_reply_store_error(c->msg, error, NULL);
		return;
	}
	g_message("bundle %.12s uploaded by %s: %" G_GUINT64_FORMAT " bytes, version %s, compatible %s%s", c->sha256,
		  u->login, u->len, c->version ? c->version : "unknown", c->compatible ? c->compatible : "unknown",
		  existed ? " (already there)" : "");
	g_autoptr(SbBundle) kept = sb_store_bundle_get(b->config.store, c->sha256, &error);
	reply_bundle(c->msg, existed ? SOUP_STATUS_OK : SOUP_STATUS_CREATED, kept ? kept : &bundle);
}

static void on_checked(GObject *source, GAsyncResult *res, gpointer data)
{
	Check *c = data;
	if (!c->gone) {
		keep_checked(c);
		soup_server_message_unpause(c->msg);
	}
	g_signal_handler_disconnect(c->msg, c->finished_id);
	g_signal_handler_disconnect(c->msg, c->disconnected_id);
	g_clear_error(&c->error);
	g_free(c->sha256);
	g_free(c->compatible);
	g_free(c->version);
	g_object_unref(c->msg);
	bundles_unref(c->b);
	g_free(c);
}

static void finish_upload(SbBundles *b, SoupServerMessage *msg)
{
	Upload *u = g_object_get_data(G_OBJECT(msg), UPLOAD_KEY);
	if (u == NULL) {
		sb_http_set_json_error(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "upload lost");
		return;
	}
	if (u->write_error) {
		g_warning("bundle upload: %s: %s", u->tmp, u->write_error);
		sb_http_set_json_error(msg, SOUP_STATUS_INSUFFICIENT_STORAGE,
				       "the switchboard could not write the file");
		return;
	}
	if (u->got != u->len) {
		sb_http_set_json_error(msg, SOUP_STATUS_BAD_REQUEST, "the upload is incomplete");
		return;
	}
	Check *c = g_new0(Check, 1);
	c->b = g_rc_box_acquire(b);
	c->msg = g_object_ref(msg);
	c->u = u;
	c->sha256 = g_strdup(g_checksum_get_string(u->sha));
	c->finished_id = g_signal_connect(msg, "finished", G_CALLBACK(on_check_gone), c);
	c->disconnected_id = g_signal_connect(msg, "disconnected", G_CALLBACK(on_check_gone), c);
	soup_server_message_pause(msg);
	g_autoptr(GTask) task = g_task_new(NULL, NULL, on_checked, c);
	g_task_set_task_data(task, c, NULL);
	g_task_run_in_thread(task, check_thread);
}

/* --- the list and deletion ----------------------------------------------------------- */

static void list_bundles(SbBundles *b, SoupServerMessage *msg)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = sb_store_bundle_list(b->config.store, &error);
	if (list == NULL) {
		g_warning("bundles: %s", error->message);
		sb_http_set_json_error(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "the store failed");
		return;
	}
	g_autoptr(JsonBuilder) jb = json_builder_new();
	json_builder_begin_object(jb);
	json_builder_set_member_name(jb, "max_bytes");
	json_builder_add_int_value(jb, (gint64)b->config.max_bytes);
	json_builder_set_member_name(jb, "bundles");
	json_builder_begin_array(jb);
	for (guint i = 0; i < list->len; i++) {
		SbBundle *x = list->pdata[i];
		json_builder_begin_object(jb);
		json_builder_set_member_name(jb, "id");
		json_builder_add_string_value(jb, x->id);
		json_builder_set_member_name(jb, "size");
		json_builder_add_int_value(jb, x->size);
		json_builder_set_member_name(jb, "version");
		x->version ? json_builder_add_string_value(jb, x->version) : json_builder_add_null_value(jb);
		json_builder_set_member_name(jb, "compatible");
		x->compatible ? json_builder_add_string_value(jb, x->compatible) : json_builder_add_null_value(jb);
		g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(x->uploaded_at);
		g_autofree char *at = t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ") : NULL;
		json_builder_set_member_name(jb, "uploaded_at");
		at ? json_builder_add_string_value(jb, at) : json_builder_add_null_value(jb);
		json_builder_set_member_name(jb, "uploaded_by");
		json_builder_add_string_value(jb, x->uploaded_by ? x->uploaded_by : "");
		json_builder_end_object(jb);
	}
	json_builder_end_array(jb);
	json_builder_end_object(jb);
	sb_http_set_json(msg, SOUP_STATUS_OK, jb);
}

static void delete_bundle(SbBundles *b, SoupServerMessage *msg, const char *id)
{
	g_autoptr(GError) error = NULL;
	if (!relais_proto_valid_sha256(id)) {
		sb_http_set_json_error(msg, SOUP_STATUS_NOT_FOUND, "no such bundle");
		return;
	}
	if (!sb_store_bundle_del(b->config.store, id, &error)) {
		if (!g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND) &&
		    !g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_IN_USE)) {
			/* the store's own words to the log, 503 or 500 to the client */
			sb_api_reply_store_error(msg, error, NULL);
			return;
		}
		guint status = g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND) ? SOUP_STATUS_NOT_FOUND
												: SOUP_STATUS_CONFLICT;
		sb_http_set_json_error(msg, status, error->message);
		return;
	}
	g_autofree char *path = sb_bundles_path(b, id);
	if (g_unlink(path) != 0 && errno != ENOENT)
		g_warning("bundle %s: %s", path, g_strerror(errno));
	g_message("bundle %.12s deleted", id);
	g_autoptr(JsonBuilder) jb = json_builder_new();
	json_builder_begin_object(jb);
	json_builder_set_member_name(jb, "ok");
	json_builder_add_boolean_value(jb, TRUE);
	json_builder_end_object(jb);
	sb_http_set_json(msg, SOUP_STATUS_OK, jb);
}

static void on_admin_bundles(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
			     gpointer user_data)
{
	SbBundles *b = user_data;
	if (g_strcmp0(path, ADMIN_PATH) == 0) {
		if (!sb_http_allow(msg, "GET, HEAD, POST"))
			return;
		if (g_strcmp0(soup_server_message_get_method(msg), "POST") == 0) {
			finish_upload(b, msg);
			return;
		}
		g_autoptr(SbUser) user = sb_http_require_role(b->config.store, msg, SB_HTTP_ROLE(SB_ROLE_ADMIN), NULL);
		if (user)
			list_bundles(b, msg);
		return;
	}
	const char *id = g_str_has_prefix(path, ADMIN_PATH "/") ? path + strlen(ADMIN_PATH "/") : NULL;
	if (id == NULL || strchr(id, '/')) {
		sb_http_set_json_error(msg, SOUP_STATUS_NOT_FOUND, "no such endpoint");
		return;
	}
	if (!sb_http_allow(msg, "DELETE"))
		return;
	g_autoptr(SbUser) user = sb_http_require_role(b->config.store, msg, SB_HTTP_ROLE(SB_ROLE_ADMIN), NULL);
	if (user == NULL)
		return;
	if (!sb_http_origin_is_ours(msg, b->config.secure, FALSE)) {
		sb_http_set_json_error(msg, SOUP_STATUS_FORBIDDEN, "cross-origin request refused");
		return;
	}
	delete_bundle(b, msg, id);
}

/* --- the booth's download ------------------------------------------------------------- */

static void on_fetch(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
	SbBundles *b = user_data;
	if (!sb_http_allow(msg, "GET"))
		return;
	if (soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Origin") != NULL) {
		sb_http_set_json_error(msg, SOUP_STATUS_FORBIDDEN, "booths do not send an Origin");
		return;
	}
	g_autoptr(SbBoothCert) who = sb_enrol_http_gate(b->enrol, msg);
	if (who == NULL)
		return;
	const char *id = g_str_has_prefix(path, FETCH_PREFIX) ? path + strlen(FETCH_PREFIX) : "";
	g_autoptr(GError) error = NULL;
	g_autoptr(SbUpdateJob) job =
		relais_proto_valid_id(id) ? sb_store_update_job_get(b->config.store, id, &error) : NULL;
	/* only the booth whose update it is, while it is under way */
	if (job == NULL || g_strcmp0(job->booth_id, who->booth_id) != 0 || !sb_update_state_active(job->state) ||
	    job->state == SB_UPDATE_INSTALLED) {
		sb_http_set_json_error(msg, SOUP_STATUS_NOT_FOUND, "no such update");
		return;
	}
	g_autofree char *file = sb_bundles_path(b, job->bundle_id);
	g_autoptr(GMappedFile) map = g_mapped_file_new(file, FALSE, &error);
	if (map == NULL) {
		g_warning("update %s: %s", job->id, error->message);
		sb_http_set_json_error(msg, SOUP_STATUS_GONE, "the bundle is no longer on the switchboard");
		return;
	}
	g_message("booth %s downloads bundle %.12s (update %s)", who->booth_id, job->bundle_id, job->id);
	/* mapped, not read: the kernel pages it in as it is sent */
	g_autoptr(GBytes) bytes = g_mapped_file_get_bytes(map);
	SoupMessageHeaders *rh = soup_server_message_get_response_headers(msg);
	soup_message_headers_replace(rh, "Cache-Control", "no-store");
	soup_message_headers_set_content_type(rh, "application/octet-stream", NULL);
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	soup_message_body_append_bytes(soup_server_message_get_response_body(msg), bytes);
}

SbBundles *sb_bundles_register(SoupServer *soup, SoupServer *booth_soup, SbEnrol *enrol, const SbBundlesConfig *config,
			       GError **error)
{
	if (g_mkdir_with_parents(config->dir, 0700) != 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "bundles folder %s: %s", config->dir,
			    g_strerror(errno));
		return NULL;
	}
	/* what a crash left half-uploaded */
	g_autoptr(GDir) d = g_dir_open(config->dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d)))
		if (g_str_has_prefix(name, ".upload-")) {
			g_autofree char *p = g_build_filename(config->dir, name, NULL);
			(void)g_unlink(p);
		}
	SbBundles *b = g_rc_box_new0(SbBundles);
	b->config = *config;
	b->dir = g_strdup(config->dir);
	b->rauc = g_strdup(config->rauc);
	b->keyring = g_strdup(config->keyring);
	b->config.dir = b->dir;
	b->config.rauc = b->rauc;
	b->config.keyring = b->keyring;
	if (b->config.max_bytes == 0)
		b->config.max_bytes = CONFIG_RELAIS_SB_BUNDLE_MAX_BYTES;
	b->enrol = enrol;
	g_object_set_data_full(G_OBJECT(soup), "relais-bundles", b, bundles_unref);
	soup_server_add_early_handler(soup, ADMIN_PATH, on_upload_early, b, NULL);
	soup_server_add_handler(soup, ADMIN_PATH, on_admin_bundles, b, NULL);
	soup_server_add_handler(booth_soup, FETCH_PREFIX, on_fetch, g_rc_box_acquire(b), bundles_unref);
	return b;
}
