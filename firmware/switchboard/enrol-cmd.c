/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-enrol"

#include "enrol-cmd.h"
#include "enrol.h"

#include <stdio.h>
#include <string.h>

#define PROG "relais-switchboard"

static const char usage[] = "usage: " PROG " --data DIR ca init\n"
			    "       " PROG " --data DIR booth add NAME --site SITE [--ttl-hours H]\n"
			    "       " PROG " --data DIR booth revoke NAME\n"
			    "       " PROG " --data DIR booth certs NAME\n";

static int bad_usage(const char *why)
{
	fprintf(stderr, PROG ": %s\n%s", why, usage);
	return 2;
}

static char *utc_text(gint64 t)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t);
	return dt ? g_date_time_format(dt, "%Y-%m-%d %H:%M:%S UTC") : g_strdup("?");
}

static int booth_add(SbStore *store, SbEnrol *enrol, int argc, char **argv)
{
	g_autofree char *site = NULL;
	int ttl_hours = 0;
	gboolean create_site = FALSE;
	GOptionEntry entries[] = {{"site", 's', 0, G_OPTION_ARG_STRING, &site, "The booth's site (by name)", "SITE"},
				  {"create-site", 0, 0, G_OPTION_ARG_NONE, &create_site,
				   "Make the site if there is none by that name (default: refuse, a typo "
				   "would make a new site)",
				   NULL},
				  {"ttl-hours", 0, 0, G_OPTION_ARG_INT, &ttl_hours,
				   "How long the token stays usable (default: the Kconfig 24 h)", "H"},
				  {NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("NAME - register a booth and print its enrolment token");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_help_enabled(ctx, FALSE);
	g_autoptr(GError) error = NULL;
	/* as main.c's commands: GOption leaves the positional words in argv */
	if (!g_option_context_parse(ctx, &argc, &argv, &error))
		return bad_usage(error->message);
	if (argc != 2)
		return bad_usage("booth add takes one NAME");
	if (site == NULL)
		return bad_usage("booth add needs --site SITE");
	if (ttl_hours < 0 || ttl_hours > 720)
		return bad_usage("--ttl-hours is 1 to 720");
	gboolean created = FALSE;
	if (create_site && sb_store_site_ensure(store, site, &created, &error) == 0) {
		fprintf(stderr, PROG ": booth add: site '%s': %s\n", site, error->message);
		return 1;
	}
	if (created)
		fprintf(stderr, PROG ": created site '%s'\n", site);
	gint64 expires = 0;
	g_autofree char *token = sb_enrol_booth_add(enrol, argv[1], site, (guint)ttl_hours * 3600, &expires, &error);
	if (token == NULL) {
		fprintf(stderr, PROG ": booth add: %s\n", error->message);
		return 1;
	}
	g_autofree char *until = utc_text(expires);
	fprintf(stderr,
		PROG ": booth '%s' at '%s': its one-time enrolment token (shown once, valid until %s) "
		     "goes into the booth's settings file:\n",
		argv[1], site, until);
	printf("%s\n", token);
	fflush(stdout);
	return 0;
}

static int booth_certs(SbStore *store, const char *booth_id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) certs = sb_store_cert_list(store, booth_id, &error);
	if (certs == NULL) {
		fprintf(stderr, PROG ": booth certs: %s\n", error->message);
		return 1;
	}
	for (guint i = 0; i < certs->len; i++) {
		SbBoothCert *c = certs->pdata[i];
		g_autofree char *from = utc_text(c->not_before);
		g_autofree char *to = utc_text(c->not_after);
		g_autofree char *revoked = c->revoked_at ? utc_text(c->revoked_at) : NULL;
		printf("%s  %s .. %s%s%s\n", c->serial, from, to, revoked ? "  revoked " : "", revoked ? revoked : "");
	}
	fflush(stdout);
	return 0;
}

int sb_enrol_command(const char *data_dir, const char *store_at, int argc, char **argv)
{
	if (data_dir == NULL || *data_dir == '\0')
		return bad_usage("--data DIR is required");
	g_autoptr(GError) error = NULL;
	if (argc >= 1 && strcmp(argv[0], "ca") == 0) {
		if (argc != 2 || strcmp(argv[1], "init") != 0)
			return bad_usage("the ca command is 'ca init'");
		if (!sb_booth_ca_init(data_dir, &error)) {
			fprintf(stderr, PROG ": ca init: %s\n", error->message);
			return 1;
		}
		fprintf(stderr, PROG ": made the booth CA in %s (%s is its key: back it up, keep it private)\n",
			data_dir, SB_BOOTH_CA_KEY_FILE);
		return 0;
	}
	if (argc < 3 || strcmp(argv[0], "booth") != 0)
		return bad_usage("expected 'booth add|revoke|certs NAME'");
	const char *cmd = argv[1];
	if (strcmp(cmd, "add") != 0 && strcmp(cmd, "revoke") != 0 && strcmp(cmd, "certs") != 0)
		return bad_usage("expected 'booth add|revoke|certs NAME'");
	if (strcmp(cmd, "add") != 0 && argc != 3)
		return bad_usage("booth revoke and booth certs take one NAME");
	g_autoptr(SbStore) store = sb_store_open(store_at ? store_at : data_dir, &error);
	if (store == NULL) {
		fprintf(stderr, PROG ": %s\n", error->message);
		return 1;
	}
	if (strcmp(cmd, "certs") == 0)
		return booth_certs(store, argv[2]);
	/* the CA is made here on first use too: a token is worthless without it */
	g_autoptr(SbBoothCa) ca = sb_booth_ca_open(data_dir, TRUE, &error);
	if (ca == NULL) {
		fprintf(stderr, PROG ": %s\n", error->message);
		return 1;
	}
	g_autoptr(SbEnrol) enrol = sb_enrol_new(store, ca);
	if (strcmp(cmd, "add") == 0)
		return booth_add(store, enrol, argc - 1, argv + 1);
	guint revoked = 0;
	if (!sb_enrol_booth_revoke(enrol, argv[2], &revoked, &error)) {
		fprintf(stderr, PROG ": booth revoke: %s\n", error->message);
		return 1;
	}
	fprintf(stderr, PROG ": booth '%s' revoked (%u certificate%s); it needs a new token to enrol again\n", argv[2],
		revoked, revoked == 1 ? "" : "s");
	return 0;
}
