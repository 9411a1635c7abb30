/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What relaisctl flash reads before and after writing, fed fixtures: the
 * mountinfo parser (escapes, optional fields, lines of another shape), the
 * block map parser (bmap-tools 2.0 as bmaptool writes it, and broken ones),
 * and the sysfs questions (partition of which disk, what is stacked on a
 * disk, which disks are under a device-mapper device, which disk is a card)
 * on a fixture tree shaped as the kernel's. */
#include "blockdev.h"
#include "bmap.h"
#include "harness.h"
#include "mountinfo.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* --- mountinfo ------------------------------------------------------------ */

static const char mountinfo_text[] =
	"22 27 0:21 / /proc rw,relatime - proc proc rw\n"
	"27 1 179:2 / / ro,relatime shared:1 - ext4 /dev/mmcblk0p2 ro\n"
	"28 27 179:1 / /boot/firmware rw,relatime shared:2 master:3 - vfat /dev/mmcblk0p1 rw,fmask=0022\n"
	"40 27 8:17 / /media/tech/My\\040Card rw,nosuid - vfat /dev/sdb1 rw\n"
	"41 27 0:45 / /mnt/pool rw - btrfs /dev/sdc rw\n"
	"this is not a mount line\n"
	"42 27 x:1 / /bad rw - ext4 /dev/sdd rw\n"
	"43 27 8:48 / /no-separator rw ext4 /dev/sdd rw\n"
	"44 27 8:33 / /media/tech/My\\040Card rw - ext4 /dev/sdc1 rw\n";

static void test_mountinfo(void)
{
	g_autoptr(GPtrArray) m = relais_mountinfo_parse(mountinfo_text);
	g_assert_cmpuint(m->len, ==, 6);
	const RelaisMount *root = relais_mountinfo_find(m, "/");
	g_assert_nonnull(root);
	g_assert_cmpuint(root->major, ==, 179);
	g_assert_cmpuint(root->minor, ==, 2);
	g_assert_cmpstr(root->source, ==, "/dev/mmcblk0p2");
	g_assert_cmpstr(root->fstype, ==, "ext4");
	/* two optional fields before the separator */
	const RelaisMount *boot = relais_mountinfo_find(m, "/boot/firmware");
	g_assert_nonnull(boot);
	g_assert_cmpstr(boot->source, ==, "/dev/mmcblk0p1");
	g_assert_cmpstr(boot->fstype, ==, "vfat");
	/* \040 is a space; the later mount there is the one found */
	const RelaisMount *card = relais_mountinfo_find(m, "/media/tech/My Card");
	g_assert_nonnull(card);
	g_assert_cmpstr(card->source, ==, "/dev/sdc1");
	g_assert_cmpuint(card->minor, ==, 33);
	const RelaisMount *btrfs = relais_mountinfo_find(m, "/mnt/pool");
	g_assert_nonnull(btrfs);
	g_assert_cmpuint(btrfs->major, ==, 0);
	g_assert_null(relais_mountinfo_find(m, "/bad"));
	g_assert_null(relais_mountinfo_find(m, "/no-separator"));
	g_assert_null(relais_mountinfo_find(m, "/boot"));

	g_autoptr(GPtrArray) none = relais_mountinfo_parse("");
	g_assert_cmpuint(none->len, ==, 0);
	g_autoptr(GPtrArray) null = relais_mountinfo_parse(NULL);
	g_assert_cmpuint(null->len, ==, 0);

	/* the running system's own list has a root */
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) self = relais_mountinfo_read("/proc/self/mountinfo", &error);
	g_assert_no_error(error);
	g_assert_nonnull(relais_mountinfo_find(self, "/"));
	g_autoptr(GPtrArray) missing = relais_mountinfo_read("/nonexistent/mountinfo", &error);
	g_assert_null(missing);
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

/* --- bmap ----------------------------------------------------------------- */

static const char bmap_text[] = "<?xml version=\"1.0\" ?>\n"
				"<!-- a comment, as bmaptool writes one -->\n"
				"<bmap version=\"2.0\">\n"
				"    <ImageSize> 8388608 </ImageSize>\n"
				"    <BlockSize> 4096 </BlockSize>\n"
				"    <BlocksCount> 2048 </BlocksCount>\n"
				"    <MappedBlocksCount> 26 </MappedBlocksCount>\n"
				"    <ChecksumType> sha256 </ChecksumType>\n"
				"    <BmapFileChecksum> 0000 </BmapFileChecksum>\n"
				"    <BlockMap>\n"
				"        <Range chksum=\"ec3f\"> 0 </Range>\n"
				"        <Range chksum=\"e137\"> 512-536 </Range>\n"
				"    </BlockMap>\n"
				"</bmap>\n";

static RelaisBmap *bmap_with(const char *from, const char *to, GError **error)
{
	g_autoptr(GString) s = g_string_new(bmap_text);
	if (from)
		g_assert_cmpuint(g_string_replace(s, from, to, 1), ==, 1);
	return relais_bmap_parse(s->str, s->len, error);
}

static void assert_bad(const char *from, const char *to, const char *says)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisBmap) map = bmap_with(from, to, &error);
	g_assert_null(map);
	g_assert_error(error, RELAIS_BMAP_ERROR, RELAIS_BMAP_ERROR_INVALID);
	if (!strstr(error->message, says))
		g_error("'%s' not in '%s'", says, error->message);
}

static void test_bmap(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisBmap) map = bmap_with(NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(map->image_size, ==, 8388608);
	g_assert_cmpuint(map->block_size, ==, 4096);
	g_assert_cmpuint(map->blocks, ==, 2048);
	g_assert_cmpuint(map->ranges->len, ==, 2);
	g_assert_cmpuint(map->mapped, ==, 26);
	g_assert_cmpuint(g_array_index(map->ranges, RelaisBmapRange, 1).first, ==, 512);
	g_assert_cmpuint(g_array_index(map->ranges, RelaisBmapRange, 1).last, ==, 536);
	g_assert_cmpuint(relais_bmap_mapped_bytes(map), ==, 26 * 4096);

	/* an image whose last block is short: the map covers it up to its end */
	g_autoptr(RelaisBmap) odd = bmap_with("<ImageSize> 8388608 ", "<ImageSize> 8387072 ", &error);
	g_assert_no_error(error);
	g_autoptr(RelaisBmap) odd2 = NULL;
	{
		g_autoptr(GString) s = g_string_new(bmap_text);
		g_string_replace(s, "<ImageSize> 8388608 ", "<ImageSize> 8387072 ", 1);
		g_string_replace(s, "512-536", "512-2047", 1);
		odd2 = relais_bmap_parse(s->str, s->len, &error);
		g_assert_no_error(error);
	}
	g_assert_cmpuint(relais_bmap_mapped_bytes(odd2), ==, 4096 + (guint64)(2047 - 512) * 4096 + (4096 - 1536));

	assert_bad("version=\"2.0\"", "version=\"3.0\"", "version 3.0");
	assert_bad("<BlocksCount> 2048 ", "<BlocksCount> 2047 ", "BlocksCount 2047 does not match");
	assert_bad("512-536", "536-512", "FIRST-LAST");
	assert_bad("512-536", "512-2048", "outside the image");
	assert_bad("> 0 <", "> 600 <", "overlaps");
	assert_bad("<BlockSize> 4096 ", "<BlockSize> 1000 ", "multiple of 512");
	assert_bad("<ImageSize> 8388608 ", "<ImageSize> lots ", "ImageSize 'lots'");
	assert_bad("<ImageSize> 8388608 </ImageSize>", "", "no ImageSize");
	assert_bad("</bmap>", "", "not a block map");
	g_autoptr(RelaisBmap) html = relais_bmap_parse("<html><body>404</body></html>", 29, &error);
	g_assert_null(html);
	g_assert_error(error, RELAIS_BMAP_ERROR, RELAIS_BMAP_ERROR_INVALID);
}

/* --- sysfs ---------------------------------------------------------------- */

typedef struct {
	char *root;
	char *sys;
} Sysfs;

static void put(Sysfs *fx, const char *rel, const char *text)
{
	g_autofree char *path = g_build_filename(fx->sys, rel, NULL);
	g_autofree char *dir = g_path_get_dirname(path);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static void link_to(Sysfs *fx, const char *rel, const char *target_rel)
{
	g_autofree char *path = g_build_filename(fx->sys, rel, NULL);
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *target = g_build_filename(fx->sys, target_rel, NULL);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	g_assert_cmpint(symlink(target, path), ==, 0);
}

/* A block device folder with its dev file and its /sys/dev/block link. */
static void blockdev(Sysfs *fx, const char *rel, guint maj, guint min)
{
	g_autofree char *devfile = g_build_filename(rel, "dev", NULL);
	g_autofree char *num = g_strdup_printf("%u:%u\n", maj, min);
	put(fx, devfile, num);
	g_autofree char *link = g_strdup_printf("dev/block/%u:%u", maj, min);
	link_to(fx, link, rel);
}

#define MMC0 "devices/platform/emmc2bus/mmc0/mmc0:1234/block/mmcblk0"
#define MMC1 "devices/platform/sdhci/mmc1/mmc1:0001/block/mmcblk1"
#define SDA  "devices/pci0000:00/usb1/1-1/host0/target0:0:0/0:0:0:0/block/sda"
#define NVME "devices/pci0000:00/0000:00:1d.0/nvme/nvme0/nvme0n1"
#define DM0  "devices/virtual/block/dm-0"

static void sysfs_setup(Sysfs *fx, gconstpointer unused)
{
	g_autoptr(GError) error = NULL;
	fx->root = g_dir_make_tmp("relais-sysfs-XXXXXX", &error);
	g_assert_no_error(error);
	fx->sys = g_build_filename(fx->root, "sys", NULL);
	/* an SD card in a slot: removable 0, type SD; p2 holds dm-0 */
	blockdev(fx, MMC0, 179, 0);
	put(fx, MMC0 "/removable", "0\n");
	put(fx, "devices/platform/emmc2bus/mmc0/mmc0:1234/type", "SD\n");
	link_to(fx, MMC0 "/device", "devices/platform/emmc2bus/mmc0/mmc0:1234");
	blockdev(fx, MMC0 "/mmcblk0p1", 179, 1);
	put(fx, MMC0 "/mmcblk0p1/partition", "1\n");
	blockdev(fx, MMC0 "/mmcblk0p2", 179, 2);
	put(fx, MMC0 "/mmcblk0p2/partition", "2\n");
	blockdev(fx, DM0, 253, 0);
	link_to(fx, MMC0 "/mmcblk0p2/holders/dm-0", DM0);
	link_to(fx, DM0 "/slaves/mmcblk0p2", MMC0 "/mmcblk0p2");
	/* soldered eMMC */
	blockdev(fx, MMC1, 179, 32);
	put(fx, MMC1 "/removable", "0\n");
	put(fx, "devices/platform/sdhci/mmc1/mmc1:0001/type", "MMC\n");
	link_to(fx, MMC1 "/device", "devices/platform/sdhci/mmc1/mmc1:0001");
	/* a USB card reader */
	blockdev(fx, SDA, 8, 0);
	put(fx, SDA "/removable", "1\n");
	blockdev(fx, SDA "/sda1", 8, 1);
	put(fx, SDA "/sda1/partition", "1\n");
	/* a laptop's own disk */
	blockdev(fx, NVME, 259, 0);
	put(fx, NVME "/removable", "0\n");
}

static void sysfs_teardown(Sysfs *fx, gconstpointer unused)
{
	rt_rm_rf(fx->root);
	g_free(fx->root);
	g_free(fx->sys);
}

static gboolean contains(GArray *set, dev_t dev)
{
	for (guint i = 0; i < set->len; i++)
		if (g_array_index(set, dev_t, i) == dev)
			return TRUE;
	return FALSE;
}

static void test_sysfs(Sysfs *fx, gconstpointer unused)
{
	g_autofree char *name = relais_blockdev_name(fx->sys, makedev(179, 2));
	g_assert_cmpstr(name, ==, "mmcblk0p2");
	g_assert_null(relais_blockdev_name(fx->sys, makedev(1, 3)));

	dev_t disk = 0;
	g_assert_true(relais_blockdev_partition_of(fx->sys, makedev(8, 1), &disk));
	g_assert_true(disk == makedev(8, 0));
	g_assert_true(relais_blockdev_partition_of(fx->sys, makedev(179, 2), &disk));
	g_assert_true(disk == makedev(179, 0));
	g_assert_false(relais_blockdev_partition_of(fx->sys, makedev(179, 0), &disk));
	g_assert_false(relais_blockdev_partition_of(fx->sys, makedev(253, 0), &disk));

	/* on the card: itself, both partitions, and the dm device on p2 */
	g_autoptr(GArray) stack = relais_blockdev_stack(fx->sys, makedev(179, 0));
	g_assert_cmpuint(stack->len, ==, 4);
	g_assert_true(contains(stack, makedev(179, 1)));
	g_assert_true(contains(stack, makedev(253, 0)));
	g_autoptr(GArray) sda = relais_blockdev_stack(fx->sys, makedev(8, 0));
	g_assert_cmpuint(sda->len, ==, 2);
	g_assert_false(contains(sda, makedev(253, 0)));

	/* / on dm-0 is on the card; / on a partition is on its disk */
	g_autoptr(GArray) under = relais_blockdev_disks_under(fx->sys, makedev(253, 0));
	g_assert_cmpuint(under->len, ==, 1);
	g_assert_true(contains(under, makedev(179, 0)));
	g_autoptr(GArray) under2 = relais_blockdev_disks_under(fx->sys, makedev(8, 1));
	g_assert_cmpuint(under2->len, ==, 1);
	g_assert_true(contains(under2, makedev(8, 0)));
	g_autoptr(GArray) under3 = relais_blockdev_disks_under(fx->sys, makedev(259, 0));
	g_assert_true(contains(under3, makedev(259, 0)));

	struct {
		dev_t dev;
		gboolean card;
		const char *why;
	} cases[] = {
		{makedev(179, 0), TRUE, "an SD card in an MMC slot"}, {makedev(8, 0), TRUE, "removable"},
		{makedev(179, 32), FALSE, "soldered eMMC"},	      {makedev(259, 0), FALSE, "removable is 0"},
		{makedev(1, 3), FALSE, "sysfs does not know it"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *why = NULL;
		g_assert_cmpint(relais_blockdev_is_card(fx->sys, cases[i].dev, &why), ==, cases[i].card);
		if (!strstr(why, cases[i].why))
			g_error("case %u: '%s' not in '%s'", i, cases[i].why, why);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/flash-checks/mountinfo", test_mountinfo);
	g_test_add_func("/flash-checks/bmap", test_bmap);
	g_test_add("/flash-checks/sysfs", Sysfs, NULL, sysfs_setup, test_sysfs, sysfs_teardown);
	return g_test_run();
}
