/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "boothconf.h"
#include "fail.h"
#include "pinhash.h"
#include "protocol.h"
#include "sslerr.h"
#include "relais-config.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK(relais - boothconf - error - quark, relais_boothconf_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(X509, X509_free)

#define FAIL(code, ...) relais_fail(error, RELAIS_BOOTHCONF_ERROR, RELAIS_BOOTHCONF_ERROR_##code, __VA_ARGS__)

/* Every key of the file, in the order it is written. */
static const struct {
	const char *group, *key;
	gsize offset;
	gboolean required;
} keys[] = {
	{"switchboard", "url", G_STRUCT_OFFSET(RelaisBoothConf, switchboard_url), TRUE},
	{"switchboard", "ca", G_STRUCT_OFFSET(RelaisBoothConf, ca_pem), TRUE},
	{"booth", "name", G_STRUCT_OFFSET(RelaisBoothConf, name), TRUE},
	{"booth", "site", G_STRUCT_OFFSET(RelaisBoothConf, site), TRUE},
	{"booth", "enrolment-token", G_STRUCT_OFFSET(RelaisBoothConf, token), FALSE},
	{"booth", "technician-pin", G_STRUCT_OFFSET(RelaisBoothConf, pin_hash), TRUE},
	{"wifi", "ssid", G_STRUCT_OFFSET(RelaisBoothConf, wifi_ssid), FALSE},
	{"wifi", "psk", G_STRUCT_OFFSET(RelaisBoothConf, wifi_psk), FALSE},
};

static char **field(const RelaisBoothConf *conf, guint i)
{
	return G_STRUCT_MEMBER_P(conf, keys[i].offset);
}

RelaisBoothConf *relais_boothconf_new(void)
{
	return g_new0(RelaisBoothConf, 1);
}

void relais_boothconf_free(RelaisBoothConf *conf)
{
	if (conf == NULL)
		return;
	for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
		char **s = field(conf, i);
		/* the token and the PSK are secrets: do not leave them in freed memory */
		if (*s)
			memset(*s, 0, strlen(*s));
		g_free(*s);
	}
	g_free(conf);
}

/* --- value checks --------------------------------------------------------- */

static gboolean check_url(const char *url, GError **error)
{
	if (strlen(url) > RELAIS_BOOTHCONF_MAX_URL)
		return FAIL(URL, "[switchboard] url is longer than %d bytes", RELAIS_BOOTHCONF_MAX_URL);
	g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
	if (uri == NULL)
		return FAIL(URL, "[switchboard] url '%s' is not a URL", url);
	const char *scheme = g_uri_get_scheme(uri);
	if (!g_str_equal(scheme, "wss") && !g_str_equal(scheme, "ws") && !g_str_equal(scheme, "https"))
		return FAIL(URL, "[switchboard] url '%s': the scheme must be wss://, ws:// or https://", url);
	const char *host = g_uri_get_host(uri);
	if (host == NULL || *host == '\0')
		return FAIL(URL, "[switchboard] url '%s' has no host", url);
	/* GUri takes any byte in a host name; a DNS name or an IP address has
	 * only these (GUri removes an IPv6 address's brackets) */
	if (strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") != strlen(host))
		return FAIL(URL, "[switchboard] url '%s': '%s' is not a host name or an IP address", url, host);
	return TRUE;
}

/* One or more PEM blocks, each an X.509 certificate OpenSSL can parse. */
static gboolean check_ca(const char *pem, GError **error)
{
	g_autoptr(BIO) bio = BIO_new_mem_buf(pem, (int)strlen(pem));
	if (bio == NULL)
		return relais_ssl_fail(error, RELAIS_BOOTHCONF_ERROR, RELAIS_BOOTHCONF_ERROR_CA, "BIO_new_mem_buf");
	guint n = 0;
	for (;;) {
		char *name = NULL, *header = NULL;
		unsigned char *der = NULL;
		long len = 0;
		if (PEM_read_bio(bio, &name, &header, &der, &len) != 1) {
			/* the end of the text, or garbage before any block */
			ERR_clear_error();
			break;
		}
		g_autofree char *what = g_strdup(name);
		const unsigned char *p = der;
		g_autoptr(X509) x = g_str_equal(name, "CERTIFICATE") ? d2i_X509(NULL, &p, len) : NULL;
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(der);
		n++;
		if (x == NULL && !g_str_equal(what, "CERTIFICATE"))
			return FAIL(CA, "[switchboard] ca: block %u is a %s, not a CERTIFICATE", n, what);
		if (x == NULL)
			return relais_ssl_fail(error, RELAIS_BOOTHCONF_ERROR, RELAIS_BOOTHCONF_ERROR_CA,
					       "[switchboard] ca: a certificate OpenSSL cannot parse");
	}
	if (n == 0)
		return FAIL(CA, "[switchboard] ca is not a PEM certificate (-----BEGIN CERTIFICATE-----)");
	return TRUE;
}

gboolean relais_boothconf_token_valid(const char *token)
{
	if (token == NULL || strlen(token) != RELAIS_BOOTHCONF_TOKEN_CHARS)
		return FALSE;
	for (const char *p = token; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
			return FALSE;
	return TRUE;
}

static gboolean check_text(const char *key, const char *s, gsize cap, GError **error)
{
	if (*s == '\0')
		return FAIL(VALUE, "%s is empty", key);
	if (strlen(s) > cap)
		return FAIL(VALUE, "%s is longer than %" G_GSIZE_FORMAT " bytes", key, cap);
	if (!g_utf8_validate(s, -1, NULL))
		return FAIL(VALUE, "%s is not UTF-8", key);
	for (const char *p = s; *p; p++)
		if ((guchar)*p < 0x20 || *p == 0x7f)
			return FAIL(VALUE, "%s has a control character", key);
	return TRUE;
}

/* WPA2 personal: a passphrase of 8-63 printable ASCII characters, or the
 * 256-bit key itself as 64 hex digits. */
static gboolean check_psk(const char *psk, GError **error)
{
	gsize n = strlen(psk);
	gboolean ok = n >= 8 && n <= 63;
	for (const char *p = psk; ok && *p; p++)
		ok = *p >= 0x20 && *p < 0x7f;
	if (!ok && n == 64)
		ok = strspn(psk, "0123456789abcdefABCDEF") == 64;
	if (!ok)
		return FAIL(VALUE, "[wifi] psk must be 8 to 63 printable ASCII characters, or 64 hex digits");
	return TRUE;
}

gboolean relais_boothconf_validate(const RelaisBoothConf *conf, GError **error)
{
	for (guint i = 0; i < G_N_ELEMENTS(keys); i++)
		if (keys[i].required && *field(conf, i) == NULL)
			return FAIL(KEY, "[%s] %s is missing", keys[i].group, keys[i].key);
	if (!check_url(conf->switchboard_url, error) || !check_ca(conf->ca_pem, error))
		return FALSE;
	if (!relais_proto_valid_id(conf->name))
		return FAIL(VALUE, "[booth] name '%s' must be 1-%d characters of A-Z a-z 0-9 . _ : -", conf->name,
			    CONFIG_RELAIS_PROTO_MAX_ID);
	if (!check_text("[booth] site", conf->site, RELAIS_BOOTHCONF_MAX_SITE, error))
		return FALSE;
	if (conf->token && !relais_boothconf_token_valid(conf->token))
		return FAIL(TOKEN,
			    "[booth] enrolment-token must be %d characters of A-Z a-z 0-9 - _ (as the "
			    "switchboard printed it)",
			    RELAIS_BOOTHCONF_TOKEN_CHARS);
	g_autoptr(GError) pin_error = NULL;
	if (!relais_pinhash_valid(conf->pin_hash, &pin_error))
		return FAIL(VALUE, "[booth] technician-pin: %s", pin_error->message);
	if (conf->wifi_psk && conf->wifi_ssid == NULL)
		return FAIL(KEY, "[wifi] psk is set but [wifi] ssid is missing");
	if (conf->wifi_ssid && !check_text("[wifi] ssid", conf->wifi_ssid, RELAIS_BOOTHCONF_MAX_WIFI_SSID, error))
		return FALSE;
	if (conf->wifi_psk && !check_psk(conf->wifi_psk, error))
		return FALSE;
	return TRUE;
}

/* --- reading -------------------------------------------------------------- */

static gboolean known_key(const char *group, const char *key)
{
	for (guint i = 0; i < G_N_ELEMENTS(keys); i++)
		if (g_str_equal(keys[i].group, group) && g_str_equal(keys[i].key, key))
			return TRUE;
	return FALSE;
}

static gboolean our_group(const char *group)
{
	return g_str_equal(group, "switchboard") || g_str_equal(group, "booth") || g_str_equal(group, "wifi");
}

/* A technician may edit the file on a Windows PC, whose Notepad starts it
 * with a byte order mark (its CRLF line ends GKeyFile takes as they are). */
static void skip_bom(const char **data, gsize *len)
{
	if (*len >= 3 && memcmp(*data, "\xef\xbb\xbf", 3) == 0) {
		*data += 3;
		*len -= 3;
	}
}

RelaisBoothConf *relais_boothconf_parse(const char *data, gsize len, GError **error)
{
	if (len > RELAIS_BOOTHCONF_MAX_BYTES) {
		FAIL(UNREADABLE, "%" G_GSIZE_FORMAT " bytes, a settings file is at most %d", len,
		     RELAIS_BOOTHCONF_MAX_BYTES);
		return NULL;
	}
	skip_bom(&data, &len);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) local = NULL;
	if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &local)) {
		FAIL(SYNTAX, "not a settings file: %s", local->message);
		return NULL;
	}
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
	for (char **g = groups; *g; g++) {
		if (!our_group(*g))
			continue;
		g_auto(GStrv) names = g_key_file_get_keys(kf, *g, NULL, NULL);
		for (char **k = names; names && *k; k++)
			if (!known_key(*g, *k)) {
				FAIL(KEY, "[%s] %s is not a known setting", *g, *k);
				return NULL;
			}
	}
	g_autoptr(RelaisBoothConf) conf = relais_boothconf_new();
	for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
		if (!g_key_file_has_key(kf, keys[i].group, keys[i].key, NULL))
			continue;
		g_clear_error(&local);
		char *v = g_key_file_get_string(kf, keys[i].group, keys[i].key, &local);
		if (v == NULL) {
			FAIL(SYNTAX, "[%s] %s: %s", keys[i].group, keys[i].key, local->message);
			return NULL;
		}
		/* an empty optional value means "not set" (a technician blanking a line) */
		if (*v == '\0' && !keys[i].required)
			g_clear_pointer(&v, g_free);
		*field(conf, i) = v;
	}
	if (!relais_boothconf_validate(conf, error))
		return NULL;
	return g_steal_pointer(&conf);
}

static gboolean read_file(const char *path, char **data, gsize *len, GError **error)
{
	g_autoptr(GError) local = NULL;
	if (g_file_get_contents(path, data, len, &local))
		return TRUE;
	if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
		return FAIL(MISSING, "%s: no such file", path);
	return FAIL(UNREADABLE, "%s", local->message);
}

RelaisBoothConf *relais_boothconf_load(const char *path, GError **error)
{
	/* a device file or a folder at that path is not a settings file: do not
	 * read it whole */
	if (g_file_test(path, G_FILE_TEST_EXISTS) && !g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		FAIL(UNREADABLE, "%s is not a regular file", path);
		return NULL;
	}
	g_autofree char *data = NULL;
	gsize len = 0;
	if (!read_file(path, &data, &len, error))
		return NULL;
	RelaisBoothConf *conf = relais_boothconf_parse(data, len, error);
	if (conf == NULL)
		g_prefix_error(error, "%s: ", path);
	return conf;
}

/* --- writing -------------------------------------------------------------- */

char *relais_boothconf_to_data(const RelaisBoothConf *conf, gsize *len, GError **error)
{
	if (!relais_boothconf_validate(conf, error))
		return NULL;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	for (guint i = 0; i < G_N_ELEMENTS(keys); i++)
		if (*field(conf, i))
			g_key_file_set_string(kf, keys[i].group, keys[i].key, *field(conf, i));
	g_key_file_set_comment(kf, NULL, NULL,
			       " Relais booth settings (relaisctl provision). The booth removes\n"
			       " enrolment-token once it has its certificate. Mode 0600: secrets.",
			       NULL);
	return g_key_file_to_data(kf, len, NULL);
}

/* fsync of an open()ed path; errno kept on failure */
static gboolean sync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return FALSE;
	int r = fsync(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return r == 0;
}

/* Write, fsync, rename (GLib), then fsync of the renamed file and of its
 * folder. The file lives on the FAT config partition, where a rename's
 * new directory entry reaches the card only with the renamed file's own
 * inode, which neither GLib's fsync (before the rename) nor a folder's
 * fsync writes: without the second fsync a power cut in the next half
 * minute could leave an empty settings file (board/common/rauc/README.md:
 * check-image found it with the boot-slot state). */
static gboolean write_atomic(const char *path, const char *data, gsize len, GError **error)
{
	g_autoptr(GError) local = NULL;
	if (!g_file_set_contents_full(path, data, len, G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
				      0600, &local))
		return FAIL(WRITE, "%s", local->message);
	if (!sync_path(path, O_RDONLY))
		return FAIL(WRITE, "%s: written, but not synced: %s", path, g_strerror(errno));
	g_autofree char *dir = g_path_get_dirname(path);
	/* a folder that cannot be opened for fsync (some file systems) is
	 * not an error: the file's own fsync carried its entry */
	sync_path(dir, O_RDONLY | O_DIRECTORY);
	return TRUE;
}

gboolean relais_boothconf_save(const RelaisBoothConf *conf, const char *path, GError **error)
{
	gsize len = 0;
	g_autofree char *data = relais_boothconf_to_data(conf, &len, error);
	return data != NULL && write_atomic(path, data, len, error);
}

gboolean relais_boothconf_erase_token(const char *path, GError **error)
{
	g_autofree char *data = NULL;
	gsize len = 0;
	if (!read_file(path, &data, &len, error))
		return FALSE;
	const char *text = data;
	gsize text_len = len;
	skip_bom(&text, &text_len);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) local = NULL;
	if (!g_key_file_load_from_data(kf, text, text_len, G_KEY_FILE_KEEP_COMMENTS, &local))
		return FAIL(SYNTAX, "%s: not a settings file: %s", path, local->message);
	if (!g_key_file_has_key(kf, "booth", "enrolment-token", NULL))
		return TRUE;
	g_key_file_remove_key(kf, "booth", "enrolment-token", NULL);
	gsize out_len = 0;
	g_autofree char *out = g_key_file_to_data(kf, &out_len, NULL);
	gboolean ok = write_atomic(path, out, out_len, error);
	memset(data, 0, len);
	return ok;
}
