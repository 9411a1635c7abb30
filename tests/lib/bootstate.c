/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bootstate.h"

#include <string.h>

guint32 rt_crc32(const guint8 *data, gsize len)
{
	guint32 crc = 0xffffffffu;
	for (gsize i = 0; i < len; i++) {
		crc ^= data[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

GBytes *rt_bootstate_copy(const char *const *entries, gboolean torn)
{
	guint8 *b = g_malloc0(RT_BOOTSTATE_SIZE);
	gsize at = 4;
	for (guint i = 0; entries && entries[i]; i++) {
		gsize n = strlen(entries[i]) + 1;
		g_assert_cmpuint(at + n, <, RT_BOOTSTATE_SIZE);
		memcpy(b + at, entries[i], n);
		at += n;
	}
	guint32 crc = rt_crc32(b + 4, RT_BOOTSTATE_SIZE - 4);
	if (torn)
		crc ^= 1;
	for (int k = 0; k < 4; k++)
		b[k] = (guint8)(crc >> (8 * k));
	return g_bytes_new_take(b, RT_BOOTSTATE_SIZE);
}

static char *copy_path(const char *base, int n)
{
	return g_strdup_printf("%s.%d", base, n);
}

void rt_bootstate_put(const char *base, int n, guint seq, const char *order, const char *tryboot, const char *pending)
{
	g_autoptr(GPtrArray) e = g_ptr_array_new_with_free_func(g_free);
	if (order && *order)
		g_ptr_array_add(e, g_strdup_printf("order=%s", order));
	if (pending && *pending)
		g_ptr_array_add(e, g_strdup_printf("pending=%s", pending));
	g_ptr_array_add(e, g_strdup_printf("seq=0x%x", seq));
	if (tryboot && *tryboot)
		g_ptr_array_add(e, g_strdup_printf("tryboot=%s", tryboot));
	g_ptr_array_add(e, NULL);
	g_autoptr(GBytes) b = rt_bootstate_copy((const char *const *)e->pdata, FALSE);
	g_autofree char *path = copy_path(base, n);
	g_assert_true(g_file_set_contents(path, g_bytes_get_data(b, NULL), RT_BOOTSTATE_SIZE, NULL));
}

void rt_bootstate_put_both(const char *base, const char *order, const char *tryboot, const char *pending)
{
	rt_bootstate_put(base, 0, 1, order, tryboot, pending);
	rt_bootstate_put(base, 1, 1, order, tryboot, pending);
}

GHashTable *rt_bootstate_read_copy(const char *base, int n)
{
	g_autofree char *path = copy_path(base, n);
	g_autofree char *data = NULL;
	gsize len = 0;
	if (!g_file_get_contents(path, &data, &len, NULL) || len != RT_BOOTSTATE_SIZE)
		return NULL;
	const guint8 *b = (const guint8 *)data;
	guint32 crc = (guint32)b[0] | (guint32)b[1] << 8 | (guint32)b[2] << 16 | (guint32)b[3] << 24;
	if (crc != rt_crc32(b + 4, RT_BOOTSTATE_SIZE - 4))
		return NULL;
	GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (gsize at = 4; at < RT_BOOTSTATE_SIZE && data[at];) {
		gsize n = strnlen(data + at, RT_BOOTSTATE_SIZE - at);
		g_autofree char *entry = g_strndup(data + at, n);
		char *eq = strchr(entry, '=');
		if (eq) {
			*eq = '\0';
			g_hash_table_insert(t, g_strdup(entry), g_strdup(eq + 1));
		}
		at += n + 1;
	}
	return t;
}

GHashTable *rt_bootstate_read(const char *base, int *which)
{
	GHashTable *c[2] = {rt_bootstate_read_copy(base, 0), rt_bootstate_read_copy(base, 1)};
	guint64 s[2] = {0, 0};
	for (int i = 0; i < 2; i++)
		if (c[i])
			s[i] = g_ascii_strtoull(g_hash_table_lookup(c[i], "seq") ?: "0", NULL, 16);
	int use = c[0] ? 0 : 1;
	if (c[0] && c[1] && s[1] > s[0])
		use = 1;
	if (which)
		*which = c[use] ? use : -1;
	g_clear_pointer(&c[1 - use], g_hash_table_unref);
	return c[use];
}
