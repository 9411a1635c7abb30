/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mountinfo.h"

#include <stdlib.h>
#include <string.h>

static void mount_free(gpointer data)
{
	RelaisMount *m = data;
	g_free(m->mount_point);
	g_free(m->source);
	g_free(m->fstype);
	g_free(m);
}

/* The kernel escapes space, tab, newline and backslash as \ooo. */
static char *unescape(const char *s)
{
	GString *out = g_string_sized_new(strlen(s));
	for (const char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
		    p[3] <= '7') {
			g_string_append_c(out, (char)((p[1] - '0') << 6 | (p[2] - '0') << 3 | (p[3] - '0')));
			p += 3;
		} else {
			g_string_append_c(out, *p);
		}
	}
	return g_string_free(out, FALSE);
}

/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue":
 * id, parent, major:minor, root, mount point, options, optional fields up
 * to "-", then type, source, super options. */
static RelaisMount *parse_line(const char *line)
{
	g_auto(GStrv) f = g_strsplit(line, " ", -1);
	guint n = g_strv_length(f);
	if (n < 10)
		return NULL;
	guint sep = 6;
	while (sep < n && !g_str_equal(f[sep], "-"))
		sep++;
	if (sep + 2 >= n)
		return NULL;
	char *end = NULL;
	guint64 major = g_ascii_strtoull(f[2], &end, 10);
	if (end == f[2] || *end != ':' || major > G_MAXUINT)
		return NULL;
	const char *mn = end + 1;
	guint64 minor = g_ascii_strtoull(mn, &end, 10);
	if (end == mn || *end != '\0' || minor > G_MAXUINT || f[4][0] != '/')
		return NULL;
	RelaisMount *m = g_new0(RelaisMount, 1);
	m->major = (guint)major;
	m->minor = (guint)minor;
	m->mount_point = unescape(f[4]);
	m->fstype = unescape(f[sep + 1]);
	m->source = unescape(f[sep + 2]);
	return m;
}

GPtrArray *relais_mountinfo_parse(const char *text)
{
	GPtrArray *mounts = g_ptr_array_new_with_free_func(mount_free);
	g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		RelaisMount *m = parse_line(lines[i]);
		if (m)
			g_ptr_array_add(mounts, m);
	}
	return mounts;
}

GPtrArray *relais_mountinfo_read(const char *path, GError **error)
{
	g_autofree char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, error)) {
		g_prefix_error(error, "reading the list of mounts: ");
		return NULL;
	}
	return relais_mountinfo_parse(text);
}

const RelaisMount *relais_mountinfo_find(GPtrArray *mounts, const char *mount_point)
{
	for (guint i = mounts->len; i > 0; i--) {
		const RelaisMount *m = g_ptr_array_index(mounts, i - 1);
		if (g_str_equal(m->mount_point, mount_point))
			return m;
	}
	return NULL;
}
