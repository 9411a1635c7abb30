/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "updatestatus.h"
#include "fail.h"
#include "protocol.h"
#include "relais-config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK(relais - update - status - error - quark, relais_update_status_error)

#define FAIL(code, ...) relais_fail(error, RELAIS_UPDATE_STATUS_ERROR, RELAIS_UPDATE_STATUS_ERROR_##code, __VA_ARGS__)

const char *const relais_update_results[] = {"kept", "rolled-back", "install-failed", NULL};

/* The keys of the file, in the order they are written. */
enum { K_RESULT, K_VERSION, K_FROM, K_SLOT, K_AT, K_DETAIL, N_KEYS };
static const char *const key_names[N_KEYS] = {"result", "version", "from", "slot", "at", "detail"};

void relais_update_status_free(RelaisUpdateStatus *s)
{
	if (s == NULL)
		return;
	g_free(s->version);
	g_free(s->from);
	g_free(s->slot);
	g_free(s->at);
	g_free(s->detail);
	g_free(s);
}

static void warn(GPtrArray *warnings, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void warn(GPtrArray *warnings, const char *fmt, ...)
{
	if (warnings == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	g_ptr_array_add(warnings, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

/* The first bytes of a hostile line, printable, for a warning. */
static char *shown(const char *s, gsize len)
{
	GString *out = g_string_new(NULL);
	for (gsize i = 0; i < len && out->len < 40; i++)
		g_string_append_c(out, g_ascii_isprint(s[i]) ? s[i] : '?');
	if (len > 40)
		g_string_append(out, "...");
	return g_string_free(out, FALSE);
}

static gboolean key_char(char c)
{
	return g_ascii_islower(c) || g_ascii_isdigit(c) || c == '_' || c == '-';
}

static gboolean check_detail(char **value, GPtrArray *warnings, GError **error)
{
	if (!g_utf8_validate(*value, -1, NULL))
		return FAIL(INVALID, "detail is not UTF-8");
	for (const char *p = *value; *p; p++)
		if ((guchar)*p < 0x20 || *p == 0x7f)
			return FAIL(INVALID, "detail has a control character");
	gsize n = strlen(*value);
	if (n > CONFIG_RELAIS_PROTO_MAX_TEXT) {
		const char *end = g_utf8_find_prev_char(*value, *value + CONFIG_RELAIS_PROTO_MAX_TEXT + 1);
		(*value)[end - *value] = '\0';
		warn(warnings, "detail is %" G_GSIZE_FORMAT " bytes: cut to %" G_GSIZE_FORMAT, n, strlen(*value));
	}
	return TRUE;
}

static gboolean check_version(const char *key, const char *v, GError **error)
{
	if (!relais_proto_valid_id(v))
		return FAIL(INVALID, "%s must be a version of 1-%d characters of A-Z a-z 0-9 . _ : -", key,
			    CONFIG_RELAIS_PROTO_MAX_ID);
	return TRUE;
}

/* The report out of the values found (each nullable). */
static RelaisUpdateStatus *build(char **values, GPtrArray *warnings, GError **error)
{
	for (guint k = 0; k < N_KEYS; k++)
		if (k != K_FROM && k != K_DETAIL && (values[k] == NULL || *values[k] == '\0')) {
			FAIL(INVALID, "%s is missing", key_names[k]);
			return NULL;
		}
	g_autoptr(RelaisUpdateStatus) s = g_new0(RelaisUpdateStatus, 1);
	guint r = 0;
	while (relais_update_results[r] && g_strcmp0(relais_update_results[r], values[K_RESULT]) != 0)
		r++;
	if (relais_update_results[r] == NULL) {
		g_autofree char *v = shown(values[K_RESULT], strlen(values[K_RESULT]));
		FAIL(INVALID, "result '%s' is not kept, rolled-back or install-failed", v);
		return NULL;
	}
	s->result = (RelaisUpdateResult)r;
	if (!check_version("version", values[K_VERSION], error) ||
	    (values[K_FROM] && *values[K_FROM] && !check_version("from", values[K_FROM], error)))
		return NULL;
	if (g_strcmp0(values[K_SLOT], "A") != 0 && g_strcmp0(values[K_SLOT], "B") != 0) {
		g_autofree char *v = shown(values[K_SLOT], strlen(values[K_SLOT]));
		FAIL(INVALID, "slot '%s' is not A or B", v);
		return NULL;
	}
	if (!relais_proto_valid_time(values[K_AT])) {
		g_autofree char *v = shown(values[K_AT], strlen(values[K_AT]));
		FAIL(INVALID, "at '%s' is not an ISO 8601 time with its offset (2026-12-06T22:10:00Z)", v);
		return NULL;
	}
	if (values[K_DETAIL] && *values[K_DETAIL] && !check_detail(&values[K_DETAIL], warnings, error))
		return NULL;
	s->version = g_strdup(values[K_VERSION]);
	s->from = values[K_FROM] && *values[K_FROM] ? g_strdup(values[K_FROM]) : NULL;
	s->slot = g_strdup(values[K_SLOT]);
	s->at = g_strdup(values[K_AT]);
	s->detail = values[K_DETAIL] && *values[K_DETAIL] ? g_strdup(values[K_DETAIL]) : NULL;
	return g_steal_pointer(&s);
}

RelaisUpdateStatus *relais_update_status_parse(const char *data, gsize len, GPtrArray *warnings, GError **error)
{
	g_return_val_if_fail(data != NULL || len == 0, NULL);
	if (len > RELAIS_UPDATE_STATUS_MAX_BYTES) {
		FAIL(UNREADABLE, "more than %d bytes: not an update status", RELAIS_UPDATE_STATUS_MAX_BYTES);
		return NULL;
	}
	char *values[N_KEYS] = {NULL};
	guint line_no = 0;
	for (gsize pos = 0; pos < len;) {
		const char *line = data + pos;
		const char *nl = memchr(line, '\n', len - pos);
		gsize n = nl ? (gsize)(nl - line) : len - pos;
		pos += n + 1;
		line_no++;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		/* blank lines and comments, leading blanks allowed */
		gsize lead = 0;
		while (lead < n && (line[lead] == ' ' || line[lead] == '\t'))
			lead++;
		if (lead == n || line[lead] == '#')
			continue;
		if (memchr(line, '\0', n) != NULL) {
			warn(warnings, "line %u ignored: it holds a NUL byte", line_no);
			continue;
		}
		const char *eq = memchr(line + lead, '=', n - lead);
		gsize klen = eq ? (gsize)(eq - line - lead) : 0;
		while (klen > 0 && (line[lead + klen - 1] == ' ' || line[lead + klen - 1] == '\t'))
			klen--; /* "key = value" */
		gboolean ok = eq != NULL && klen > 0 && klen <= 32;
		for (gsize i = 0; ok && i < klen; i++)
			ok = key_char(line[lead + i]);
		if (!ok) {
			g_autofree char *s = shown(line, n);
			warn(warnings, "line %u ignored: '%s' is not key=value", line_no, s);
			continue;
		}
		g_autofree char *key = g_strndup(line + lead, klen);
		guint k = 0;
		while (k < N_KEYS && strcmp(key_names[k], key) != 0)
			k++;
		if (k == N_KEYS)
			continue; /* a newer health service's key: not ours */
		if (values[k] != NULL) {
			warn(warnings, "line %u ignored: %s is given twice (the first counts)", line_no, key);
			continue;
		}
		g_autofree char *value = g_strndup(eq + 1, (gsize)(line + n - eq - 1));
		values[k] = g_strdup(g_strstrip(value));
	}
	RelaisUpdateStatus *s = build(values, warnings, error);
	for (guint k = 0; k < N_KEYS; k++)
		g_free(values[k]);
	return s;
}

RelaisUpdateStatus *relais_update_status_load(const char *path, GPtrArray *warnings, GError **error)
{
	/* O_NONBLOCK: a FIFO put there would otherwise hang the booth's main
	 * loop until the watchdog kills it */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT)
			FAIL(MISSING, "%s: no update status", path);
		else
			FAIL(UNREADABLE, "%s: %s", path, g_strerror(e));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		FAIL(UNREADABLE, "%s: not a regular file", path);
		return NULL;
	}
	char buf[RELAIS_UPDATE_STATUS_MAX_BYTES + 1];
	gsize got = 0;
	while (got < sizeof buf) {
		ssize_t r = read(fd, buf + got, sizeof buf - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			FAIL(UNREADABLE, "%s: %s", path, g_strerror(e));
			return NULL;
		}
		if (r == 0)
			break;
		got += (gsize)r;
	}
	close(fd);
	g_autoptr(GError) local = NULL;
	RelaisUpdateStatus *s = relais_update_status_parse(buf, got, warnings, &local);
	if (s == NULL)
		g_propagate_prefixed_error(error, g_steal_pointer(&local), "%s: ", path);
	return s;
}

char *relais_update_status_to_data(const RelaisUpdateStatus *s)
{
	GString *out = g_string_new(NULL);
	g_string_append_printf(out, "result=%s\nversion=%s\nfrom=%s\nslot=%s\nat=%s\n",
			       relais_update_results[s->result], s->version, s->from ? s->from : "", s->slot, s->at);
	if (s->detail)
		g_string_append_printf(out, "detail=%s\n", s->detail);
	return g_string_free(out, FALSE);
}

JsonObject *relais_update_status_message(const RelaisUpdateStatus *s)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_UPDATE_REPORT);
	json_object_set_string_member(o, "result", relais_update_results[s->result]);
	json_object_set_string_member(o, "version", s->version);
	if (s->from)
		json_object_set_string_member(o, "from", s->from);
	json_object_set_string_member(o, "slot", s->slot);
	json_object_set_string_member(o, "at", s->at);
	if (s->detail)
		json_object_set_string_member(o, "detail", s->detail);
	return o;
}

char *relais_cmdline_slot(const char *cmdline)
{
	if (cmdline == NULL)
		return NULL;
	g_auto(GStrv) words = g_strsplit_set(cmdline, " \t\n", -1);
	char *slot = NULL;
	for (char **w = words; *w; w++) {
		if (!g_str_has_prefix(*w, "rauc.slot="))
			continue;
		const char *v = *w + strlen("rauc.slot=");
		g_clear_pointer(&slot, g_free);
		/* the last one counts, as for the kernel's own parameters */
		if (g_str_equal(v, "A") || g_str_equal(v, "B"))
			slot = g_strdup(v);
	}
	return slot;
}

char *relais_version_sanitize(const char *raw)
{
	if (raw == NULL || *raw == '\0')
		return g_strdup("unknown");
	char *v = g_strndup(raw, CONFIG_RELAIS_PROTO_MAX_ID);
	for (char *p = v; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '.' && *p != '_' && *p != ':' && *p != '-')
			*p = '_';
	return v;
}

char *relais_release_version(const char *text)
{
	if (text == NULL || strlen(text) > 4096)
		return NULL;
	g_autofree char *version = NULL, *build = NULL;
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		char *v = g_strstrip(*l);
		if (g_str_has_prefix(v, "RELAIS_VERSION="))
			g_free(version), version = g_strdup(v + strlen("RELAIS_VERSION="));
		else if (g_str_has_prefix(v, "RELAIS_BUILD_ID="))
			g_free(build), build = g_strdup(v + strlen("RELAIS_BUILD_ID="));
	}
	if (version == NULL || *version == '\0' || build == NULL || *build == '\0')
		return NULL;
	g_autoptr(GString) raw = g_string_new(version);
	g_string_append_c(raw, '-');
	g_string_append(raw, build);
	g_string_replace(raw, "-dirty", ".dirty", 0);
	return relais_version_sanitize(raw->str);
}
