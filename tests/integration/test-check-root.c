/* SPDX-License-Identifier: GPL-2.0-or-later */
/* board/common/image/check-root.sh, the image's static checks, run against
 * small root folders made here: a good one passes, and each defect (a
 * password hash or an empty password, a default account, SSH password
 * logins, the booth's unit not enabled or masked, a login prompt on tty1, a
 * read-write root, uncapped logs) fails with its own sentence. When an image
 * has been built (build/qemu-arm64|rpi4|rpi5/root), its real root is checked
 * too. */
#include "harness.h"
#include "run.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	char *dir;
	char *root;
} Fixture;

static void check_root(RtRun *r, const char *root)
{
	g_autofree char *script = g_build_filename(rt_top(), "board", "common", "image", "check-root.sh", NULL);
	const char *argv[] = {script, root, NULL};
	rt_run(r, argv, NULL, NULL);
}

/* Writes `text` at root/rel, making its folders; NULL removes the file. */
static void put(Fixture *fx, const char *rel, const char *text)
{
	g_autofree char *path = g_build_filename(fx->root, rel, NULL);
	g_autofree char *dir = g_path_get_dirname(path);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	g_unlink(path);
	if (text == NULL)
		return;
	g_autoptr(GError) error = NULL;
	g_assert_true(g_file_set_contents(path, text, -1, &error));
	g_assert_no_error(error);
}

static void link_to(Fixture *fx, const char *rel, const char *target)
{
	g_autofree char *path = g_build_filename(fx->root, rel, NULL);
	g_autofree char *dir = g_path_get_dirname(path);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	g_unlink(path);
	g_assert_cmpint(symlink(target, path), ==, 0);
}

#define PASSWD                                                                                                         \
	"root:x:0:0:root:/root:/bin/bash\n"                                                                            \
	"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"                                                            \
	"relais-booth:x:999:999:Relais booth:/var/lib/relais-booth:/usr/sbin/nologin\n"                                \
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
#define SHADOW                                                                                                         \
	"root:*:19000:0:99999:7:::\n"                                                                                  \
	"daemon:*:19000:0:99999:7:::\n"                                                                                \
	"relais-booth:!*:19000::::::\n"                                                                                \
	"nobody:*:19000:0:99999:7:::\n"
#define SSHD_CONFIG                                                                                                    \
	"# a technician's key only\n"                                                                                  \
	"Include /etc/ssh/sshd_config.d/*.conf\n"                                                                      \
	"PasswordAuthentication no\n"                                                                                  \
	"KbdInteractiveAuthentication no\n"                                                                            \
	"Match User nobody\n"                                                                                          \
	"\tPermitTTY no\n"
#define UNIT_PATH	  "usr/lib/systemd/system/relais-booth.service"
#define WANTS_PATH	  "etc/systemd/system/multi-user.target.wants/relais-booth.service"
#define RAUC_DBUS	  "usr/share/dbus-1/system-services/de.pengutronix.rauc.service"
#define MACHINE_ID_SCRIPT "etc/initramfs-tools/scripts/local-bottom/relais-machine-id"
#define HEALTH_PATH	  "usr/lib/systemd/system/relais-booth-health.service"
#define HEALTH_WANTS	  "etc/systemd/system/multi-user.target.wants/relais-booth-health.service"

/* A root folder that passes: the booth's real unit enabled by an absolute
 * link (resolved inside the root folder), getty@tty1 masked, an sshd without
 * password logins, / read-only, journald capped. */
static void fx_setup(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->dir = g_dir_make_tmp("relais-check-root-XXXXXX", &error);
	g_assert_no_error(error);
	fx->root = g_build_filename(fx->dir, "root", NULL);
	put(fx, "etc/passwd", PASSWD);
	put(fx, "etc/shadow", SHADOW);
	put(fx, "usr/sbin/sshd", "");
	put(fx, "etc/ssh/sshd_config", SSHD_CONFIG);
	put(fx, "etc/ssh/sshd_config.d/relais.conf", "PermitEmptyPasswords no\n");
	g_autofree char *unit_src =
		g_build_filename(rt_top(), "board", "common", "systemd", "relais-booth.service", NULL);
	g_autofree char *unit = NULL;
	g_assert_true(g_file_get_contents(unit_src, &unit, NULL, &error));
	put(fx, UNIT_PATH, unit);
	link_to(fx, WANTS_PATH, "/" UNIT_PATH);
	g_autofree char *health_src =
		g_build_filename(rt_top(), "board", "common", "systemd", "relais-booth-health.service", NULL);
	g_autofree char *health = NULL;
	g_assert_true(g_file_get_contents(health_src, &health, NULL, &error));
	put(fx, HEALTH_PATH, health);
	link_to(fx, HEALTH_WANTS, "/" HEALTH_PATH);
	/* RAUC's system.conf as the image has it (system-conf.sh), its backend
	 * and a keyring of one certificate */
	g_auto(RtRun) conf = {0};
	g_autofree char *conf_sh = g_build_filename(rt_top(), "board", "common", "rauc", "system-conf.sh", NULL);
	rt_run(&conf, (const char *[]){"sh", conf_sh, "qemu-arm64", NULL}, NULL, NULL);
	g_assert_cmpint(conf.status, ==, 0);
	put(fx, "etc/rauc/system.conf", conf.out);
	put(fx, "etc/rauc/keyring.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
	put(fx, "usr/lib/relais/rauc-bootslot", "#!/bin/sh\n");
	put(fx, RAUC_DBUS, "[D-BUS Service]\nName=de.pengutronix.rauc\nSystemdService=rauc.service\n");
	g_autofree char *backend = g_build_filename(fx->root, "usr/lib/relais/rauc-bootslot", NULL);
	g_assert_cmpint(g_chmod(backend, 0755), ==, 0);
	link_to(fx, "etc/systemd/system/getty@tty1.service", "/dev/null");
	put(fx, "etc/fstab", "# booth\n/dev/root\t/\text4\tro,noatime\t0\t0\nLABEL=RELAISDATA /data ext4 rw 0 2\n");
	put(fx, "etc/systemd/journald.conf.d/relais.conf", "[Journal]\nStorage=persistent\nSystemMaxUse=64M\n");
	put(fx, "etc/machine-id", "");
	put(fx, MACHINE_ID_SCRIPT, "#!/bin/sh\n");
	g_autofree char *mid = g_build_filename(fx->root, MACHINE_ID_SCRIPT, NULL);
	g_assert_cmpint(g_chmod(mid, 0755), ==, 0);
}

static void fx_teardown(Fixture *fx, gconstpointer data)
{
	rt_rm_rf(fx->dir);
	g_free(fx->dir);
	g_free(fx->root);
}

static void assert_passes(Fixture *fx)
{
	g_auto(RtRun) r = {0};
	check_root(&r, fx->root);
	if (r.status != 0)
		g_error("check-root.sh refused a good root folder: exit %d\n%s%s", r.status, r.out, r.err);
	g_assert_nonnull(strstr(r.out, "checks passed"));
	g_assert_cmpstr(r.err, ==, "");
}

/* check-root.sh fails with exactly one FAIL line, which says `why`. */
static void assert_fails(Fixture *fx, const char *why)
{
	g_auto(RtRun) r = {0};
	check_root(&r, fx->root);
	g_test_message("check-root.sh: exit %d: %s", r.status, r.err);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_nonnull(strstr(r.err, why));
	guint lines = 0;
	for (const char *p = r.err; (p = strstr(p, "check-root: FAIL: ")) != NULL; p++)
		lines++;
	g_assert_cmpuint(lines, ==, 1);
}

static void test_good(Fixture *fx, gconstpointer data)
{
	assert_passes(fx);
	/* no SSH at all is fine too (the image's own choice) */
	put(fx, "usr/sbin/sshd", NULL);
	put(fx, "etc/ssh/sshd_config", NULL);
	assert_passes(fx);
	/* a mask of the template masks tty1 as well */
	put(fx, "etc/systemd/system/getty@tty1.service", NULL);
	link_to(fx, "etc/systemd/system/getty@.service", "/dev/null");
	assert_passes(fx);
}

static void test_shadow_hash(Fixture *fx, gconstpointer data)
{
	put(fx, "etc/shadow",
	    "root:$6$salt$Q0Qq5lO2c1e0y2bYbVdJ9b1pQxWZ5n1Gm0fKc9Yt3Zr2bq7hF1mA8dE5v4u3w2x1y0z9:19000:0:99999:7:::\n"
	    "relais-booth:!*:19000::::::\n");
	assert_fails(fx, "account 'root' has a password hash in /etc/shadow");
}

static void test_shadow_locked_hash(Fixture *fx, gconstpointer data)
{
	/* passwd -l on an account that had a password keeps the hash: refused */
	put(fx, "etc/shadow", "root:*:19000:0:99999:7:::\nrelais-booth:!$y$j9T$abc$def:19000::::::\n");
	assert_fails(fx, "account 'relais-booth' has a password hash");
}

static void test_shadow_empty(Fixture *fx, gconstpointer data)
{
	put(fx, "etc/shadow", "root::19000:0:99999:7:::\n");
	assert_fails(fx, "account 'root' has an empty password in /etc/shadow");
}

static void test_shadow_missing(Fixture *fx, gconstpointer data)
{
	put(fx, "etc/shadow", NULL);
	assert_fails(fx, "etc/shadow is missing");
}

static void test_passwd_field(Fixture *fx, gconstpointer data)
{
	put(fx, "etc/passwd", "root::0:0:root:/root:/bin/bash\n");
	assert_fails(fx, "account 'root' has an empty password field in /etc/passwd");
	put(fx, "etc/passwd", "root:$1$salt$hash:0:0:root:/root:/bin/bash\n");
	assert_fails(fx, "account 'root' has a password hash in /etc/passwd");
}

static void test_default_account(Fixture *fx, gconstpointer data)
{
	put(fx, "etc/passwd", PASSWD "pi:x:1000:1000:,,,:/home/pi:/bin/bash\n");
	put(fx, "etc/shadow", SHADOW "pi:!:19000:0:99999:7:::\n");
	g_auto(RtRun) r = {0};
	check_root(&r, fx->root);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_nonnull(strstr(r.err, "account 'pi' (uid 1000) is a person's account"));
	g_assert_nonnull(strstr(r.err, "account 'pi' is a known default account"));
	/* a known name with a system uid is caught too */
	put(fx, "etc/passwd", PASSWD "debian:x:998:998::/home/debian:/bin/sh\n");
	assert_fails(fx, "account 'debian' is a known default account");
}

static void test_ssh_password_yes(Fixture *fx, gconstpointer data)
{
	put(fx, "etc/ssh/sshd_config", "PasswordAuthentication yes\nKbdInteractiveAuthentication no\n");
	assert_fails(fx, "sshd: PasswordAuthentication is yes: it must be no");
}

static void test_ssh_default(Fixture *fx, gconstpointer data)
{
	/* OpenSSH's defaults allow passwords: silence is a yes */
	put(fx, "etc/ssh/sshd_config", "KbdInteractiveAuthentication no\n");
	assert_fails(fx, "PasswordAuthentication is not set (default yes)");
}

static void test_ssh_include_first(Fixture *fx, gconstpointer data)
{
	/* sshd keeps the first value: an included file read before the main
	 * file's 'no' wins */
	put(fx, "etc/ssh/sshd_config.d/50-cloud.conf", "PasswordAuthentication yes\n");
	assert_fails(fx, "sshd: PasswordAuthentication is yes");
}

static void test_ssh_kbdinteractive(Fixture *fx, gconstpointer data)
{
	put(fx, "etc/ssh/sshd_config",
	    "PasswordAuthentication no\nChallengeResponseAuthentication yes\nKbdInteractiveAuthentication no\n");
	assert_fails(fx, "KbdInteractiveAuthentication is yes");
}

static void test_ssh_match(Fixture *fx, gconstpointer data)
{
	put(fx, "etc/ssh/sshd_config", SSHD_CONFIG "Match Address 10.0.0.0/8\n\tPasswordAuthentication yes\n");
	assert_fails(fx, "'passwordauthentication yes' in a Match block of /etc/ssh/sshd_config");
}

static void test_ssh_no_config(Fixture *fx, gconstpointer data)
{
	put(fx, "etc/ssh/sshd_config", NULL);
	assert_fails(fx, "sshd is installed without /etc/ssh/sshd_config");
}

static void test_unit_not_enabled(Fixture *fx, gconstpointer data)
{
	put(fx, WANTS_PATH, NULL);
	assert_fails(fx, "relais-booth.service is not enabled");
}

static void test_unit_dangling(Fixture *fx, gconstpointer data)
{
	/* enabled, but the unit file is not in the image (only on this host,
	 * maybe: the link is resolved inside the root folder) */
	put(fx, UNIT_PATH, NULL);
	assert_fails(fx, "leads to no unit file in the root folder");
}

static void test_unit_masked(Fixture *fx, gconstpointer data)
{
	link_to(fx, "etc/systemd/system/relais-booth.service", "/dev/null");
	assert_fails(fx, "relais-booth.service is masked");
}

static void test_health_not_enabled(Fixture *fx, gconstpointer data)
{
	put(fx, HEALTH_WANTS, NULL);
	assert_fails(fx, "relais-booth-health.service is not enabled (no /etc/systemd/system/multi-user.target.wants/"
			 "relais-booth-health.service): an update would never be kept");
}

static void test_rauc_missing(Fixture *fx, gconstpointer data)
{
	put(fx, "etc/rauc/system.conf", NULL);
	assert_fails(fx, "etc/rauc/system.conf is missing");
}

/* one machine id for every booth of the image, or a new one at every boot */
static void test_machine_id(Fixture *fx, gconstpointer data)
{
	put(fx, "etc/machine-id", "0123456789abcdef0123456789abcdef\n");
	assert_fails(fx,
		     "etc/machine-id is not empty: every booth made from this image would have the same machine id");
	put(fx, "etc/machine-id", NULL);
	assert_fails(fx, "etc/machine-id is missing");
	put(fx, "etc/machine-id", "");
	put(fx, MACHINE_ID_SCRIPT, NULL);
	assert_fails(fx, "relais-machine-id is not an executable: the booth would get a new machine id at every boot");
}

static void test_rauc_service(Fixture *fx, gconstpointer data)
{
	put(fx, RAUC_DBUS, NULL);
	assert_fails(fx, "RAUC's D-Bus service is missing (the rauc-service package)");
}

static void test_rauc_backend(Fixture *fx, gconstpointer data)
{
	g_autofree char *backend = g_build_filename(fx->root, "usr/lib/relais/rauc-bootslot", NULL);
	g_assert_cmpint(g_chmod(backend, 0644), ==, 0);
	assert_fails(fx, "the boot-slot backend /usr/lib/relais/rauc-bootslot is not an executable in the root folder");
	put(fx, "usr/lib/relais/rauc-bootslot", NULL);
	assert_fails(fx, "is not an executable in the root folder");
}

static void test_rauc_keyring(Fixture *fx, gconstpointer data)
{
	put(fx, "etc/rauc/keyring.pem",
	    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
	    "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n");
	assert_fails(fx, "holds a private key: every booth would hold the signing key");
	put(fx, "etc/rauc/keyring.pem", "");
	assert_fails(fx, "holds no certificate");
	put(fx, "etc/rauc/keyring.pem", NULL);
	assert_fails(fx, "RAUC's keyring /etc/rauc/keyring.pem is missing");
}

static void test_getty(Fixture *fx, gconstpointer data)
{
	put(fx, "etc/systemd/system/getty@tty1.service", NULL);
	assert_fails(fx, "getty@tty1.service is not masked");
	/* a link to a real unit is no mask */
	link_to(fx, "etc/systemd/system/getty@tty1.service", "/usr/lib/systemd/system/getty@.service");
	assert_fails(fx, "getty@tty1.service is not masked");
}

static void test_fstab_rw(Fixture *fx, gconstpointer data)
{
	put(fx, "etc/fstab", "/dev/root / ext4 rw,noatime 0 1\n");
	assert_fails(fx, "etc/fstab mounts / with 'rw,noatime': it must be read-only (ro)");
	put(fx, "etc/fstab", "/dev/root / ext4 defaults 0 1\n");
	assert_fails(fx, "it must be read-only");
	/* a commented-out ro line does not count */
	put(fx, "etc/fstab", "#/dev/root / ext4 ro 0 1\nLABEL=RELAISDATA /data ext4 rw 0 2\n");
	assert_fails(fx, "etc/fstab has no entry for /");
}

static void test_journal_cap(Fixture *fx, gconstpointer data)
{
	put(fx, "etc/systemd/journald.conf.d/relais.conf", "[Journal]\nStorage=persistent\n");
	assert_fails(fx, "journald has no SystemMaxUse=");
}

static void test_not_a_root(Fixture *fx, gconstpointer data)
{
	g_auto(RtRun) r = {0};
	g_autofree char *nowhere = g_build_filename(fx->dir, "nowhere", NULL);
	check_root(&r, nowhere);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "is not a root folder"));
}

/* The image's own root folder, when `make image BOARD=...` built one in
 * this build folder. */
static void test_built_root(gconstpointer data)
{
	const char *board = data;
	g_autofree char *root = g_build_filename(rt_build(), board, "root", NULL);
	if (!g_file_test(root, G_FILE_TEST_IS_DIR)) {
		g_autofree char *why =
			g_strdup_printf("no built root folder (make image BOARD=%s makes build/%s/root)", board, board);
		g_test_skip(why);
		return;
	}
	g_auto(RtRun) r = {0};
	check_root(&r, root);
	if (r.status != 0)
		g_error("check-root.sh %s: exit %d\n%s%s", root, r.status, r.out, r.err);
	g_test_message("%s", r.out);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add("/check-root/" name, Fixture, NULL, fx_setup, fn, fx_teardown)
	ADD("good", test_good);
	ADD("shadow-hash", test_shadow_hash);
	ADD("shadow-locked-hash", test_shadow_locked_hash);
	ADD("shadow-empty", test_shadow_empty);
	ADD("shadow-missing", test_shadow_missing);
	ADD("passwd-field", test_passwd_field);
	ADD("default-account", test_default_account);
	ADD("ssh-password-yes", test_ssh_password_yes);
	ADD("ssh-default", test_ssh_default);
	ADD("ssh-include-first", test_ssh_include_first);
	ADD("ssh-kbdinteractive", test_ssh_kbdinteractive);
	ADD("ssh-match", test_ssh_match);
	ADD("ssh-no-config", test_ssh_no_config);
	ADD("unit-not-enabled", test_unit_not_enabled);
	ADD("unit-dangling", test_unit_dangling);
	ADD("unit-masked", test_unit_masked);
	ADD("health-not-enabled", test_health_not_enabled);
	ADD("rauc-missing", test_rauc_missing);
	ADD("rauc-service", test_rauc_service);
	ADD("rauc-backend", test_rauc_backend);
	ADD("rauc-keyring", test_rauc_keyring);
	ADD("getty", test_getty);
	ADD("fstab-rw", test_fstab_rw);
	ADD("journal-cap", test_journal_cap);
	ADD("machine-id", test_machine_id);
	ADD("not-a-root", test_not_a_root);
	g_test_add_data_func("/check-root/built-root", "qemu-arm64", test_built_root);
	g_test_add_data_func("/check-root/built-root/rpi4", "rpi4", test_built_root);
	g_test_add_data_func("/check-root/built-root/rpi5", "rpi5", test_built_root);
	return g_test_run();
}
