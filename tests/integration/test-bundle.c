/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Signed update bundles, made by board/common/rauc/mkbundle.sh (what `make
 * bundle` runs) from small slot images this test makes (an ext4 filled by
 * mke2fs -d, a FAT by mkfs.vfat), signed by a test CA's signer (openssl),
 * and checked by the host's RAUC as a booth's would: against the keyring of
 * the booth's system.conf (system-conf.sh). A good bundle verifies and
 * extracts to the very images; flipped bits in the payload or the
 * signature, another signer, a bundle for another board are refused, each
 * with RAUC's own words. A Pi bundle's hook makes the boot image's
 * cmdline.txt the written slot's. mkbundle's own refusals: no image, an image cut
 * short or of the wrong kind, a key without its certificate, a signer the
 * keyring does not trust; and the development key's loud warning. */
#include "harness.h"
#include "run.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
	char *dir;
	char *out;		  /* O= of mkbundle: bundles in out/BOARD/ */
	char *rootfs, *boot;	  /* the slot images */
	char *ca, *key, *cert;	  /* the fleet's test CA and its signer */
	char *ca2, *key2, *cert2; /* another CA's signer */
	char *conf;		  /* system.conf of qemu-arm64, keyring = ca */
} Fixture;

static char *tool(const char *name)
{
	return rt_tool(name, "rauc, squashfs-tools, e2fsprogs, dosfstools, openssl");
}

static void run_env(RtRun *r, const char *const *argv, const char *const *env)
{
	rt_run(r, argv, env, NULL);
}

static void run_ok(const char *const *argv)
{
	rt_run_ok(argv, NULL, NULL);
}

/* A CA (self-signed) and a signer it issues: what a fleet keeps offline. */
static void make_ca(const char *dir, const char *name, char **ca, char **key, char **cert)
{
	g_autofree char *openssl = tool("openssl");
	g_autofree char *ca_key = g_strdup_printf("%s/%s-ca.key", dir, name);
	*ca = g_strdup_printf("%s/%s-ca.pem", dir, name);
	*key = g_strdup_printf("%s/%s-signer.key", dir, name);
	*cert = g_strdup_printf("%s/%s-signer.pem", dir, name);
	g_autofree char *csr = g_strdup_printf("%s/%s-signer.csr", dir, name);
	g_autofree char *ext = g_strdup_printf("%s/%s-signer.ext", dir, name);
	g_autofree char *ca_subj = g_strdup_printf("/O=Relais test/CN=%s update CA", name);
	g_autofree char *subj = g_strdup_printf("/O=Relais test/CN=%s update signer", name);
	const char *mkca[] = {openssl,
			      "req",
			      "-x509",
			      "-newkey",
			      "ec",
			      "-pkeyopt",
			      "ec_paramgen_curve:prime256v1",
			      "-nodes",
			      "-keyout",
			      ca_key,
			      "-out",
			      *ca,
			      "-days",
			      "30",
			      "-subj",
			      ca_subj,
			      "-addext",
			      "basicConstraints=critical,CA:TRUE",
			      "-addext",
			      "keyUsage=critical,keyCertSign,cRLSign",
			      NULL};
	run_ok(mkca);
	const char *mkcsr[] = {openssl,	 "req",	    "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
			       "-nodes", "-keyout", *key,   "-out",    csr,  "-subj",	 subj,
			       NULL};
	run_ok(mkcsr);
	g_assert_true(g_file_set_contents(
		ext, "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n", -1, NULL));
	const char *sign[] = {openssl,		 "x509",  "-req", "-in",      csr, "-CA",  *ca,	  "-CAkey", ca_key,
			      "-CAcreateserial", "-days", "30",	  "-extfile", ext, "-out", *cert, NULL};
	run_ok(sign);
}

static void fx_setup(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->dir = g_dir_make_tmp("relais-bundle-XXXXXX", &error);
	g_assert_no_error(error);
	fx->out = g_build_filename(fx->dir, "build", NULL);
	make_ca(fx->dir, "fleet", &fx->ca, &fx->key, &fx->cert);
	make_ca(fx->dir, "stranger", &fx->ca2, &fx->key2, &fx->cert2);

	/* a root image filled from a folder, without root: a few MiB, with
	 * data that does not compress away (squashfs packs the bundle) */
	g_autofree char *tree = g_build_filename(fx->dir, "root", "etc", NULL);
	g_assert_cmpint(g_mkdir_with_parents(tree, 0755), ==, 0);
	g_autofree char *osrel = g_build_filename(tree, "os-release", NULL);
	g_assert_true(g_file_set_contents(osrel, "NAME=Relais\nVERSION_ID=test\n", -1, NULL));
	guint8 noise[96 * 1024];
	for (guint i = 0; i < sizeof noise; i += 4)
		*(guint32 *)(noise + i) = g_random_int();
	g_autofree char *blob = g_build_filename(tree, "noise", NULL);
	g_assert_true(g_file_set_contents(blob, (const char *)noise, sizeof noise, NULL));
	g_autofree char *root = g_build_filename(fx->dir, "root", NULL);
	fx->rootfs = g_build_filename(fx->dir, "rootfs.ext4", NULL);
	g_autofree char *mke2fs = tool("mke2fs");
	const char *mk[] = {mke2fs, "-q", "-F", "-t", "ext4", "-d", root, fx->rootfs, "4M", NULL};
	run_ok(mk);
	fx->boot = g_build_filename(fx->dir, "boot.vfat", NULL);
	g_autofree char *mkfat = tool("mkfs.vfat");
	const char *mkb[] = {mkfat, "-n", "BOOT_A", "-C", fx->boot, "2048", NULL};
	run_ok(mkb);

	/* the booth's configuration, its keyring the fleet's CA */
	g_autofree char *gen = g_build_filename(rt_top(), "board", "common", "rauc", "system-conf.sh", NULL);
	g_autofree char *data_dir = g_build_filename(fx->dir, "rauc-data", NULL);
	const char *argv[] = {gen, "qemu-arm64", "--data-dir", data_dir, "--keyring", fx->ca, NULL};
	g_auto(RtRun) r = {0};
	run_env(&r, argv, NULL);
	g_assert_cmpint(r.status, ==, 0);
	fx->conf = g_build_filename(fx->dir, "system.conf", NULL);
	g_assert_true(g_file_set_contents(fx->conf, r.out, -1, NULL));
}

static void fx_teardown(Fixture *fx, gconstpointer data)
{
	rt_rm_rf(fx->dir);
	g_free(fx->dir);
	g_free(fx->out);
	g_free(fx->rootfs);
	g_free(fx->boot);
	g_free(fx->ca);
	g_free(fx->key);
	g_free(fx->cert);
	g_free(fx->ca2);
	g_free(fx->key2);
	g_free(fx->cert2);
	g_free(fx->conf);
}

/* mkbundle.sh BOARD VERSION with these images and this key (NULL: none,
 * the development pair); keyring: RELAIS_BUNDLE_KEYRING or NULL. */
static void mkbundle(Fixture *fx, RtRun *r, const char *board, const char *rootfs, const char *boot, const char *key,
		     const char *cert, const char *keyring)
{
	g_autofree char *script = g_build_filename(rt_top(), "board", "common", "rauc", "mkbundle.sh", NULL);
	const char *argv[] = {script, board, "1.0", NULL};
	g_autofree char *o = g_strdup_printf("O=%s", fx->out);
	g_autofree char *e_root = g_strdup_printf("RELAIS_BUNDLE_ROOTFS=%s", rootfs);
	g_autofree char *e_boot = g_strdup_printf("RELAIS_BUNDLE_BOOT=%s", boot);
	g_autofree char *e_key = g_strdup_printf("RELAIS_BUNDLE_KEY=%s", key ? key : "");
	g_autofree char *e_cert = g_strdup_printf("RELAIS_BUNDLE_CERT=%s", cert ? cert : "");
	g_autofree char *e_ring = g_strdup_printf("RELAIS_BUNDLE_KEYRING=%s", keyring ? keyring : "");
	const char *env[] = {o, e_root, e_boot, e_key, e_cert, e_ring, NULL};
	run_env(r, argv, env);
}

/* A bundle of the fixture's images for `board`, signed by the fleet's
 * signer; returns its path (transfer full). */
static char *good_bundle(Fixture *fx, const char *board)
{
	g_auto(RtRun) r = {0};
	mkbundle(fx, &r, board, fx->rootfs, fx->boot, fx->key, fx->cert, fx->ca);
	if (r.status != 0)
		g_error("mkbundle: exit %d: %s", r.status, r.err);
	g_autofree char *name = g_strdup_printf("relais-%s-1.0.raucb", board);
	char *path = g_build_filename(fx->out, board, name, NULL);
	g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
	g_assert_nonnull(strstr(r.out, name));
	return path;
}

/* rauc info as a booth checks: with its system.conf (and so its keyring) */
static void rauc_info(Fixture *fx, RtRun *r, const char *bundle, const char *format)
{
	g_autofree char *rauc = tool("rauc");
	g_autofree char *conf = g_strdup_printf("--conf=%s", fx->conf);
	const char *argv[] = {rauc, conf, "info", format ? format : "--output-format=readable", bundle, NULL};
	run_env(r, argv, NULL);
}

static void rauc_extract(Fixture *fx, RtRun *r, const char *bundle, const char *to)
{
	g_autofree char *rauc = tool("rauc");
	g_autofree char *conf = g_strdup_printf("--conf=%s", fx->conf);
	const char *argv[] = {rauc, conf, "extract", bundle, to, NULL};
	run_env(r, argv, NULL);
}

static void assert_err(RtRun *r, const char *what, const char *expect)
{
	if (r->status == 0 || strstr(r->err, expect) == NULL)
		g_error("%s: exit %d, expected a refusal with '%s'; stderr:\n%s", what, r->status, expect, r->err);
}

static void assert_same_file(const char *a, const char *b)
{
	g_autofree char *ta = NULL, *tb = NULL;
	gsize la = 0, lb = 0;
	g_assert_true(g_file_get_contents(a, &ta, &la, NULL));
	g_assert_true(g_file_get_contents(b, &tb, &lb, NULL));
	g_assert_cmpuint(la, ==, lb);
	g_assert_true(memcmp(ta, tb, la) == 0);
}

/* Flips one bit of `path` at `offset` (negative: from the end). */
static void flip(const char *path, const char *copy, goffset offset)
{
	g_autofree char *data = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(path, &data, &len, NULL));
	gsize at = offset < 0 ? len + offset : (gsize)offset;
	g_assert_cmpuint(at, <, len);
	data[at] ^= 0x10;
	g_assert_true(g_file_set_contents(copy, data, len, NULL));
}

/* The signature's length: the bundle's last 8 bytes, big-endian. */
static guint64 signature_size(const char *path)
{
	g_autofree char *data = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(path, &data, &len, NULL));
	g_assert_cmpuint(len, >, 8);
	guint64 n = 0;
	for (guint i = 0; i < 8; i++)
		n = n << 8 | (guint8)data[len - 8 + i];
	g_assert_cmpuint(n, <, len - 8);
	return n;
}

static void test_good(Fixture *fx, gconstpointer data)
{
	g_autofree char *bundle = good_bundle(fx, "qemu-arm64");
	g_auto(RtRun) r = {0};
	rauc_info(fx, &r, bundle, NULL);
	if (r.status != 0)
		g_error("rauc info: %s", r.err);
	g_assert_nonnull(strstr(r.err, "Verified inline signature by 'O = Relais test, CN = fleet update signer'"));
	g_assert_nonnull(strstr(r.out, "Compatible: \t'relais-booth-qemu-arm64'"));
	g_assert_nonnull(strstr(r.out, "Bundle Format: \tverity"));
	/* the payload checks out against the signed verity root hash, and
	 * holds the very images */
	g_autofree char *to = g_build_filename(fx->dir, "extracted", NULL);
	g_auto(RtRun) x = {0};
	rauc_extract(fx, &x, bundle, to);
	if (x.status != 0)
		g_error("rauc extract: %s", x.err);
	g_autofree char *rootfs = g_build_filename(to, "rootfs.ext4", NULL);
	g_autofree char *boot = g_build_filename(to, "boot.vfat", NULL);
	assert_same_file(fx->rootfs, rootfs);
	assert_same_file(fx->boot, boot);
}

/* The payload: a flipped bit anywhere in the squashfs or its hash tree
 * fails the verity check (rauc extract; on a booth, dm-verity at install).
 * `rauc info` does not read the payload: it checks the signature over the
 * manifest, which holds the verity root hash. */
static void test_payload_flipped(Fixture *fx, gconstpointer data)
{
	g_autofree char *bundle = good_bundle(fx, "qemu-arm64");
	guint64 sig = signature_size(bundle);
	GStatBuf st;
	g_assert_cmpint(g_stat(bundle, &st), ==, 0);
	goffset payload = st.st_size - 8 - (goffset)sig;
	const goffset where[] = {100, payload / 2, payload - 100};
	for (guint i = 0; i < G_N_ELEMENTS(where); i++) {
		g_autofree char *copy = g_strdup_printf("%s/payload-%u.raucb", fx->dir, i);
		flip(bundle, copy, where[i]);
		g_autofree char *to = g_strdup_printf("%s/extract-%u", fx->dir, i);
		g_auto(RtRun) x = {0};
		rauc_extract(fx, &x, copy, to);
		assert_err(&x, "rauc extract of a bundle with a flipped payload bit", "bundle payload is corrupted");
		g_assert_nonnull(strstr(x.err, "Verification of "));
		/* nothing of it is left to install */
		g_assert_false(g_file_test(to, G_FILE_TEST_EXISTS));
	}
}

/* The signature: its cryptographic value, its CMS structure, its length. */
static void test_signature_flipped(Fixture *fx, gconstpointer data)
{
	g_autofree char *bundle = good_bundle(fx, "qemu-arm64");
	guint64 sig = signature_size(bundle);
	static const struct {
		goffset from_end; /* 0: the CMS's first byte */
		const char *rauc_says;
	} cases[] = {
		/* the ECDSA signature is the CMS's last field */
		{-8 - 10, "signature verification failed: "},
		{-8 - 40, "signature verification failed: "},
		{0, "Invalid bundle format: Signature data is no valid CMS"},
		/* the length field, last byte: the signature would start elsewhere */
		{-1, "Invalid bundle format: "},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *copy = g_strdup_printf("%s/sig-%u.raucb", fx->dir, i);
		goffset at = cases[i].from_end ? cases[i].from_end : -8 - (goffset)sig;
		flip(bundle, copy, at);
		g_auto(RtRun) r = {0};
		rauc_info(fx, &r, copy, NULL);
		assert_err(&r, "rauc info of a bundle with a flipped signature bit", cases[i].rauc_says);
		g_assert_null(strstr(r.err, "Verified inline signature"));
	}
}

/* Signed by a key the booths' keyring does not trust. mkbundle checks its
 * own work against the keyring it is given, so it refuses to make it. */
static void test_other_key(Fixture *fx, gconstpointer data)
{
	g_auto(RtRun) m = {0};
	mkbundle(fx, &m, "qemu-arm64", fx->rootfs, fx->boot, fx->key2, fx->cert2, fx->ca);
	assert_err(&m, "mkbundle signing with a key the keyring does not trust", "signature verification failed");
	g_assert_nonnull(strstr(m.err, "mkbundle: rauc bundle failed"));
	g_autofree char *gone = g_build_filename(fx->out, "qemu-arm64", "relais-qemu-arm64-1.0.raucb", NULL);
	g_assert_false(g_file_test(gone, G_FILE_TEST_EXISTS));
	g_autofree char *tmp = g_strconcat(gone, ".tmp", NULL);
	g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));

	/* made without that check (its own CA as keyring), a booth refuses it */
	g_auto(RtRun) m2 = {0};
	mkbundle(fx, &m2, "qemu-arm64", fx->rootfs, fx->boot, fx->key2, fx->cert2, fx->ca2);
	g_assert_cmpint(m2.status, ==, 0);
	g_auto(RtRun) r = {0};
	rauc_info(fx, &r, gone, NULL);
	assert_err(&r, "rauc info of a bundle signed by another CA", "signature verification failed: ");
	g_assert_nonnull(strstr(r.err, "unable to get local issuer certificate"));
}

/* A bundle for another board. RAUC checks the compatible string at install
 * (install.c: "Compatible mismatch: Expected '…' but bundle manifest has
 * '…'", after mounting the bundle, before any slot is touched; mounting a
 * verity bundle needs dm-verity, which only the booth and the emulated
 * booth of `make check-image` have). On the host: the signature is good,
 * and the manifest's compatible, read by RAUC, is not the booth's. */
static void test_other_compatible(Fixture *fx, gconstpointer data)
{
	g_autofree char *bundle = good_bundle(fx, "rpi4");
	g_auto(RtRun) r = {0};
	rauc_info(fx, &r, bundle, "--output-format=json");
	if (r.status != 0)
		g_error("rauc info: %s", r.err);
	g_autoptr(JsonParser) p = json_parser_new();
	g_assert_true(json_parser_load_from_data(p, r.out, -1, NULL));
	JsonObject *o = json_node_get_object(json_parser_get_root(p));
	g_assert_cmpstr(json_object_get_string_member(o, "compatible"), ==, "relais-booth-rpi4");
	g_assert_cmpstr(json_object_get_string_member(o, "version"), ==, "1.0");

	/* the booth's own compatible, as its RAUC reads it from system.conf */
	g_autofree char *conf = NULL;
	g_assert_true(g_file_get_contents(fx->conf, &conf, NULL, NULL));
	g_assert_nonnull(strstr(conf, "\ncompatible=relais-booth-qemu-arm64\n"));
	g_assert_null(strstr(conf, "relais-booth-rpi4"));
	/* each board's configuration names its own */
	const char *boards[] = {"qemu-arm64", "rpi4", "rpi5"};
	g_autofree char *gen = g_build_filename(rt_top(), "board", "common", "rauc", "system-conf.sh", NULL);
	for (guint i = 0; i < G_N_ELEMENTS(boards); i++) {
		const char *argv[] = {gen, boards[i], NULL};
		g_auto(RtRun) c = {0};
		run_env(&c, argv, NULL);
		g_assert_cmpint(c.status, ==, 0);
		g_autofree char *line = g_strdup_printf("\ncompatible=relais-booth-%s\n", boards[i]);
		g_assert_nonnull(strstr(c.out, line));
		g_assert_nonnull(strstr(c.out, "\nbundle-formats=verity\n"));
		g_assert_nonnull(strstr(c.out, "\nbootloader-custom-backend=/usr/lib/relais/rauc-bootslot\n"));
		g_assert_nonnull(strstr(c.out, "\npath=/etc/rauc/keyring.pem\n"));
	}
	const char *bad[] = {gen, "x86", NULL};
	g_auto(RtRun) c = {0};
	run_env(&c, bad, NULL);
	g_assert_cmpint(c.status, ==, 2);
	g_assert_nonnull(strstr(c.err, "unknown board 'x86' (qemu-arm64, rpi4 or rpi5)"));
}

/* Runs a bundle's hook as RAUC does after writing a boot slot mounted at
 * `mnt` (slot-post-install, RAUC_SLOT_* in the environment). */
static void run_hook(RtRun *r, const char *hook, const char *class, const char *bootname, const char *mnt)
{
	g_autofree char *e_class = g_strdup_printf("RAUC_SLOT_CLASS=%s", class);
	g_autofree char *e_boot = g_strdup_printf("RAUC_SLOT_BOOTNAME=%s", bootname);
	g_autofree char *e_mnt = g_strdup_printf("RAUC_SLOT_MOUNT_POINT=%s", mnt);
	g_autofree char *e_name = g_strdup_printf("RAUC_SLOT_NAME=%s.%d", class, bootname[0] == 'B');
	const char *env[] = {e_class, e_boot, e_mnt, e_name, NULL};
	const char *argv[] = {hook, "slot-post-install", NULL};
	run_env(r, argv, env);
}

static char *read_text(const char *dir, const char *name)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	char *text = NULL;
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	return text;
}

/* A Pi bundle carries one boot image, slot A's, whose cmdline.txt the
 * firmware hands to the kernel as it is: the bundle's post-install hook
 * makes it the written slot's (root= and rauc.slot=), and refuses a
 * command line it cannot rewrite. qemu-arm64's bundles have no hook. */
static void test_pi_hook(Fixture *fx, gconstpointer data)
{
	g_autofree char *qemu = good_bundle(fx, "qemu-arm64");
	g_auto(RtRun) q = {0};
	rauc_info(fx, &q, qemu, NULL);
	g_assert_cmpint(q.status, ==, 0);
	g_assert_null(strstr(q.out, "post-install"));

	g_autofree char *bundle = good_bundle(fx, "rpi5");
	g_auto(RtRun) r = {0};
	rauc_info(fx, &r, bundle, NULL);
	if (r.status != 0)
		g_error("rauc info: %s", r.err);
	const char *boot = strstr(r.out, "[boot]");
	g_assert_nonnull(boot);
	g_assert_nonnull(strstr(boot, "Hooks:     post-install"));
	/* the hook the bundle carries, as a booth's RAUC runs it */
	g_autofree char *to = g_build_filename(fx->dir, "extracted", NULL);
	g_auto(RtRun) x = {0};
	rauc_extract(fx, &x, bundle, to);
	if (x.status != 0)
		g_error("rauc extract: %s", x.err);
	g_autofree char *hook = g_build_filename(to, "hook.sh", NULL);
	g_assert_true(g_file_test(hook, G_FILE_TEST_IS_EXECUTABLE));

	g_autofree char *mnt = g_build_filename(fx->dir, "boot-slot", NULL);
	g_assert_cmpint(g_mkdir(mnt, 0755), ==, 0);
	g_autofree char *cmdline = g_build_filename(mnt, "cmdline.txt", NULL);
	const char *slot_a = "console=ttyAMA10,115200 root=PARTLABEL=system_a ro rootwait rauc.slot=A panic=10\n";
	g_assert_true(g_file_set_contents(cmdline, slot_a, -1, NULL));
	g_auto(RtRun) h1 = {0};
	run_hook(&h1, hook, "boot", "B", mnt);
	if (h1.status != 0)
		g_error("hook: %s", h1.err);
	g_autofree char *b = read_text(mnt, "cmdline.txt");
	g_assert_cmpstr(b, ==, "console=ttyAMA10,115200 root=PARTLABEL=system_b ro rootwait rauc.slot=B panic=10\n");
	/* and back to A; the root slot's hook call changes nothing */
	g_auto(RtRun) h2 = {0};
	run_hook(&h2, hook, "boot", "A", mnt);
	g_assert_cmpint(h2.status, ==, 0);
	g_autofree char *a = read_text(mnt, "cmdline.txt");
	g_assert_cmpstr(a, ==, slot_a);
	g_auto(RtRun) h3 = {0};
	run_hook(&h3, hook, "rootfs", "B", mnt);
	g_assert_cmpint(h3.status, ==, 0);
	g_autofree char *a2 = read_text(mnt, "cmdline.txt");
	g_assert_cmpstr(a2, ==, slot_a);
	/* words, not substrings: rauc.slot=AB is no slot */
	g_assert_true(g_file_set_contents(cmdline, "root=PARTLABEL=system_a rauc.slot=AB\n", -1, NULL));
	g_auto(RtRun) h4 = {0};
	run_hook(&h4, hook, "boot", "B", mnt);
	assert_err(&h4, "a command line without rauc.slot=", "has no rauc.slot=A|B: cannot make it slot B's");
	g_assert_true(g_file_set_contents(cmdline, "root=/dev/mmcblk0p4 rauc.slot=A\n", -1, NULL));
	g_auto(RtRun) h5 = {0};
	run_hook(&h5, hook, "boot", "B", mnt);
	assert_err(&h5, "a root by device name", "has no root=PARTLABEL=system_a|b");
	g_autofree char *left = read_text(mnt, "cmdline.txt");
	g_assert_cmpstr(left, ==, "root=/dev/mmcblk0p4 rauc.slot=A\n");
	g_auto(RtRun) h6 = {0};
	run_hook(&h6, hook, "boot", "C", mnt);
	assert_err(&h6, "an unknown boot name", "has the boot name 'C', not A or B");
	/* no cmdline.txt (a boot loader script makes the command line): nothing */
	g_assert_cmpint(g_unlink(cmdline), ==, 0);
	g_auto(RtRun) h7 = {0};
	run_hook(&h7, hook, "boot", "B", mnt);
	g_assert_cmpint(h7.status, ==, 0);
	g_assert_false(g_file_test(cmdline, G_FILE_TEST_EXISTS));
}

/* What mkbundle refuses before RAUC sees anything. */
static void test_bad_input(Fixture *fx, gconstpointer data)
{
	g_autofree char *nowhere = g_build_filename(fx->dir, "no-such-rootfs.ext4", NULL);
	g_auto(RtRun) r1 = {0};
	mkbundle(fx, &r1, "qemu-arm64", nowhere, fx->boot, fx->key, fx->cert, NULL);
	assert_err(&r1, "no root image", "build it first with 'make image BOARD=qemu-arm64'");

	/* a root image cut short: its file system is bigger than the file */
	g_autofree char *img = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(fx->rootfs, &img, &len, NULL));
	g_autofree char *cut = g_build_filename(fx->dir, "cut.ext4", NULL);
	g_assert_true(g_file_set_contents(cut, img, len - 1024 * 1024, NULL));
	g_auto(RtRun) r2 = {0};
	mkbundle(fx, &r2, "qemu-arm64", cut, fx->boot, fx->key, fx->cert, NULL);
	assert_err(&r2, "a truncated root image",
		   "is cut short: its file system needs 4194304 bytes, the file has 3145728");

	/* the images swapped */
	g_auto(RtRun) r3 = {0};
	mkbundle(fx, &r3, "qemu-arm64", fx->boot, fx->rootfs, fx->key, fx->cert, NULL);
	assert_err(&r3, "a FAT image as root", "is not an ext4 file system image");
	/* a boot image that is no FAT */
	g_autofree char *junk = g_build_filename(fx->dir, "junk.vfat", NULL);
	g_assert_true(g_file_set_contents(junk, img, 64 * 1024, NULL));
	g_auto(RtRun) r4 = {0};
	mkbundle(fx, &r4, "qemu-arm64", fx->rootfs, junk, fx->key, fx->cert, NULL);
	assert_err(&r4, "an ext4 start as boot image", "is not a sound FAT file system image");

	g_auto(RtRun) r5 = {0};
	mkbundle(fx, &r5, "qemu-arm64", fx->rootfs, fx->boot, fx->key, NULL, NULL);
	assert_err(&r5, "a key without certificate", "RELAIS_BUNDLE_KEY and RELAIS_BUNDLE_CERT go together");
	g_auto(RtRun) r6 = {0};
	mkbundle(fx, &r6, "sim", fx->rootfs, fx->boot, fx->key, fx->cert, NULL);
	assert_err(&r6, "a board without slots", "unknown board 'sim' (qemu-arm64, rpi4 or rpi5)");
	/* a key that is not its certificate's */
	g_auto(RtRun) r7 = {0};
	mkbundle(fx, &r7, "qemu-arm64", fx->rootfs, fx->boot, fx->key2, fx->cert, NULL);
	assert_err(&r7, "a key that is not the certificate's", "mkbundle: rauc bundle failed");

	/* none of them left a bundle */
	g_autofree char *folder = g_build_filename(fx->out, "qemu-arm64", NULL);
	g_autoptr(GDir) d = g_dir_open(folder, 0, NULL);
	if (d) {
		const char *name;
		while ((name = g_dir_read_name(d)))
			g_error("left behind: %s", name);
	}
}

/* No key given: a development pair made once in $O/keys/dev/, a warning no
 * one can miss, and bundles that verify with that certificate only. */
static void test_dev_key(Fixture *fx, gconstpointer data)
{
	g_auto(RtRun) r = {0};
	mkbundle(fx, &r, "qemu-arm64", fx->rootfs, fx->boot, NULL, NULL, NULL);
	if (r.status != 0)
		g_error("mkbundle: %s", r.err);
	g_assert_nonnull(strstr(r.err, "mkbundle: WARNING: signed with the DEVELOPMENT key"));
	g_assert_nonnull(strstr(r.err, "never ship"));
	g_autofree char *crt = g_build_filename(fx->out, "keys", "dev", "relais-dev.crt", NULL);
	g_autofree char *key = g_build_filename(fx->out, "keys", "dev", "relais-dev.key", NULL);
	g_autofree char *first = NULL;
	g_assert_true(g_file_get_contents(crt, &first, NULL, NULL));
	GStatBuf st;
	g_assert_cmpint(g_stat(key, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 077, ==, 0);

	/* made once: the second bundle is signed by the same pair */
	g_auto(RtRun) r2 = {0};
	mkbundle(fx, &r2, "qemu-arm64", fx->rootfs, fx->boot, NULL, NULL, NULL);
	g_assert_cmpint(r2.status, ==, 0);
	g_assert_nonnull(strstr(r2.err, "WARNING: signed with the DEVELOPMENT key"));
	g_autofree char *second = NULL;
	g_assert_true(g_file_get_contents(crt, &second, NULL, NULL));
	g_assert_cmpstr(first, ==, second);

	/* a booth with the fleet's keyring refuses it */
	g_autofree char *bundle = g_build_filename(fx->out, "qemu-arm64", "relais-qemu-arm64-1.0.raucb", NULL);
	g_auto(RtRun) i = {0};
	rauc_info(fx, &i, bundle, NULL);
	assert_err(&i, "a development bundle on a fleet booth", "signature verification failed: ");
	/* one with the development keyring accepts it */
	g_autofree char *rauc = tool("rauc");
	g_autofree char *ring = g_strdup_printf("--keyring=%s", crt);
	const char *argv[] = {rauc, ring, "info", bundle, NULL};
	g_auto(RtRun) ok = {0};
	run_env(&ok, argv, NULL);
	g_assert_cmpint(ok.status, ==, 0);
	g_assert_nonnull(strstr(ok.err, "Verified inline signature by 'O = Relais development"));
}

/* `make bundle BOARD=...` itself: it stops without the image build's
 * images, and makes the bundle from them in $(O)/BOARD/ once they exist. */
static void test_make_target(Fixture *fx, gconstpointer data)
{
	g_autofree char *make = tool("make");
	g_autofree char *o = g_strdup_printf("O=%s", fx->out);
	const char *argv[] = {make, "-s", "-C", rt_top(), o, "bundle", "BOARD=qemu-arm64", NULL};
	g_autofree char *e_key = g_strdup_printf("RELAIS_BUNDLE_KEY=%s", fx->key);
	g_autofree char *e_cert = g_strdup_printf("RELAIS_BUNDLE_CERT=%s", fx->cert);
	g_autofree char *e_ring = g_strdup_printf("RELAIS_BUNDLE_KEYRING=%s", fx->ca);
	const char *env[] = {e_key, e_cert, e_ring, "MAKEFLAGS=", NULL};
	g_auto(RtRun) r = {0};
	run_env(&r, argv, env);
	g_autofree char *expect = g_strdup_printf("no root image %s/qemu-arm64/rootfs.ext4: build it first with "
						  "'make image BOARD=qemu-arm64'",
						  fx->out);
	assert_err(&r, "make bundle without images", expect);

	g_autofree char *folder = g_build_filename(fx->out, "qemu-arm64", NULL);
	g_assert_cmpint(g_mkdir_with_parents(folder, 0755), ==, 0);
	const char *pairs[][2] = {{fx->rootfs, "rootfs.ext4"}, {fx->boot, "boot.vfat"}};
	for (guint i = 0; i < G_N_ELEMENTS(pairs); i++) {
		g_autofree char *text = NULL;
		gsize len = 0;
		g_assert_true(g_file_get_contents(pairs[i][0], &text, &len, NULL));
		g_autofree char *to = g_build_filename(folder, pairs[i][1], NULL);
		g_assert_true(g_file_set_contents(to, text, len, NULL));
	}
	g_auto(RtRun) ok = {0};
	run_env(&ok, argv, env);
	if (ok.status != 0)
		g_error("make bundle: %s", ok.err);
	g_assert_null(strstr(ok.err, "DEVELOPMENT"));
	/* relais-qemu-arm64-<RELAIS_VERSION>-<git describe>.raucb */
	g_autoptr(GDir) d = g_dir_open(folder, 0, NULL);
	const char *name;
	guint bundles = 0;
	while ((name = g_dir_read_name(d))) {
		if (!g_str_has_suffix(name, ".raucb"))
			continue;
		bundles++;
		g_assert_true(g_str_has_prefix(name, "relais-qemu-arm64-"));
		g_autofree char *path = g_build_filename(folder, name, NULL);
		g_auto(RtRun) i = {0};
		rauc_info(fx, &i, path, "--output-format=json");
		g_assert_cmpint(i.status, ==, 0);
		g_assert_nonnull(strstr(i.out, "\"compatible\":\"relais-booth-qemu-arm64\""));
	}
	g_assert_cmpuint(bundles, ==, 1);
}

/* What the image recipe installs into a root folder for updates. */
static void test_install_root(Fixture *fx, gconstpointer data)
{
	g_autofree char *script = g_build_filename(rt_top(), "board", "common", "rauc", "install-root.sh", NULL);
	g_autofree char *root = g_build_filename(fx->dir, "rootdir", NULL);
	g_assert_cmpint(g_mkdir(root, 0755), ==, 0);
	g_autofree char *o = g_strdup_printf("O=%s", fx->out);
	const char *env[] = {o, "RELAIS_BUNDLE_KEYRING=", NULL};
	const char *argv[] = {script, root, "rpi5", fx->ca, NULL};
	g_auto(RtRun) r = {0};
	run_env(&r, argv, env);
	if (r.status != 0)
		g_error("install-root.sh: %s", r.err);
	g_assert_cmpstr(r.err, ==, "");
	g_autofree char *conf = g_build_filename(root, "etc", "rauc", "system.conf", NULL);
	g_autofree char *ring = g_build_filename(root, "etc", "rauc", "keyring.pem", NULL);
	g_autofree char *backend = g_build_filename(root, "usr", "lib", "relais", "rauc-bootslot", NULL);
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(conf, &text, NULL, NULL));
	g_assert_nonnull(strstr(text, "\ncompatible=relais-booth-rpi5\n"));
	g_assert_nonnull(strstr(text, "\ndevice=/dev/disk/by-partlabel/system_a\n"));
	assert_same_file(fx->ca, ring);
	GStatBuf st;
	g_assert_cmpint(g_stat(backend, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 07777, ==, 0755);
	g_assert_cmpint(g_stat(ring, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 07777, ==, 0644);

	/* a keyring with a private key in it: refused */
	g_autofree char *leaky = g_build_filename(fx->dir, "leaky.pem", NULL);
	g_autofree char *ca = NULL, *key = NULL;
	g_assert_true(g_file_get_contents(fx->ca, &ca, NULL, NULL));
	g_assert_true(g_file_get_contents(fx->key, &key, NULL, NULL));
	g_autofree char *both = g_strconcat(ca, key, NULL);
	g_assert_true(g_file_set_contents(leaky, both, -1, NULL));
	const char *bad[] = {script, root, "rpi5", leaky, NULL};
	g_auto(RtRun) b = {0};
	run_env(&b, bad, env);
	assert_err(&b, "a keyring with a private key", "holds a private key: give the CA certificate only");
	assert_same_file(fx->ca, ring);

	/* no keyring: the development certificate, loudly */
	const char *dev[] = {script, root, "qemu-arm64", NULL};
	g_auto(RtRun) d = {0};
	run_env(&d, dev, env);
	g_assert_cmpint(d.status, ==, 0);
	g_assert_nonnull(strstr(d.err, "WARNING:"));
	g_assert_nonnull(strstr(d.err, "trusts the DEVELOPMENT key"));
	g_autofree char *devcrt = g_build_filename(fx->out, "keys", "dev", "relais-dev.crt", NULL);
	assert_same_file(devcrt, ring);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fx_setup, fn, fx_teardown)
	ADD("/bundle/good", test_good);
	ADD("/bundle/payload-flipped", test_payload_flipped);
	ADD("/bundle/signature-flipped", test_signature_flipped);
	ADD("/bundle/other-key", test_other_key);
	ADD("/bundle/other-compatible", test_other_compatible);
	ADD("/bundle/pi-hook", test_pi_hook);
	ADD("/bundle/bad-input", test_bad_input);
	ADD("/bundle/dev-key", test_dev_key);
	ADD("/bundle/make-target", test_make_target);
	ADD("/bundle/install-root", test_install_root);
	return g_test_run();
}
