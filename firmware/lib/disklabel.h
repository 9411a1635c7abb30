/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disklabel: finds the FAT boot partition of a disk image or an SD card,
 * reading its partition table (MBR or GPT) and each candidate's boot sector,
 * without root or a loop mount. `relaisctl provision` then writes into that
 * partition at its byte offset with mtools.
 *
 * Sectors are 512 bytes (SD cards and the images written to them); a disk
 * without a partition table whose first sector is a FAT boot sector (a
 * "superfloppy", mkfs.vfat on the whole device) is its own FAT partition 0.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAIS_DISK_ERROR (relais_disk_error_quark())
GQuark relais_disk_error_quark(void);

typedef enum {
	RELAIS_DISK_ERROR_IO,	     /* cannot open or read it */
	RELAIS_DISK_ERROR_TOO_SMALL, /* shorter than its partition table says */
	RELAIS_DISK_ERROR_NO_TABLE,  /* neither a partition table nor a FAT file system */
	RELAIS_DISK_ERROR_CORRUPT,   /* a GPT whose header or entries do not check out */
	RELAIS_DISK_ERROR_NO_FAT,    /* a table, but no FAT partition in it */
} RelaisDiskError;

#define RELAIS_DISK_SECTOR 512

typedef enum {
	RELAIS_DISKLABEL_NONE, /* a FAT file system on the whole disk */
	RELAIS_DISKLABEL_MBR,
	RELAIS_DISKLABEL_GPT,
} RelaisDisklabel;

typedef struct {
	guint number;	/* 1-based, as Linux and sfdisk number them; 0 for the whole disk */
	guint64 offset; /* in bytes from the start of the disk */
	guint64 size;	/* in bytes */
	char type[40];	/* "0c" (MBR) or the GPT type GUID, upper case */
	gboolean fat;	/* a FAT type and a FAT boot sector at its start */
} RelaisPartition;

/* All partitions of the disk or image at `path` in table order (empty MBR
 * slots left out), and which table it has. Returns: (transfer full)
 * (element-type RelaisPartition) or NULL. */
G_GNUC_WARN_UNUSED_RESULT
GArray *relais_disk_partitions(const char *path, RelaisDisklabel *label, GError **error);

/* The first FAT partition of the disk or image at `path` (the boot partition
 * of a Raspberry Pi image is the first). NO_FAT lists what was found. */
G_GNUC_WARN_UNUSED_RESULT
gboolean relais_disk_find_fat(const char *path, RelaisPartition *out, RelaisDisklabel *label, GError **error);

/* "MBR", "GPT" or "none". */
const char *relais_disklabel_name(RelaisDisklabel label);

G_END_DECLS
