/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mountinfo: parses the text of /proc/self/mountinfo (proc(5)) into its
 * mounts: the device number, where it is mounted and what was mounted.
 * `relaisctl flash` refuses a card one of whose partitions is mounted, and
 * the disk that holds / or /boot; the parser is pure, so its tests feed it
 * fixture text.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	guint major, minor; /* st_dev of the mounted file system (0:N for tmpfs, overlay, btrfs) */
	char *mount_point;  /* unescaped (a space in a path is \040 in the file) */
	char *source;	    /* "/dev/sdb1", "tmpfs", ... unescaped */
	char *fstype;
} RelaisMount;

/* The mounts in `text` (the whole file), in file order. Lines that do not
 * have mountinfo's shape are left out: the kernel writes the file, and a
 * line it adds in a later version must not stop a technician's tool.
 * Returns: (transfer full) (element-type RelaisMount); never NULL. */
GPtrArray *relais_mountinfo_parse(const char *text);

/* /proc/self/mountinfo read and parsed. Returns: (transfer full) or NULL. */
G_GNUC_WARN_UNUSED_RESULT
GPtrArray *relais_mountinfo_read(const char *path, GError **error);

/* The mount whose mount point is exactly `mount_point` (the last one: a
 * later mount hides an earlier one there), or NULL. Returns: (transfer none) */
const RelaisMount *relais_mountinfo_find(GPtrArray *mounts, const char *mount_point);

G_END_DECLS
