/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "blockdev.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

/* A stack of dm over dm over md is a few levels; more is a loop. */
#define MAX_DEPTH 8

static char *read_line(const char *dir, const char *name)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autofree char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	return g_strdup(g_strstrip(text));
}

/* The "MAJ:MIN" of a sysfs block folder. */
static gboolean dir_dev(const char *dir, dev_t *out)
{
	g_autofree char *text = read_line(dir, "dev");
	guint maj = 0, min = 0;
	char extra;
	if (text == NULL || sscanf(text, "%u:%u%c", &maj, &min, &extra) != 2)
		return FALSE;
	*out = makedev(maj, min);
	return TRUE;
}

static void add_dev(GArray *set, dev_t dev)
{
	for (guint i = 0; i < set->len; i++)
		if (g_array_index(set, dev_t, i) == dev)
			return;
	g_array_append_val(set, dev);
}

char *relais_blockdev_dir(const char *sysfs, dev_t dev)
{
	g_autofree char *link = g_strdup_printf("%s/dev/block/%u:%u", sysfs, major(dev), minor(dev));
	return realpath(link, NULL);
}

char *relais_blockdev_name(const char *sysfs, dev_t dev)
{
	g_autofree char *dir = relais_blockdev_dir(sysfs, dev);
	return dir ? g_path_get_basename(dir) : NULL;
}

gboolean relais_blockdev_partition_of(const char *sysfs, dev_t dev, dev_t *disk)
{
	g_autofree char *dir = relais_blockdev_dir(sysfs, dev);
	if (dir == NULL)
		return FALSE;
	g_autofree char *part = g_build_filename(dir, "partition", NULL);
	if (!g_file_test(part, G_FILE_TEST_EXISTS))
		return FALSE;
	g_autofree char *parent = g_path_get_dirname(dir);
	return dir_dev(parent, disk);
}

/* The devices in folder `dir`/`sub` (holders/ or slaves/): links to
 * block folders. */
static void linked(const char *dir, const char *sub, GArray *out)
{
	g_autofree char *path = g_build_filename(dir, sub, NULL);
	g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *link = g_build_filename(path, name, NULL);
		g_autofree char *real = realpath(link, NULL);
		dev_t dev;
		if (real && dir_dev(real, &dev))
			add_dev(out, dev);
	}
}

static void stack(const char *sysfs, dev_t dev, GArray *set, guint depth)
{
	g_autofree char *dir = relais_blockdev_dir(sysfs, dev);
	add_dev(set, dev);
	if (dir == NULL || depth > MAX_DEPTH)
		return;
	g_autoptr(GArray) next = g_array_new(FALSE, FALSE, sizeof(dev_t));
	linked(dir, "holders", next);
	/* partitions are sub-folders with a "partition" file */
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *sub = g_build_filename(dir, name, NULL);
		g_autofree char *part = g_build_filename(sub, "partition", NULL);
		dev_t pdev;
		if (g_file_test(part, G_FILE_TEST_EXISTS) && dir_dev(sub, &pdev))
			add_dev(next, pdev);
	}
	for (guint i = 0; i < next->len; i++)
		stack(sysfs, g_array_index(next, dev_t, i), set, depth + 1);
}

GArray *relais_blockdev_stack(const char *sysfs, dev_t dev)
{
	GArray *set = g_array_new(FALSE, FALSE, sizeof(dev_t));
	stack(sysfs, dev, set, 0);
	return set;
}

static void under(const char *sysfs, dev_t dev, GArray *disks, guint depth)
{
	dev_t disk = dev;
	relais_blockdev_partition_of(sysfs, dev, &disk);
	g_autofree char *dir = relais_blockdev_dir(sysfs, disk);
	g_autoptr(GArray) slaves = g_array_new(FALSE, FALSE, sizeof(dev_t));
	if (dir && depth <= MAX_DEPTH)
		linked(dir, "slaves", slaves);
	if (slaves->len == 0) {
		add_dev(disks, disk);
		return;
	}
	for (guint i = 0; i < slaves->len; i++)
		under(sysfs, g_array_index(slaves, dev_t, i), disks, depth + 1);
}

GArray *relais_blockdev_disks_under(const char *sysfs, dev_t dev)
{
	GArray *disks = g_array_new(FALSE, FALSE, sizeof(dev_t));
	under(sysfs, dev, disks, 0);
	return disks;
}

gboolean relais_blockdev_is_card(const char *sysfs, dev_t dev, char **why)
{
	g_autofree char *dir = relais_blockdev_dir(sysfs, dev);
	if (dir == NULL) {
		*why = g_strdup("sysfs does not know it");
		return FALSE;
	}
	g_autofree char *removable = read_line(dir, "removable");
	if (g_strcmp0(removable, "1") == 0) {
		*why = g_strdup("removable");
		return TRUE;
	}
	g_autofree char *type = read_line(dir, "device/type");
	if (g_strcmp0(type, "SD") == 0) {
		*why = g_strdup("an SD card in an MMC slot");
		return TRUE;
	}
	if (g_strcmp0(type, "MMC") == 0)
		*why = g_strdup("soldered eMMC (device/type MMC)");
	else
		*why = g_strdup_printf("%s/removable is %s", dir, removable ? removable : "missing");
	return FALSE;
}
