/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-switchboard"

#include "admin.h"
#include "calendar.h"
#include "auth.h"
#include "boothca.h"
#include "cert.h"
#include "client.h"
#include "enrol-cmd.h"
#include "enrol.h"
#include "server.h"
#include "store.h"
#include "relais-config.h"

#include "mainloop.h"
#include "sdnotify.h"
#include "secretline.h"
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define PROG "relais-switchboard"

/* --- relais-switchboard --data DIR user add|passwd|del|list ------------------ */

static const char user_usage[] =
	"usage: " PROG " --data DIR user add LOGIN --role adviser|admin|staff [--name NAME] [--site SITE]\n"
	"                 [--languages fr,en] [--topics job-search,training] [--generate]\n"
	"       " PROG " --data DIR user passwd LOGIN\n"
	"       " PROG " --data DIR user del LOGIN\n"
	"       " PROG " --data DIR user list\n"
	"The password is read from standard input (one line); --generate makes a\n"
	"one-time trial password instead and prints it once.\n";

/* One line from stdin, without its line end; no echo on a terminal. */
/* The hash of a password read from stdin, after the policy check. */
static char *password_hash_from_stdin(const char *login, GError **error)
{
	g_autofree char *prompt = g_strdup_printf("Password for %s: ", login);
	g_autofree char *password = relais_read_secret_line(stdin, prompt, SB_AUTH_PASSWORD_MAX_BYTES);
	if (password == NULL) {
		g_set_error(error, SB_AUTH_ERROR, SB_AUTH_ERROR_POLICY,
			    "no password on standard input (one line; or --generate)");
		return NULL;
	}
	char *hash = NULL;
	if (sb_auth_check_password_policy(password, login, 0, error))
		hash = sb_auth_hash_password(password, error);
	memset(password, 0, strlen(password));
	return hash;
}

static gint64 site_find_or_create(SbStore *store, const char *name, GError **error)
{
	gboolean created = FALSE;
	gint64 id = sb_store_site_ensure(store, name, &created, error);
	if (created)
		fprintf(stderr, PROG ": created site '%s'\n", name);
	return id;
}

static int user_add(SbStore *store, int argc, char **argv)
{
	g_autofree char *role_s = NULL, *name = NULL, *site = NULL, *languages = NULL, *topics = NULL;
	gboolean generate = FALSE;
	GOptionEntry entries[] = {
		{"role", 0, 0, G_OPTION_ARG_STRING, &role_s, "adviser, admin or staff", "ROLE"},
		{"name", 0, 0, G_OPTION_ARG_STRING, &name, "Display name (shown to visitors)", "NAME"},
		{"site", 0, 0, G_OPTION_ARG_STRING, &site, "Staff: their site (created if new)", "SITE"},
		{"languages", 0, 0, G_OPTION_ARG_STRING, &languages, "Languages spoken, comma-separated", "LIST"},
		{"topics", 0, 0, G_OPTION_ARG_STRING, &topics, "Topics handled, comma-separated", "LIST"},
		{"generate", 0, 0, G_OPTION_ARG_NONE, &generate, "Make a one-time trial password and print it", NULL},
		{NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("LOGIN - add an account");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, PROG ": user add: %s\n%s", error->message, user_usage);
		return 2;
	}
	if (argc != 2) {
		fprintf(stderr, PROG ": user add: one LOGIN expected\n%s", user_usage);
		return 2;
	}
	SbRole role;
	if (role_s == NULL || !sb_role_from_string(role_s, &role)) {
		fprintf(stderr, PROG ": user add: --role adviser, admin or staff is required\n");
		return 2;
	}
	if ((role == SB_ROLE_STAFF) != (site != NULL)) {
		fprintf(stderr, PROG ": user add: %s\n",
			role == SB_ROLE_STAFF ? "a staff account needs --site SITE" : "--site is for staff accounts");
		return 2;
	}
	const char *login = argv[1];
	g_autofree char *trial = NULL;
	g_autofree char *hash = NULL;
	if (generate) {
		trial = sb_auth_trial_password(&error);
		if (trial)
			hash = sb_auth_hash_password(trial, &error);
	} else {
		hash = password_hash_from_stdin(login, &error);
	}
	if (hash == NULL) {
		fprintf(stderr, PROG ": user add %s: password refused: %s\n", login, error->message);
		return 1;
	}
	g_auto(GStrv) langs = g_strsplit(languages ? languages : "", ",", -1);
	g_auto(GStrv) tops = g_strsplit(topics ? topics : "", ",", -1);
	SbUser user = {
		.login = (char *)login,
		.display_name = name ? name : (char *)login,
		.role = role,
		.languages = languages && *languages ? langs : NULL,
		.topics = topics && *topics ? tops : NULL,
		.password_hash = hash,
	};
	if (site && (user.site_id = site_find_or_create(store, site, &error)) == 0) {
		fprintf(stderr, PROG ": user add %s: site '%s': %s\n", login, site, error->message);
		return 1;
	}
	if (sb_store_user_add(store, &user, &error) == 0) {
		fprintf(stderr, PROG ": user add %s: %s\n", login, error->message);
		return 1;
	}
	fprintf(stderr, PROG ": added %s '%s'\n", role_s, login);
	if (trial) {
		/* the only time it exists in clear: scripts read this line */
		printf("%s\n", trial);
		fflush(stdout);
	}
	return 0;
}

static int user_list(SbStore *store)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) users = sb_store_user_list(store, &error);
	if (users == NULL) {
		fprintf(stderr, PROG ": user list: %s\n", error->message);
		return 1;
	}
	printf("LOGIN\tROLE\tNAME\tSITE\tDISABLED\n");
	for (guint i = 0; i < users->len; i++) {
		SbUser *u = users->pdata[i];
		g_autoptr(SbSite) site = u->site_id ? sb_store_site_get(store, u->site_id, NULL) : NULL;
		printf("%s\t%s\t%s\t%s\t%s\n", u->login, sb_role_to_string(u->role), u->display_name,
		       site ? site->name : "", u->disabled ? "yes" : "no");
	}
	return 0;
}

static int user_command(const char *data, int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "%s", user_usage);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "add") != 0 && strcmp(cmd, "passwd") != 0 && strcmp(cmd, "del") != 0 &&
	    strcmp(cmd, "list") != 0) {
		fprintf(stderr, PROG ": user: unknown command '%s'\n%s", cmd, user_usage);
		return 2;
	}
	if (strcmp(cmd, "list") == 0 ? argc != 2 : strcmp(cmd, "add") != 0 && argc != 3) {
		fprintf(stderr, "%s", user_usage);
		return 2;
	}
	g_autoptr(GError) error = NULL;
	g_autoptr(SbStore) store = sb_store_open(data, &error);
	if (store == NULL) {
		fprintf(stderr, PROG ": %s\n", error->message);
		return 1;
	}
	if (strcmp(cmd, "add") == 0)
		return user_add(store, argc - 1, argv + 1);
	if (strcmp(cmd, "list") == 0)
		return user_list(store);
	const char *login = argv[2];
	if (strcmp(cmd, "passwd") == 0) {
		g_autofree char *hash = password_hash_from_stdin(login, &error);
		if (hash == NULL) {
			fprintf(stderr, PROG ": user passwd %s: password refused: %s\n", login, error->message);
			return 1;
		}
		if (!sb_store_user_set_password(store, login, hash, &error)) {
			fprintf(stderr, PROG ": user passwd %s: %s\n", login, error->message);
			return 1;
		}
		fprintf(stderr, PROG ": new password for '%s' (its sessions are ended)\n", login);
		return 0;
	}
	if (!sb_store_user_del(store, login, &error)) {
		fprintf(stderr, PROG ": user del %s: %s\n", login, error->message);
		return 1;
	}
	fprintf(stderr, PROG ": deleted '%s'\n", login);
	return 0;
}

/* --- relais-switchboard --data DIR hours|closure ... -------------------------- */

static const char hours_usage[] =
	"usage: " PROG " --data DIR hours set SITE SLOTS   (SLOTS: mon-am,tue-pm,...; \"\" or none: closed)\n"
	"       " PROG " --data DIR hours list SITE\n"
	"       " PROG " --data DIR closure add SITE FROM TO [REASON]   (dates YYYY-MM-DD, inclusive)\n"
	"       " PROG " --data DIR closure list SITE\n"
	"Half-days: am 09:00-12:30, pm 13:30-17:00 (the site's local time).\n";

static const char *const weekday_ids[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* The usual half-days of a site without finer hours. */
#define HOURS_AM_START (9 * 60)
#define HOURS_AM_END   (12 * 60 + 30)
#define HOURS_PM_START (13 * 60 + 30)
#define HOURS_PM_END   (17 * 60)

/* "mon-am" → a slot of capacity 1; FALSE for anything else. */
static gboolean slot_parse(const char *text, SbSlot *slot)
{
	g_auto(GStrv) parts = g_strsplit(text, "-", -1);
	if (g_strv_length(parts) != 2)
		return FALSE;
	g_strstrip(parts[0]);
	g_strstrip(parts[1]);
	for (guint d = 0; d < G_N_ELEMENTS(weekday_ids); d++) {
		if (g_ascii_strcasecmp(parts[0], weekday_ids[d]) != 0)
			continue;
		gboolean am = g_ascii_strcasecmp(parts[1], "am") == 0;
		if (!am && g_ascii_strcasecmp(parts[1], "pm") != 0)
			return FALSE;
		*slot = (SbSlot){
			.weekday = d,
			.half = am ? SB_HALF_AM : SB_HALF_PM,
			.start_min = am ? HOURS_AM_START : HOURS_PM_START,
			.end_min = am ? HOURS_AM_END : HOURS_PM_END,
			.capacity = 1,
		};
		return TRUE;
	}
	return FALSE;
}

static SbSite *site_lookup(SbStore *store, const char *cmd, const char *name)
{
	g_autoptr(GError) error = NULL;
	SbSite *site = sb_store_site_get_by_name(store, name, &error);
	if (site == NULL)
		fprintf(stderr, PROG ": %s: site '%s': %s\n", cmd, name,
			g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND)
				? "no such site (sites come with `user add --site` or `hours set`)"
				: error->message);
	return site;
}

static int hours_set(SbStore *store, const char *name, const char *list)
{
	g_autoptr(GArray) slots = g_array_new(FALSE, TRUE, sizeof(SbSlot));
	g_auto(GStrv) items = g_strsplit(list, ",", -1);
	for (char **it = items; *it; it++) {
		if (*g_strstrip(*it) == '\0' || g_ascii_strcasecmp(*it, "none") == 0)
			continue;
		SbSlot slot;
		if (!slot_parse(*it, &slot)) {
			fprintf(stderr, PROG ": hours set: unknown slot '%s' (mon..sun, then -am or -pm)\n%s", *it,
				hours_usage);
			return 2;
		}
		g_array_append_val(slots, slot);
	}
	g_autoptr(GError) error = NULL;
	gint64 site_id = site_find_or_create(store, name, &error);
	if (site_id == 0) {
		fprintf(stderr, PROG ": hours set: site '%s': %s\n", name, error->message);
		return 1;
	}
	if (!sb_store_slots_set(store, site_id, (SbSlot *)slots->data, slots->len, &error)) {
		fprintf(stderr, PROG ": hours set %s: %s\n", name, error->message);
		return 1;
	}
	fprintf(stderr, PROG ": site '%s': %u half-days a week\n", name, slots->len);
	return 0;
}

static int hours_list(SbStore *store, const char *name)
{
	g_autoptr(SbSite) site = site_lookup(store, "hours list", name);
	if (site == NULL)
		return 1;
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) slots = sb_store_slots_list(store, site->id, &error);
	if (slots == NULL) {
		fprintf(stderr, PROG ": hours list %s: %s\n", name, error->message);
		return 1;
	}
	printf("SLOT\tFROM\tTO\tCAPACITY\n");
	for (guint i = 0; i < slots->len; i++) {
		const SbSlot *s = &g_array_index(slots, SbSlot, i);
		printf("%s-%s\t%02u:%02u\t%02u:%02u\t%u\n", weekday_ids[s->weekday % 7],
		       s->half == SB_HALF_AM ? "am" : "pm", s->start_min / 60, s->start_min % 60, s->end_min / 60,
		       s->end_min % 60, s->capacity);
	}
	return 0;
}

static int closure_add(SbStore *store, const char *name, const char *from, const char *to, const char *reason)
{
	g_autoptr(SbSite) site = site_lookup(store, "closure add", name);
	if (site == NULL)
		return 1;
	g_autoptr(GError) error = NULL;
	if (sb_store_closure_add(store, site->id, from, to, reason, &error) == 0) {
		fprintf(stderr, PROG ": closure add %s: %s\n", name, error->message);
		return 1;
	}
	fprintf(stderr, PROG ": site '%s' closed from %s to %s\n", name, from, to);
	return 0;
}

static int closure_list(SbStore *store, const char *name)
{
	g_autoptr(SbSite) site = site_lookup(store, "closure list", name);
	if (site == NULL)
		return 1;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) closures = sb_store_closure_list(store, site->id, &error);
	if (closures == NULL) {
		fprintf(stderr, PROG ": closure list %s: %s\n", name, error->message);
		return 1;
	}
	printf("FROM\tTO\tREASON\n");
	for (guint i = 0; i < closures->len; i++) {
		const SbClosure *c = closures->pdata[i];
		printf("%s\t%s\t%s\n", c->date_from, c->date_to, c->reason ? c->reason : "");
	}
	return 0;
}

/* argv[0] is "hours" or "closure". */
static int hours_command(const char *data, int argc, char **argv)
{
	gboolean hours = strcmp(argv[0], "hours") == 0;
	const char *cmd = argc >= 2 ? argv[1] : "";
	gboolean ok = hours ? (strcmp(cmd, "set") == 0 && argc == 4) || (strcmp(cmd, "list") == 0 && argc == 3)
			    : (strcmp(cmd, "add") == 0 && (argc == 5 || argc == 6)) ||
				      (strcmp(cmd, "list") == 0 && argc == 3);
	if (!ok) {
		fprintf(stderr, "%s", hours_usage);
		return 2;
	}
	g_autoptr(GError) error = NULL;
	g_autoptr(SbStore) store = sb_store_open(data, &error);
	if (store == NULL) {
		fprintf(stderr, PROG ": %s\n", error->message);
		return 1;
	}
	if (hours)
		return strcmp(cmd, "set") == 0 ? hours_set(store, argv[2], argv[3]) : hours_list(store, argv[2]);
	return strcmp(cmd, "add") == 0 ? closure_add(store, argv[2], argv[3], argv[4], argc == 6 ? argv[5] : NULL)
				       : closure_list(store, argv[2]);
}

/* --- relais-switchboard --data DIR booking add|list|cancel ------------------------ */

static const char booking_usage[] =
	"usage: " PROG " --data DIR booking add SITE YYYY-MM-DDTHH:MM DURATION_MIN [--language L] [--topic T]\n"
	"       " PROG " --data DIR booking list [SITE] [--day YYYY-MM-DD]\n"
	"       " PROG " --data DIR booking cancel CODE\n"
	"Times are the site's local time; add prints the booking's code. A booking\n"
	"holds no visitor's name: give the code to the visitor, who types it at the booth.\n";

static int booking_add(SbStore *store, int argc, char **argv)
{
	g_autofree char *language = NULL, *topic = NULL;
	GOptionEntry entries[] = {{"language", 0, 0, G_OPTION_ARG_STRING, &language, "The visitor's language", "LANG"},
				  {"topic", 0, 0, G_OPTION_ARG_STRING, &topic, "The topic id", "TOPIC"},
				  {NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("SITE YYYY-MM-DDTHH:MM DURATION_MIN - book a visit");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, PROG ": booking add: %s\n%s", error->message, booking_usage);
		return 2;
	}
	if (argc != 4) {
		fprintf(stderr, "%s", booking_usage);
		return 2;
	}
	const char *when = argv[2];
	GDate day;
	guint minute = 0;
	g_autofree char *date = g_strndup(when, 10);
	if (strlen(when) != 16 || when[10] != 'T' || !sb_store_parse_date(date, &day) ||
	    !sb_admin_parse_time(when + 11, &minute) || minute >= 24 * 60) {
		fprintf(stderr, PROG ": booking add: '%s' is not a local time YYYY-MM-DDTHH:MM\n", when);
		return 2;
	}
	char *end = NULL;
	guint64 duration = g_ascii_strtoull(argv[3], &end, 10);
	if (end == argv[3] || *end != '\0' || duration < 1 || duration > 240) {
		fprintf(stderr, PROG ": booking add: DURATION_MIN is 1 to 240 minutes, not '%s'\n", argv[3]);
		return 2;
	}
	g_autoptr(SbSite) site = site_lookup(store, "booking add", argv[1]);
	if (site == NULL)
		return 1;
	g_autoptr(GTimeZone) tz = sb_calendar_zone(site->timezone);
	gint64 start_s = sb_calendar_local_time(tz, &day, minute);
	if (start_s == 0) {
		fprintf(stderr, PROG ": booking add: '%s' does not exist in %s\n", when, site->timezone);
		return 1;
	}
	g_autoptr(SbBooking) b = sb_store_booking_create(store, site->id, start_s, start_s + (gint64)duration * 60,
							 language, topic, &error);
	if (b == NULL) {
		const char *why = g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_CLOSED)
					  ? "the site is not open then (opening hours, or a closure)"
				  : g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_FULL)
					  ? "every adviser on duty then is booked already"
					  : error->message;
		fprintf(stderr, PROG ": booking add: %s\n", why);
		return 1;
	}
	fprintf(stderr, PROG ": booked '%s' on %s for %u min; the code is:\n", site->name, when, (guint)duration);
	/* scripts read this line */
	printf("%s\n", b->code);
	fflush(stdout);
	return 0;
}

static int booking_list(SbStore *store, int argc, char **argv)
{
	g_autofree char *day_s = NULL;
	GOptionEntry entries[] = {
		{"day", 0, 0, G_OPTION_ARG_STRING, &day_s, "The day (default: each site's today)", "YYYY-MM-DD"},
		{NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("[SITE] - list a day's bookings");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, PROG ": booking list: %s\n%s", error->message, booking_usage);
		return 2;
	}
	if (argc > 2) {
		fprintf(stderr, "%s", booking_usage);
		return 2;
	}
	GDate day;
	if (day_s && !sb_store_parse_date(day_s, &day)) {
		fprintf(stderr, PROG ": booking list: --day '%s' is not a date YYYY-MM-DD\n", day_s);
		return 2;
	}
	g_autoptr(SbSite) site = argc == 2 ? site_lookup(store, "booking list", argv[1]) : NULL;
	if (argc == 2 && site == NULL)
		return 1;
	g_autoptr(GPtrArray) rows = sb_admin_day_bookings(store, site ? site->id : 0, day_s ? &day : NULL,
							  g_get_real_time() / G_USEC_PER_SEC, &error);
	if (rows == NULL) {
		fprintf(stderr, PROG ": booking list: %s\n", error->message);
		return 1;
	}
	printf("CODE\tSITE\tDAY\tFROM\tTO\tLANGUAGE\tTOPIC\tSTATE\tCALL\n");
	for (guint i = 0; i < rows->len; i++) {
		const SbDayBooking *r = rows->pdata[i];
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r->booking->code, r->site, r->date, r->time, r->end_time,
		       r->booking->language, r->booking->topic, sb_booking_state_to_string(r->booking->state),
		       r->booking->used_at ? "yes" : "no");
	}
	return 0;
}

static int booking_cancel(SbStore *store, const char *code)
{
	g_autoptr(GError) error = NULL;
	if (!sb_store_booking_cancel(store, code, &error)) {
		fprintf(stderr, PROG ": booking cancel %s: %s\n", code, error->message);
		return 1;
	}
	fprintf(stderr, PROG ": booking %s cancelled\n", code);
	return 0;
}

/* argv[0] is "booking". */
static int booking_command(const char *data, int argc, char **argv)
{
	const char *cmd = argc >= 2 ? argv[1] : "";
	if (strcmp(cmd, "add") != 0 && strcmp(cmd, "list") != 0 && !(strcmp(cmd, "cancel") == 0 && argc == 3)) {
		fprintf(stderr, "%s", booking_usage);
		return 2;
	}
	g_autoptr(GError) error = NULL;
	g_autoptr(SbStore) store = sb_store_open(data, &error);
	if (store == NULL) {
		fprintf(stderr, PROG ": %s\n", error->message);
		return 1;
	}
	if (strcmp(cmd, "add") == 0)
		return booking_add(store, argc - 1, argv + 1);
	if (strcmp(cmd, "list") == 0)
		return booking_list(store, argc - 1, argv + 1);
	return booking_cancel(store, argv[2]);
}

/* RELAIS_SB_TEST_CLOCK_OFFSET_S: FOR TESTS ONLY. Shifts the store's clock
 * (bookings, no-shows, sign-ins, opening hours) by that many seconds, so
 * that an end-to-end test can make a booking now and see it expire without
 * waiting for it. Read once here; loudly logged; never set it in service. */
static gint64 test_clock_offset_s;

static gint64 offset_clock(gpointer user_data)
{
	return g_get_real_time() / G_USEC_PER_SEC + test_clock_offset_s;
}

static gboolean set_test_clock(SbStore *store)
{
	const char *env = g_getenv("RELAIS_SB_TEST_CLOCK_OFFSET_S");
	if (env == NULL || *env == '\0')
		return TRUE;
	char *end = NULL;
	gint64 v = g_ascii_strtoll(env, &end, 10);
	if (end == env || *end != '\0' || v < -366 * 86400LL || v > 366 * 86400LL) {
		fprintf(stderr, PROG ": RELAIS_SB_TEST_CLOCK_OFFSET_S must be seconds within a year\n");
		return FALSE;
	}
	test_clock_offset_s = v;
	sb_store_set_clock(store, offset_clock, NULL);
	g_warning("TEST ONLY: RELAIS_SB_TEST_CLOCK_OFFSET_S=%" G_GINT64_FORMAT
		  ": the store's clock runs %" G_GINT64_FORMAT " s off the real time",
		  v, v);
	return TRUE;
}

/* The booth listener's certificate: the switchboard's own (--tls-cert), or
 * else one it makes once for itself in DIR/booth-listener (loopback only:
 * without --tls-cert nothing else may be bound), which booths are
 * provisioned to trust. */
#define BOOTH_LISTENER_DIR  "booth-listener"
#define BOOTH_LISTENER_DAYS 3650
static GTlsCertificate *booth_listener_cert(const char *data, GTlsCertificate *tls, char **ca_file, GError **error)
{
	if (tls)
		return g_object_ref(tls);
	g_autofree char *dir = g_build_filename(data, BOOTH_LISTENER_DIR, NULL);
	g_autofree char *crt = g_build_filename(dir, SB_CERT_FILE, NULL);
	g_autofree char *key = g_build_filename(dir, SB_KEY_FILE, NULL);
	if (!g_file_test(crt, G_FILE_TEST_EXISTS) &&
	    !sb_cert_make_self_signed(dir, SB_CERT_DEFAULT_NAME, BOOTH_LISTENER_DAYS, FALSE, error))
		return NULL;
	*ca_file = g_strdup(crt);
	return sb_cert_load_pair(crt, key, error);
}

/* FOR TESTS ONLY, so that a test sees a timeout without waiting the
 * Kconfig's seconds: milliseconds from environment variable `name`
 * (100..120000; 0: unset). RELAIS_SB_DIAG_TIMEOUT_MS: how long an
 * administrator's diagnostic request waits for the booth;
 * RELAIS_SB_HELLO_TIMEOUT_MS: how long a WebSocket may stay without hello. */
static gboolean test_ms_from_env(const char *name, const char *what, guint *ms)
{
	const char *env = g_getenv(name);
	*ms = 0;
	if (env == NULL || *env == '\0')
		return TRUE;
	char *end = NULL;
	gint64 v = g_ascii_strtoll(env, &end, 10);
	if (end == env || *end != '\0' || v < 100 || v > 120000) {
		fprintf(stderr, PROG ": %s must be 100..120000 milliseconds\n", name);
		return FALSE;
	}
	*ms = (guint)v;
	g_warning("TEST ONLY: %s=%u: %s %u ms", name, *ms, what, *ms);
	return TRUE;
}

/* Every booth and console holds a descriptor: the soft limit a shell or a
 * container gives (often 1024) would refuse the thousandth booth while the
 * hard limit allows far more. systemd's unit sets LimitNOFILE itself. */
static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rlim_t was = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		g_message("open files: soft limit raised from %lu to the hard limit, %lu", (unsigned long)was,
			  (unsigned long)rl.rlim_max);
	else
		g_warning("open files: the soft limit stays %lu (hard %lu): %s", (unsigned long)was,
			  (unsigned long)rl.rlim_max, g_strerror(errno));
}

/* --- relais-switchboard --data DIR store copy --to postgresql://... ---------- */

static const char store_usage[] = "usage: " PROG " --data DIR store copy --to postgresql://...\n"
				  "  copies DIR/relais.db into an empty PostgreSQL store (migrated first), ids kept;\n"
				  "  run it with the switchboard stopped (CLUSTER.md)\n";

static int store_command(const char *data, const char *store_at, int argc, char **argv)
{
	if (argc != 4 || strcmp(argv[1], "copy") != 0 || strcmp(argv[2], "--to") != 0) {
		fprintf(stderr, "%s", store_usage);
		return 2;
	}
	if (store_at != NULL) {
		fprintf(stderr, PROG ": store copy: the source is --data DIR's relais.db, not --store\n%s",
			store_usage);
		return 2;
	}
	const char *to_at = argv[3];
	if (!g_str_has_prefix(to_at, "postgresql://") && !g_str_has_prefix(to_at, "postgres://")) {
		fprintf(stderr, PROG ": store copy: --to takes a postgresql:// URI\n%s", store_usage);
		return 2;
	}
	g_autoptr(GError) error = NULL;
	g_autoptr(SbStore) from = sb_store_open(data, &error);
	if (from == NULL) {
		fprintf(stderr, PROG ": store copy: %s\n", error->message);
		return 1;
	}
	g_autoptr(SbStore) to = sb_store_open(to_at, &error);
	if (to == NULL) {
		fprintf(stderr, PROG ": store copy: %s\n", error->message);
		return 1;
	}
	guint64 rows = 0;
	gint64 t0 = g_get_monotonic_time();
	if (!sb_store_copy(from, to, &rows, &error)) {
		fprintf(stderr, PROG ": store copy: %s\n", error->message);
		return 1;
	}
	printf("copied %" G_GUINT64_FORMAT " rows (schema version %d) in %.1f s\n", rows, sb_store_schema_version(to),
	       (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC);
	return 0;
}

/* Options that take a value in the next argument: skipped when looking for
 * the "user" command. */
static gboolean takes_value(const char *arg)
{
	static const char *const opts[] = {"-p",
					   "--port",
					   "-b",
					   "--bind",
					   "-a",
					   "--assets",
					   "--ice-server",
					   "--turn-url",
					   "--turn-secret-file",
					   "-d",
					   "--data",
					   "--store",
					   "--tls-cert",
					   "--tls-key",
					   "--booth-port",
					   "--booth-cert-seconds",
					   "--doc-max-bytes",
					   "--bundle-max-bytes",
					   "--rauc",
					   "--bundle-keyring",
					   "--trusted-proxy",
					   "--public-url",
					   "--health-min-free-mb",
					   "--max-booths",
					   "--no-show-minutes",
					   "--checkin-early-minutes",
					   "--transfer-answer-seconds",
					   "--transfer-queue-seconds"};
	for (guint i = 0; i < G_N_ELEMENTS(opts); i++)
		if (strcmp(arg, opts[i]) == 0)
			return TRUE;
	return FALSE;
}

int main(int argc, char **argv)
{
	/* option values (site names) are UTF-8 text: GOption needs the locale */
	setlocale(LC_ALL, "");
	/* needs no store: a certificate is made before the server is set up */
	if (argc >= 2 && strcmp(argv[1], "make-cert") == 0)
		return sb_cert_command(argc - 1, argv + 1);
	int port = CONFIG_RELAIS_SB_PORT;
	int booth_port = CONFIG_RELAIS_SB_BOOTH_PORT;
	int booth_cert_s = 0;
	/* string defaults are set after parsing: GOption replaces a string
	 * option's value without freeing the one it held (a leak at every
	 * run given --assets, which LeakSanitizer reports at a clean stop) */
	g_autofree char *bind = NULL;
	g_autofree char *assets = NULL;
	g_autofree char *data = NULL;
	g_autofree char *store_at = NULL;
	g_auto(GStrv) ice = NULL;
	g_auto(GStrv) turn_urls = NULL;
	g_autofree char *turn_secret_file = NULL;
	g_autofree char *tls_cert = NULL, *tls_key = NULL;
	int doc_max_bytes = 0;
	gint64 bundle_max_bytes = 0;
	g_autofree char *rauc = NULL;
	g_autofree char *bundle_keyring = NULL;
	int no_show_min = CONFIG_RELAIS_SB_BOOKING_NO_SHOW_MIN;
	int early_min = CONFIG_RELAIS_SB_BOOKING_CHECKIN_EARLY_MIN;
	int health_min_free_mb = CONFIG_RELAIS_SB_HEALTH_MIN_FREE_MB;
	int max_booths = CONFIG_RELAIS_SB_MAX_BOOTHS;
	g_auto(GStrv) trusted_proxy = NULL;
	g_autofree char *public_url = NULL;
	int transfer_answer_s = CONFIG_RELAIS_SB_TRANSFER_ANSWER_S;
	int transfer_queue_s = CONFIG_RELAIS_SB_TRANSFER_QUEUE_S;
	GOptionEntry entries[] = {
		{"data", 'd', 0, G_OPTION_ARG_FILENAME, &data,
		 "Folder of the store (relais.db: accounts, sessions), created 0700 if missing", "DIR"},
		{"store", 0, 0, G_OPTION_ARG_STRING, &store_at,
		 "The store on PostgreSQL instead of DIR/relais.db (firmware/switchboard/CLUSTER.md); the booth CA and "
		 "bundles stay in --data",
		 "postgresql://..."},
		{"port", 'p', 0, G_OPTION_ARG_INT, &port, "HTTP port (0: any free port, printed)", "PORT"},
		{"booth-port", 0, 0, G_OPTION_ARG_INT, &booth_port,
		 "Booth listener port: TLS, client certificates (0: any free port, printed)", "PORT"},
		{"booth-cert-seconds", 0, 0, G_OPTION_ARG_INT, &booth_cert_s,
		 "Lifetime of the booth certificates issued from now (tests; default: the Kconfig days)", "S"},
		{"bind", 'b', 0, G_OPTION_ARG_STRING, &bind, "Address to listen on (default 127.0.0.1)", "ADDR"},
		{"assets", 'a', 0, G_OPTION_ARG_FILENAME, &assets, "Adviser console folder (assets/web)", "DIR"},
		{"ice-server", 0, 0, G_OPTION_ARG_STRING_ARRAY, &ice,
		 "STUN/TURN URI handed to both ends (stun://host:port), repeatable", "URI"},
		{"turn-url", 0, 0, G_OPTION_ARG_STRING_ARRAY, &turn_urls,
		 "TURN server for which each end gets its own credentials (turn:host:port?transport=udp), repeatable",
		 "URI"},
		{"turn-secret-file", 0, 0, G_OPTION_ARG_FILENAME, &turn_secret_file,
		 "File with the TURN server's static-auth-secret (coturn use-auth-secret)", "FILE"},
		{"tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
		 "PEM certificate (chain) for HTTPS and WSS; with --tls-key", "FILE"},
		{"tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "PEM private key of --tls-cert (unencrypted)",
		 "FILE"},
		{"doc-max-bytes", 0, 0, G_OPTION_ARG_INT, &doc_max_bytes,
		 "Largest document an adviser may show in a call, at most the Kconfig cap (default: that cap)",
		 "BYTES"},
		{"bundle-max-bytes", 0, 0, G_OPTION_ARG_INT64, &bundle_max_bytes,
		 "Largest update bundle an administrator may upload (default: the Kconfig cap)", "BYTES"},
		{"rauc", 0, 0, G_OPTION_ARG_FILENAME, &rauc,
		 "RAUC, to read an uploaded bundle's version and compatible (default: " CONFIG_RELAIS_SB_RAUC_PATH ")",
		 "PATH"},
		{"bundle-keyring", 0, 0, G_OPTION_ARG_FILENAME, &bundle_keyring,
		 "The fleet's update CA: uploaded bundles must be signed under it (default: not checked here; the "
		 "booths check)",
		 "FILE"},
		{"no-show-minutes", 0, 0, G_OPTION_ARG_INT, &no_show_min,
		 "A booking not checked in this long after its start is a no-show (1..240)", "MIN"},
		{"checkin-early-minutes", 0, 0, G_OPTION_ARG_INT, &early_min,
		 "A booking code may be checked in this long before its start (0..240)", "MIN"},
		{"health-min-free-mb", 0, 0, G_OPTION_ARG_INT, &health_min_free_mb,
		 "Free space the data folder needs for /healthz to say ok (default: the Kconfig value)", "MIB"},
		{"max-booths", 0, 0, G_OPTION_ARG_INT, &max_booths,
		 "Most booths connected at once (1..100000; default: the Kconfig value)", "N"},
		{"public-url", 0, 0, G_OPTION_ARG_STRING, &public_url,
		 "The base URL guests reach this switchboard at, for their invitation links (default: a path, "
		 "resolved by the console against its own address)",
		 "URL"},
		{"transfer-answer-seconds", 0, 0, G_OPTION_ARG_INT, &transfer_answer_s,
		 "A colleague answers a transfer's offer within this, or it is declined (5..600; default: the "
		 "Kconfig value)",
		 "S"},
		{"transfer-queue-seconds", 0, 0, G_OPTION_ARG_INT, &transfer_queue_s,
		 "A call transferred to a topic's queue waits there this long at most (5..3600; default: the "
		 "Kconfig value)",
		 "S"},
		{"trusted-proxy", 0, 0, G_OPTION_ARG_STRING_ARRAY, &trusted_proxy,
		 "Reverse proxy whose Forwarded / X-Forwarded-For / X-Forwarded-Proto are believed: addresses and "
		 "CIDR ranges, comma-separated, repeatable (default: the Kconfig list; 'none': nobody)",
		 "LIST"},
		{NULL}};

	/* "user ..." and what follows is a command with its own options */
	int cmd_at = argc;
	for (int i = 1; i < argc; i++) {
		if (takes_value(argv[i])) {
			i++;
			continue;
		}
		if (strcmp(argv[i], "user") == 0 || strcmp(argv[i], "hours") == 0 || strcmp(argv[i], "closure") == 0 ||
		    strcmp(argv[i], "booking") == 0 || strcmp(argv[i], "ca") == 0 || strcmp(argv[i], "booth") == 0 ||
		    strcmp(argv[i], "store") == 0) {
			cmd_at = i;
			break;
		}
	}
	int main_argc = cmd_at;
	g_autofree char **main_argv = g_new0(char *, main_argc + 1);
	memcpy(main_argv, argv, sizeof(char *) * main_argc);

	g_autoptr(GOptionContext) ctx =
		g_option_context_new("[user|hours|closure|booking|ca|booth ...] - Relais switchboard");
	g_option_context_set_summary(
		ctx, "Connects visitors at Relais booths with advisers in a browser.\n\n"
		     "Accounts (there is none by default):\n"
		     "  " PROG " --data DIR user add LOGIN --role adviser|admin|staff [--name NAME]\n"
		     "      [--site SITE] [--languages fr,en] [--topics a,b] [--generate]\n"
		     "  " PROG " --data DIR user passwd|del LOGIN\n"
		     "  " PROG " --data DIR user list\n\n"
		     "Opening hours (am 09:00-12:30, pm 13:30-17:00) and closures:\n"
		     "  " PROG " --data DIR hours set SITE mon-am,tue-pm,...\n"
		     "  " PROG " --data DIR hours list SITE\n"
		     "  " PROG " --data DIR closure add SITE FROM TO [REASON]\n"
		     "  " PROG " --data DIR closure list SITE\n\n"
		     "Bookings taken by phone (local times; add prints the code):\n"
		     "  " PROG " --data DIR booking add SITE YYYY-MM-DDTHH:MM DURATION_MIN [--language L] [--topic T]\n"
		     "  " PROG " --data DIR booking list [SITE] [--day YYYY-MM-DD]\n"
		     "  " PROG " --data DIR booking cancel CODE\n\n"
		     "Booths (ENROL.md; add prints a one-time enrolment token):\n"
		     "  " PROG " --data DIR ca init\n"
		     "  " PROG " --data DIR booth add NAME --site SITE [--create-site] [--ttl-hours H]\n"
		     "  " PROG " --data DIR booth revoke|certs NAME\n\n"
		     "TLS (plain HTTP is only allowed on loopback):\n"
		     "  " PROG " --data DIR --tls-cert FILE --tls-key FILE [--bind ADDR]\n"
		     "  " PROG " make-cert --out DIR [--name HOST] [--days N] [--force]   (self-signed, trials)");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) error = NULL;
	char **parse_argv = main_argv;
	if (!g_option_context_parse(ctx, &main_argc, &parse_argv, &error)) {
		fprintf(stderr, PROG ": %s\n", error->message);
		return 2;
	}
	if (bind == NULL)
		bind = g_strdup("127.0.0.1");
	if (assets == NULL)
		assets = g_strdup(CONFIG_RELAIS_SB_ASSETS_DIR);
	if (rauc == NULL)
		rauc = g_strdup(CONFIG_RELAIS_SB_RAUC_PATH);
	if (main_argc > 1) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", parse_argv[1]);
		return 2;
	}
	if (data == NULL || *data == '\0') {
		fprintf(stderr, PROG ": --data DIR is required (accounts and the store live there)\n");
		return 2;
	}
	if (store_at && !g_str_has_prefix(store_at, "postgresql://") && !g_str_has_prefix(store_at, "postgres://")) {
		fprintf(stderr, PROG ": --store takes a postgresql:// URI (a SQLite store is --data DIR)\n");
		return 2;
	}
	/* where the store is: --store, or the data folder's relais.db */
	const char *store_loc = store_at ? store_at : data;
	if (cmd_at < argc && strcmp(argv[cmd_at], "store") == 0)
		return store_command(data, store_at, argc - cmd_at, argv + cmd_at);
	if (cmd_at < argc && strcmp(argv[cmd_at], "booking") == 0)
		return booking_command(store_loc, argc - cmd_at, argv + cmd_at);
	if (cmd_at < argc && (strcmp(argv[cmd_at], "ca") == 0 || strcmp(argv[cmd_at], "booth") == 0))
		return sb_enrol_command(data, store_at, argc - cmd_at, argv + cmd_at);
	if (cmd_at < argc && strcmp(argv[cmd_at], "user") != 0)
		return hours_command(store_loc, argc - cmd_at, argv + cmd_at);
	if (cmd_at < argc)
		return user_command(store_loc, argc - cmd_at, argv + cmd_at);

	if (port < 0 || port > 65535 || booth_port < 0 || booth_port > 65535) {
		fprintf(stderr, PROG ": --port and --booth-port must be 0..65535\n");
		return 2;
	}
	if (booth_cert_s < 0) {
		fprintf(stderr, PROG ": --booth-cert-seconds must be positive\n");
		return 2;
	}
	if ((tls_cert != NULL) != (tls_key != NULL)) {
		fprintf(stderr, PROG ": --tls-cert and --tls-key go together\n");
		return 2;
	}
	g_autoptr(GInetAddress) bind_addr = g_inet_address_new_from_string(bind);
	if (bind_addr == NULL) {
		fprintf(stderr, PROG ": --bind '%s' is not an IP address\n", bind);
		return 2;
	}
	/* passwords and sign-in cookies never cross a network in clear */
	if (tls_cert == NULL && !g_inet_address_get_is_loopback(bind_addr)) {
		fprintf(stderr,
			PROG ": --bind %s: plain HTTP is only allowed on loopback; give --tls-cert and --tls-key\n",
			bind);
		return 2;
	}
	g_autoptr(GTlsCertificate) tls = NULL;
	if (tls_cert) {
		tls = sb_cert_load_pair(tls_cert, tls_key, &error);
		if (tls == NULL) {
			fprintf(stderr, PROG ": TLS: %s\n", error->message);
			return 1;
		}
	}
	for (char **s = ice; s && *s; s++) {
		if (!g_str_has_prefix(*s, "stun://") && !g_str_has_prefix(*s, "turn://") &&
		    !g_str_has_prefix(*s, "turns://")) {
			fprintf(stderr, PROG ": --ice-server '%s' must start with stun://, turn:// or turns://\n", *s);
			return 2;
		}
	}
	for (char **s = turn_urls; s && *s; s++) {
		if (!g_str_has_prefix(*s, "turn:") && !g_str_has_prefix(*s, "turns:")) {
			fprintf(stderr, PROG ": --turn-url '%s' must start with turn: or turns:\n", *s);
			return 2;
		}
	}
	if ((turn_urls != NULL) != (turn_secret_file != NULL)) {
		fprintf(stderr, PROG ": --turn-url and --turn-secret-file go together\n");
		return 2;
	}
	g_autofree char *turn_secret = NULL;
	if (turn_secret_file) {
		if (!g_file_get_contents(turn_secret_file, &turn_secret, NULL, &error)) {
			fprintf(stderr, PROG ": --turn-secret-file: %s\n", error->message);
			return 1;
		}
		g_strstrip(turn_secret);
		if (*turn_secret == '\0') {
			fprintf(stderr, PROG ": --turn-secret-file '%s' is empty\n", turn_secret_file);
			return 1;
		}
	}
	if (!g_file_test(assets, G_FILE_TEST_IS_DIR))
		g_warning("adviser console folder '%s' does not exist: only the API will be served", assets);

	if (no_show_min < 1 || no_show_min > 240 || early_min < 0 || early_min > 240) {
		fprintf(stderr, PROG ": --no-show-minutes must be 1..240 and --checkin-early-minutes 0..240\n");
		return 1;
	}

	/* the options replace the Kconfig list; "none" alone empties it */
	g_autoptr(SbTrustedProxies) proxies = sb_trusted_proxies_new();
	/* the link (this, "/guest#" and a 22-character token) fits the protocol's text cap */
	if (public_url && ((!g_str_has_prefix(public_url, "https://") && !g_str_has_prefix(public_url, "http://")) ||
			   strlen(public_url) > 512 || !g_utf8_validate(public_url, -1, NULL) ||
			   strpbrk(public_url, "#?\"<> \t\r\n") != NULL)) {
		fprintf(stderr,
			PROG ": --public-url must be an https:// URL (http:// for a test) of at most 512 bytes, "
			     "without a query or fragment\n");
		return 1;
	}
	if (trusted_proxy == NULL && !sb_trusted_proxies_add(proxies, CONFIG_RELAIS_SB_TRUSTED_PROXIES, &error)) {
		fprintf(stderr, PROG ": CONFIG_RELAIS_SB_TRUSTED_PROXIES: %s\n", error->message);
		return 2;
	}
	for (char **t = trusted_proxy; t && *t; t++) {
		if (g_strcmp0(g_strstrip(*t), "none") == 0)
			continue;
		if (!sb_trusted_proxies_add(proxies, *t, &error)) {
			fprintf(stderr, PROG ": --trusted-proxy: %s\n", error->message);
			return 2;
		}
	}
	if (sb_trusted_proxies_count(proxies) > 0) {
		g_autofree char *list = sb_trusted_proxies_to_string(proxies);
		g_message("believing Forwarded / X-Forwarded-For / X-Forwarded-Proto from %s only", list);
	}
	/* migrations run here, before anything listens */
	g_autoptr(SbStore) store = sb_store_open(store_loc, &error);
	if (store == NULL) {
		fprintf(stderr, PROG ": %s\n", error->message);
		return 1;
	}
	sb_store_set_booking_window(store, (guint)early_min, (guint)no_show_min);
	if (!set_test_clock(store))
		return 1;
	/* the booth CA, made on first start (ENROL.md) */
	g_autoptr(SbBoothCa) booth_ca = sb_booth_ca_open(data, TRUE, &error);
	if (booth_ca == NULL) {
		fprintf(stderr, PROG ": booth CA: %s\n", error->message);
		return 1;
	}
	g_autoptr(SbEnrol) enrol = sb_enrol_new(store, booth_ca);
	if (booth_cert_s > 0) {
		sb_enrol_set_cert_lifetime(enrol, (guint)booth_cert_s);
		g_warning("TEST ONLY: booth certificates are issued for %d s", booth_cert_s);
	}
	g_autofree char *booth_ca_file = NULL;
	g_autoptr(GTlsCertificate) booth_tls = booth_listener_cert(data, tls, &booth_ca_file, &error);
	if (booth_tls == NULL) {
		fprintf(stderr, PROG ": booth listener certificate: %s\n", error->message);
		return 1;
	}
	guint diag_timeout_ms = 0, hello_timeout_ms = 0;
	if (!test_ms_from_env("RELAIS_SB_DIAG_TIMEOUT_MS", "diagnostic requests wait", &diag_timeout_ms) ||
	    !test_ms_from_env("RELAIS_SB_HELLO_TIMEOUT_MS", "a WebSocket must say hello within", &hello_timeout_ms))
		return 1;

	if (doc_max_bytes < 0 || doc_max_bytes > CONFIG_RELAIS_DOC_MAX_BYTES) {
		fprintf(stderr, PROG ": --doc-max-bytes must be 1..%d (the Kconfig cap)\n",
			CONFIG_RELAIS_DOC_MAX_BYTES);
		return 2;
	}
	if (bundle_max_bytes < 0 || bundle_max_bytes > CONFIG_RELAIS_SB_BUNDLE_MAX_BYTES) {
		fprintf(stderr, PROG ": --bundle-max-bytes must be 1..%d (the Kconfig cap)\n",
			CONFIG_RELAIS_SB_BUNDLE_MAX_BYTES);
		return 2;
	}
	if (transfer_answer_s < 5 || transfer_answer_s > 600 || transfer_queue_s < 5 || transfer_queue_s > 3600) {
		fprintf(stderr, PROG ": --transfer-answer-seconds must be 5..600, --transfer-queue-seconds 5..3600\n");
		return 2;
	}
	if (max_booths < 1 || max_booths > 100000) {
		fprintf(stderr, PROG ": --max-booths must be 1..100000\n");
		return 2;
	}
	if (health_min_free_mb < 1 || health_min_free_mb > 1000000) {
		fprintf(stderr, PROG ": --health-min-free-mb must be 1..1000000\n");
		return 2;
	}
	if (bundle_keyring && !g_file_test(bundle_keyring, G_FILE_TEST_IS_REGULAR)) {
		fprintf(stderr, PROG ": --bundle-keyring %s is not a file\n", bundle_keyring);
		return 2;
	}
	/* no RAUC on this host: bundles are kept without their manifest's
	 * version (the booths verify them anyway); a keyring needs RAUC */
	if (!g_file_test(rauc, G_FILE_TEST_IS_EXECUTABLE)) {
		if (bundle_keyring) {
			fprintf(stderr, PROG ": --bundle-keyring needs RAUC, and %s is not there (--rauc)\n", rauc);
			return 2;
		}
		g_warning("%s not found: uploaded bundles are kept without their version", rauc);
		g_clear_pointer(&rauc, g_free);
	}
	g_autofree char *bundles_dir = g_build_filename(data, "bundles", NULL);
	SbServerConfig config = {
		.bind = bind,
		.port = (guint)port,
		.assets_dir = assets,
		.store = store,
		.tls_certificate = tls,
		.secure_cookies = tls != NULL,
		.trusted_proxies = proxies,
		.hub =
			{
				.max_booths = (guint)max_booths,
				.max_advisers = CONFIG_RELAIS_SB_MAX_ADVISERS,
				.max_queue = CONFIG_RELAIS_SB_MAX_QUEUE,
				.max_errors = CONFIG_RELAIS_SB_MAX_ERRORS,
				.ice_servers = ice,
				.turn_urls = turn_urls,
				.turn_secret = turn_secret,
				.diag_timeout_ms = diag_timeout_ms,
				.hello_timeout_ms = hello_timeout_ms,
				.public_url = public_url,
				.transfer_answer_s = (guint)transfer_answer_s,
				.transfer_queue_s = (guint)transfer_queue_s,
			},
		.doc_limits = {.max_bytes = (gsize)doc_max_bytes},
		.enrol = enrol,
		.booth_port = (guint)booth_port,
		.booth_tls_certificate = booth_tls,
		.health_min_free_mb = (guint)health_min_free_mb,
		.bundles =
			{
				.store = store,
				.dir = bundles_dir,
				.max_bytes = (guint64)bundle_max_bytes,
				.rauc = rauc,
				.keyring = bundle_keyring,
				.secure = tls != NULL,
			},
	};
	raise_nofile();
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	g_autoptr(SbServer) server = sb_server_new(&config, &error);
	if (server == NULL) {
		fprintf(stderr, PROG ": %s\n", error->message);
		return 1;
	}
	/* Tests and the demo read this line to learn the port. */
	printf(PROG ": listening on %s://%s:%u/\n", tls ? "https" : "http", bind, sb_server_get_port(server));
	printf(PROG ": booth listener on https://%s:%u/ (client certificates; booths trust %s)\n", bind,
	       sb_server_get_booth_port(server), booth_ca_file ? booth_ca_file : "--tls-cert");
	fflush(stdout);

	/* under systemd (Type=notify): ready now, and the watchdog fed from
	 * this loop, so a hung loop is restarted */
	g_autoptr(RelaisNotify) notify = relais_notify_new(NULL);
	g_autofree char *status =
		g_strdup_printf("listening on %s://%s:%u/", tls ? "https" : "http", bind, sb_server_get_port(server));
	if (!relais_notify_ready(notify, status, &error)) {
		g_warning("systemd: %s", error->message);
		g_clear_error(&error);
	}
	relais_main_loop_run(loop);
	if (!relais_notify_stopping(notify, &error))
		g_warning("systemd: %s", error->message);
	return 0;
}
