/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flash: writes a disk image onto a card with bmaptool and reads the written
 * ranges back to compare them with the image (`relaisctl flash`,
 * firmware/tools/README.md). Before writing it refuses, each with one
 * sentence: an image that is not a whole MBR/GPT disk image, a target that is
 * neither a block device nor a regular file (a file stands for a card in
 * tests), a partition instead of a whole disk, the disk holding / or /boot,
 * a disk with anything mounted (or otherwise held by the kernel), a disk
 * smaller than the image, and a disk that is not a removable card unless
 * forced.
 */
#pragma once

#include "bmap.h"

#include <glib.h>

G_BEGIN_DECLS

#define RELAIS_FLASH_ERROR (relais_flash_error_quark())
GQuark relais_flash_error_quark(void);

typedef enum {
	RELAIS_FLASH_ERROR_FAILED,   /* writing or reading failed (I/O, bmaptool) */
	RELAIS_FLASH_ERROR_REFUSED,  /* the target is not safe to write */
	RELAIS_FLASH_ERROR_IMAGE,    /* the image (or its block map) is not usable */
	RELAIS_FLASH_ERROR_MISMATCH, /* what was read back differs from the image */
} RelaisFlashError;

typedef void (*RelaisFlashSay)(const char *line, gpointer user_data);

typedef struct {
	const char *image;
	const char *target;
	const char *bmap; /* NULL: IMAGE's own (NAME.bmap or IMAGE.bmap), else one is made */
	gboolean force;	  /* write a disk that is not a removable card */
	/* write nothing: only read the card back and compare (a card written
	 * before, or checked again); only the size and type refusals apply */
	gboolean verify_only;
	const char *sysfs; /* NULL: "/sys" */
	/* NULL: /proc/self/mountinfo. Tests add files: extra mounts only ever
	 * add refusals, the real list is always read. (array zero-terminated) */
	const char *const *extra_mountinfo;
	/* test-only (RELAIS_FLASH_TEST_CORRUPT_AT): flip this byte of the
	 * target between writing and verifying; honoured only for regular
	 * files and loop devices; -1 for none */
	gint64 test_corrupt_at;
	RelaisFlashSay say; /* progress lines (standard error); may be NULL */
	gpointer user_data;
} RelaisFlashOptions;

typedef struct {
	guint64 image_size;
	guint64 verified; /* bytes read back and found equal */
	guint ranges;
	char *bmap_how; /* "block map FILE" or "block map made with bmaptool create" */
} RelaisFlashResult;

void relais_flash_result_clear(RelaisFlashResult *result);

/* The image is a whole disk image: a whole number of 512-byte sectors, an
 * MBR or a GPT (with its backup header inside the file) whose partitions lie
 * within it. Sets *size. */
G_GNUC_WARN_UNUSED_RESULT
gboolean relais_flash_check_image(const char *image, guint64 *size, GError **error);

/* Everything checked before writing `image_size` bytes on opts->target. */
G_GNUC_WARN_UNUSED_RESULT
gboolean relais_flash_check_target(const RelaisFlashOptions *opts, guint64 image_size, GError **error);

/* Reads every range of `map` back from `target` and compares it with
 * `image`; MISMATCH names the first byte that differs. */
G_GNUC_WARN_UNUSED_RESULT
gboolean relais_flash_verify(const char *image, const char *target, const RelaisBmap *map, RelaisFlashSay say,
			     gpointer user_data, guint64 *verified, GError **error);

/* Checks, writes with bmaptool, verifies (or only verifies). */
G_GNUC_WARN_UNUSED_RESULT
gboolean relais_flash_run(const RelaisFlashOptions *opts, RelaisFlashResult *result, GError **error);

G_END_DECLS
