/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * blockdev: what sysfs says about a block device, by device number: its
 * whole disk (for a partition), everything built on it (partitions, and
 * holders such as dm or md devices), the disks beneath it, whether it is a
 * card one takes out, and its name. `relaisctl flash` asks these before it
 * writes. The sysfs root is a parameter ("/sys"), so that tests can give a
 * fixture tree.
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* The folder of device `dev` under sysfs (SYSFS/dev/block/MAJ:MIN resolved),
 * or NULL if sysfs does not know it. Returns: (transfer full) */
char *relais_blockdev_dir(const char *sysfs, dev_t dev);

/* The kernel's name ("sdb", "mmcblk0p1", "loop3"), or NULL. Returns: (transfer full) */
char *relais_blockdev_name(const char *sysfs, dev_t dev);

/* TRUE if `dev` is a partition (and then *disk its whole disk). */
gboolean relais_blockdev_partition_of(const char *sysfs, dev_t dev, dev_t *disk);

/* `dev` itself, its partitions, and, recursively, what holds any of them
 * (device-mapper, md): each is something that may be mounted on the disk.
 * Returns: (transfer full) (element-type dev_t); never NULL. */
GArray *relais_blockdev_stack(const char *sysfs, dev_t dev);

/* The whole disks `dev` lives on: the disk of a partition, the disks
 * beneath a dm/md device (its slaves, recursively), else itself.
 * Returns: (transfer full) (element-type dev_t); never NULL. */
GArray *relais_blockdev_disks_under(const char *sysfs, dev_t dev);

/* A card the system lets one take out: removable is 1 (USB readers), or an
 * SD card in an MMC slot (device/type "SD": the kernel says removable 0 for
 * those, but they are cards; "MMC" is soldered eMMC). *why says what was
 * found, for the refusal. */
gboolean relais_blockdev_is_card(const char *sysfs, dev_t dev, char **why);

G_END_DECLS
