/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * boothconf: the booth's settings file, written by `relaisctl provision` onto
 * the boot partition and read by relais-booth at start. A GKeyFile:
 *
 *     [switchboard]
 *     url=wss://switchboard.example.org/ws/booth
 *     ca=-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n
 *     [booth]
 *     name=mediatheque-1
 *     site=Médiathèque
 *     enrolment-token=<43 characters of base64url>
 *     technician-pin=pbkdf2-sha256$600000$<salt>$<hash>
 *     [wifi]
 *     ssid=Library
 *     psk=...
 *
 * The CA certificate(s) are inline (PEM, GKeyFile's \n escapes) rather than
 * in a file beside it: one file is written, copied onto a FAT partition and
 * replaced atomically, and cannot lose its other half. [wifi] and the token
 * are optional (the booth erases the token once it has enrolled); an unknown
 * key in these three groups is refused (a typo must not silently drop a
 * setting), other groups are left for later features.
 *
 * Nothing here checks the certificate's dates: a Raspberry Pi has no
 * real-time clock, and a booth must be able to read its settings before its
 * clock is right.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAIS_BOOTHCONF_ERROR (relais_boothconf_error_quark())
GQuark relais_boothconf_error_quark(void);

typedef enum {
	RELAIS_BOOTHCONF_ERROR_MISSING,	   /* no settings file */
	RELAIS_BOOTHCONF_ERROR_UNREADABLE, /* exists but cannot be read (permissions, a folder, too big) */
	RELAIS_BOOTHCONF_ERROR_SYNTAX,	   /* not a key file, or not UTF-8 */
	RELAIS_BOOTHCONF_ERROR_KEY,	   /* a required key is missing, or an unknown one is present */
	RELAIS_BOOTHCONF_ERROR_URL,	   /* not a ws://, wss:// or https:// URL with a host */
	RELAIS_BOOTHCONF_ERROR_CA,	   /* not PEM X.509 certificates */
	RELAIS_BOOTHCONF_ERROR_TOKEN,	   /* enrolment token of the wrong shape */
	RELAIS_BOOTHCONF_ERROR_VALUE,	   /* another value is invalid (name, site, PIN hash, Wi-Fi) */
	RELAIS_BOOTHCONF_ERROR_WRITE,	   /* writing the file failed */
} RelaisBoothconfError;

/* The default place of the file on the boot partition (FAT), relative to
 * its root; on a running booth the boot partition is mounted at
 * /boot/firmware (Raspberry Pi OS and Debian), hence
 * RELAIS_BOOTHCONF_DEFAULT_PATH. */
#define RELAIS_BOOTHCONF_BOOT_PATH    "relais/booth.conf"
#define RELAIS_BOOTHCONF_DEFAULT_PATH "/boot/firmware/" RELAIS_BOOTHCONF_BOOT_PATH

/* An enrolment token: 32 random bytes in base64url without padding, as the
 * switchboard makes its other tokens. */
#define RELAIS_BOOTHCONF_TOKEN_CHARS 43
/* Caps: a settings file is a few kilobytes; a bigger one is not ours. */
#define RELAIS_BOOTHCONF_MAX_BYTES     (64 * 1024)
#define RELAIS_BOOTHCONF_MAX_SITE      200
#define RELAIS_BOOTHCONF_MAX_URL       2048
#define RELAIS_BOOTHCONF_MAX_WIFI_SSID 32

/* The settings as plain data: relaisctl fills one in, the booth reads one.
 * All strings are owned (g_free); the nullable ones may be absent. */
typedef struct {
	char *switchboard_url; /* ws://, wss:// or https:// */
	char *ca_pem;	       /* one or more PEM certificates */
	char *name;	       /* the booth id (protocol id: A-Z a-z 0-9 . _ : -) */
	char *site;	       /* the site's name, UTF-8 text */
	char *token;	       /* (nullable) the one-time enrolment token */
	char *pin_hash;	       /* pinhash.h format */
	char *wifi_ssid;       /* (nullable) */
	char *wifi_psk;	       /* (nullable) 8-63 printable ASCII, or 64 hex digits; needs wifi_ssid */
} RelaisBoothConf;

RelaisBoothConf *relais_boothconf_new(void);
void relais_boothconf_free(RelaisBoothConf *conf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisBoothConf, relais_boothconf_free)

/* Checks every value; the first problem is the error, naming the key. */
G_GNUC_WARN_UNUSED_RESULT
gboolean relais_boothconf_validate(const RelaisBoothConf *conf, GError **error);

/* Parses and validates a settings file's contents. Returns: (transfer full)
 * or NULL. */
G_GNUC_WARN_UNUSED_RESULT
RelaisBoothConf *relais_boothconf_parse(const char *data, gsize len, GError **error);

/* Reads and validates the file at `path` (MISSING, UNREADABLE, then what
 * relais_boothconf_parse() says), the message starting with the path.
 * Returns: (transfer full) or NULL. */
G_GNUC_WARN_UNUSED_RESULT
RelaisBoothConf *relais_boothconf_load(const char *path, GError **error);

/* The file's contents for a valid `conf` (validated first). Returns:
 * (transfer full) or NULL. */
G_GNUC_WARN_UNUSED_RESULT
char *relais_boothconf_to_data(const RelaisBoothConf *conf, gsize *len, GError **error);

/* Writes a valid `conf` to `path` atomically (a temp file beside it, synced,
 * then renamed over it), mode 0600: it holds a secret. */
G_GNUC_WARN_UNUSED_RESULT
gboolean relais_boothconf_save(const RelaisBoothConf *conf, const char *path, GError **error);

/* Removes the enrolment token from the file at `path`, keeping everything
 * else (comments included), atomically and 0600. Nothing to do (TRUE) when
 * the file has no token. The booth calls it once it has its certificate. */
G_GNUC_WARN_UNUSED_RESULT
gboolean relais_boothconf_erase_token(const char *path, GError **error);

/* TRUE if `token` has the shape of an enrolment token. */
gboolean relais_boothconf_token_valid(const char *token);

G_END_DECLS
