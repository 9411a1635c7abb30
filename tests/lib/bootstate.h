/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bootstate: the boot-slot state's format on the config partition, read
 * and written independently of board/common/rauc/rauc-bootslot and of the
 * U-Boot script, so that tests can check one against the other and make
 * copies that neither would write (torn, hostile, of the wrong size).
 * Two copies, BASE.0 and BASE.1, each RT_BOOTSTATE_SIZE bytes: a CRC-32
 * (zlib's, little-endian) of the rest, then "key=value" entries each
 * ended by a NUL, then NULs (U-Boot's `env export -c -s 0x200`).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RT_BOOTSTATE_SIZE 512

guint32 rt_crc32(const guint8 *data, gsize len);
/* One copy holding `entries` ("key=value", NULL-terminated) in that order;
 * `torn`: its checksum does not match. Returns: (transfer full) */
GBytes *rt_bootstate_copy(const char *const *entries, gboolean torn);
/* Writes copy n (0 or 1) of `base` with seq, order, tryboot and pending
 * (empty or NULL: left out, as the writers do) in the writers' order. */
void rt_bootstate_put(const char *base, int n, guint seq, const char *order, const char *tryboot, const char *pending);
/* Both copies, the same state, seq 1. */
void rt_bootstate_put_both(const char *base, const char *order, const char *tryboot, const char *pending);
/* Copy n's entries (key -> value), or NULL when it is missing, not
 * RT_BOOTSTATE_SIZE bytes or its checksum does not match. Returns:
 * (transfer full) (nullable) */
GHashTable *rt_bootstate_read_copy(const char *base, int n);
/* The whole copy with the higher seq (copy 0 on a tie), or NULL when
 * neither is whole; `which` (nullable) gets its number. Returns:
 * (transfer full) (nullable) */
GHashTable *rt_bootstate_read(const char *base, int *which);

G_END_DECLS
