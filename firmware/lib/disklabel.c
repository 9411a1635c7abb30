/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "disklabel.h"
#include "fail.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK(relais - disk - error - quark, relais_disk_error)

#define FAIL(code, ...) relais_fail(error, RELAIS_DISK_ERROR, RELAIS_DISK_ERROR_##code, __VA_ARGS__)

/* GPT: at most this many entries (128 is what every tool writes) */
#define GPT_MAX_ENTRIES 1024

/* The GPT partition types a FAT boot partition has: EFI System and
 * Microsoft basic data (what Raspberry Pi images and sfdisk use). */
static const char *const gpt_fat_types[] = {
	"C12A7328-F81F-11D2-BA4B-00A0C93EC93B",
	"EBD0A0A2-B9E5-4433-87C0-68B6B72699C7",
};

/* MBR partition types of FAT: FAT12, FAT16 <32M, FAT16, FAT32 (CHS), FAT32
 * (LBA), FAT16 (LBA), and the EFI System type */
static const guint8 mbr_fat_types[] = {0x01, 0x04, 0x06, 0x0b, 0x0c, 0x0e, 0xef};

typedef struct {
	int fd;
	guint64 size;
	const char *path;
} Disk;

static guint16 le16(const guint8 *p)
{
	return (guint16)(p[0] | p[1] << 8);
}

static guint32 le32(const guint8 *p)
{
	return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

static guint64 le64(const guint8 *p)
{
	return (guint64)le32(p) | (guint64)le32(p + 4) << 32;
}

static gboolean read_at(Disk *d, guint64 offset, guint8 *buf, gsize len, GError **error)
{
	if (offset > d->size || len > d->size - offset)
		return FAIL(TOO_SMALL,
			    "%s: %" G_GUINT64_FORMAT " bytes, too small to hold what its partition table says", d->path,
			    d->size);
	gsize done = 0;
	while (done < len) {
		ssize_t n = pread(d->fd, buf + done, len - done, (off_t)(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FAIL(IO, "%s: reading at %" G_GUINT64_FORMAT ": %s", d->path, offset + done,
				    n < 0 ? g_strerror(errno) : "unexpected end");
		done += (gsize)n;
	}
	return TRUE;
}

/* A FAT boot sector: the 0x55AA signature, a jump instruction, a sane
 * bytes-per-sector and the file system type text of FAT12/16 or FAT32. */
static gboolean is_fat_boot_sector(const guint8 *s)
{
	if (s[510] != 0x55 || s[511] != 0xaa || (s[0] != 0xeb && s[0] != 0xe9))
		return FALSE;
	guint16 bps = le16(s + 11);
	if (bps < 512 || bps > 4096 || (bps & (bps - 1)) != 0 || s[13] == 0 || s[16] == 0)
		return FALSE;
	return memcmp(s + 54, "FAT", 3) == 0 || memcmp(s + 82, "FAT32", 5) == 0;
}

static gboolean check_fat(Disk *d, RelaisPartition *p, GError **error)
{
	if (!p->fat)
		return TRUE;
	guint8 s[RELAIS_DISK_SECTOR];
	if (!read_at(d, p->offset, s, sizeof s, error))
		return FALSE;
	p->fat = is_fat_boot_sector(s);
	return TRUE;
}

/* The partition must lie within the disk: an image cut short (a failed
 * download, a truncated copy) is the commonest broken input. */
static gboolean within(Disk *d, const RelaisPartition *p, GError **error)
{
	if (p->size == 0 || p->offset + p->size > d->size)
		return FAIL(TOO_SMALL,
			    "%s is too small: partition %u ends at byte %" G_GUINT64_FORMAT
			    ", the image has %" G_GUINT64_FORMAT,
			    d->path, p->number, p->offset + p->size, d->size);
	return TRUE;
}

static gboolean parse_mbr(Disk *d, const guint8 *mbr, GArray *out, GError **error)
{
	for (guint i = 0; i < 4; i++) {
		const guint8 *e = mbr + 446 + 16 * i;
		guint8 type = e[4];
		guint32 start = le32(e + 8), count = le32(e + 12);
		if (type == 0 || count == 0)
			continue;
		RelaisPartition p = {.number = i + 1,
				     .offset = (guint64)start * RELAIS_DISK_SECTOR,
				     .size = (guint64)count * RELAIS_DISK_SECTOR};
		g_snprintf(p.type, sizeof p.type, "%02x", type);
		p.fat = memchr(mbr_fat_types, type, sizeof mbr_fat_types) != NULL;
		if (!within(d, &p, error) || !check_fat(d, &p, error))
			return FALSE;
		g_array_append_val(out, p);
	}
	return TRUE;
}

/* CRC-32 (IEEE 802.3, as GPT uses it), bit by bit: a header and a table of a
 * few kilobytes, once. */
static guint32 crc32(const guint8 *p, gsize len)
{
	guint32 c = 0xffffffffu;
	for (gsize i = 0; i < len; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

/* A GUID as stored (first three fields little-endian) into its text form. */
static void guid_text(const guint8 *g, char *out, gsize len)
{
	g_snprintf(out, len, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", le32(g), le16(g + 4), le16(g + 6),
		   g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

static gboolean parse_gpt(Disk *d, GArray *out, GError **error)
{
	guint8 h[RELAIS_DISK_SECTOR];
	if (!read_at(d, RELAIS_DISK_SECTOR, h, sizeof h, error))
		return FALSE;
	if (memcmp(h, "EFI PART", 8) != 0)
		return FAIL(CORRUPT, "%s: a protective MBR but no GPT header at sector 1", d->path);
	guint32 hsize = le32(h + 12);
	if (hsize < 92 || hsize > sizeof h)
		return FAIL(CORRUPT, "%s: GPT header size %u", d->path, hsize);
	guint32 want = le32(h + 16);
	memset(h + 16, 0, 4);
	if (crc32(h, hsize) != want)
		return FAIL(CORRUPT, "%s: the GPT header's checksum is wrong", d->path);
	guint64 entries_lba = le64(h + 72);
	guint32 n = le32(h + 80), esize = le32(h + 84);
	if (n == 0 || n > GPT_MAX_ENTRIES || esize < 128 || esize > 1024 || esize % 8 != 0)
		return FAIL(CORRUPT, "%s: GPT with %u entries of %u bytes", d->path, n, esize);
	if (entries_lba < 2 || entries_lba > d->size / RELAIS_DISK_SECTOR)
		return FAIL(CORRUPT, "%s: GPT entries at sector %" G_GUINT64_FORMAT, d->path, entries_lba);
	gsize len = (gsize)n * esize;
	g_autofree guint8 *table = g_malloc(len);
	if (!read_at(d, entries_lba * RELAIS_DISK_SECTOR, table, len, error))
		return FALSE;
	if (crc32(table, len) != le32(h + 88))
		return FAIL(CORRUPT, "%s: the GPT partition entries' checksum is wrong", d->path);
	static const guint8 unused[16] = {0};
	for (guint32 i = 0; i < n; i++) {
		const guint8 *e = table + (gsize)i * esize;
		if (memcmp(e, unused, 16) == 0)
			continue;
		guint64 first = le64(e + 32), last = le64(e + 40);
		if (last < first || last >= G_MAXUINT64 / RELAIS_DISK_SECTOR)
			return FAIL(CORRUPT, "%s: GPT partition %u ends before it starts", d->path, i + 1);
		RelaisPartition p = {.number = i + 1,
				     .offset = first * RELAIS_DISK_SECTOR,
				     .size = (last - first + 1) * RELAIS_DISK_SECTOR};
		guid_text(e, p.type, sizeof p.type);
		for (guint k = 0; k < G_N_ELEMENTS(gpt_fat_types); k++)
			p.fat |= g_str_equal(p.type, gpt_fat_types[k]);
		if (!within(d, &p, error) || !check_fat(d, &p, error))
			return FALSE;
		g_array_append_val(out, p);
	}
	return TRUE;
}

GArray *relais_disk_partitions(const char *path, RelaisDisklabel *label, GError **error)
{
	Disk d = {.path = path, .fd = g_open(path, O_RDONLY | O_CLOEXEC, 0)};
	if (d.fd < 0) {
		FAIL(IO, "%s: %s", path, g_strerror(errno));
		return NULL;
	}
	/* lseek gives the size of a block device as well as of a file */
	off_t end = lseek(d.fd, 0, SEEK_END);
	d.size = end < 0 ? 0 : (guint64)end;
	g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(RelaisPartition));
	guint8 s[RELAIS_DISK_SECTOR];
	gboolean ok = FALSE;
	if (d.size < RELAIS_DISK_SECTOR) {
		FAIL(TOO_SMALL, "%s: %" G_GUINT64_FORMAT " bytes, too small to hold a partition table", path, d.size);
	} else if (!read_at(&d, 0, s, sizeof s, error)) {
		/* error set */
	} else if (is_fat_boot_sector(s)) {
		RelaisPartition p = {.number = 0, .offset = 0, .size = d.size, .type = "fat", .fat = TRUE};
		g_array_append_val(out, p);
		*label = RELAIS_DISKLABEL_NONE;
		ok = TRUE;
	} else if (s[510] != 0x55 || s[511] != 0xaa) {
		FAIL(NO_TABLE, "%s has no partition table (no MBR signature) and is not a FAT file system", path);
	} else if (s[446 + 4] == 0xee) {
		*label = RELAIS_DISKLABEL_GPT;
		ok = parse_gpt(&d, out, error);
	} else {
		*label = RELAIS_DISKLABEL_MBR;
		ok = parse_mbr(&d, s, out, error);
	}
	close(d.fd);
	return ok ? g_steal_pointer(&out) : NULL;
}

gboolean relais_disk_find_fat(const char *path, RelaisPartition *out, RelaisDisklabel *label, GError **error)
{
	g_autoptr(GArray) parts = relais_disk_partitions(path, label, error);
	if (parts == NULL)
		return FALSE;
	g_autoptr(GString) seen = g_string_new(NULL);
	for (guint i = 0; i < parts->len; i++) {
		const RelaisPartition *p = &g_array_index(parts, RelaisPartition, i);
		if (p->fat) {
			*out = *p;
			return TRUE;
		}
		g_string_append_printf(seen, "%s%u (type %s)", seen->len ? ", " : "", p->number, p->type);
	}
	return FAIL(NO_FAT, "%s: no FAT partition in its %s partition table (partitions: %s)", path,
		    relais_disklabel_name(*label), seen->len ? seen->str : "none");
}

const char *relais_disklabel_name(RelaisDisklabel label)
{
	switch (label) {
	case RELAIS_DISKLABEL_MBR:
		return "MBR";
	case RELAIS_DISKLABEL_GPT:
		return "GPT";
	case RELAIS_DISKLABEL_NONE:
		break;
	}
	return "none";
}
