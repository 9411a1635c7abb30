/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-diag"

#include "diag.h"
#include "enrol-client.h"
#include "pki.h"
#include "updatestatus.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <math.h>
#include <net/if.h>
#include <netinet/in.h>

/* RELAIS_VERSION, RELAIS_BUILD_ID, RELAIS_SOFTWARE: made by the Makefile,
 * rewritten when the commit changes */
#include "relais-build.h"

/* On a booth, the image's release file names what runs: an update replaces
 * the whole root, and that file is in it, in the bundle's own words. Else
 * (a development machine) the program's own build. */
static char *software_now(void)
{
	const char *path = g_getenv("RELAIS_RELEASE_FILE");
	g_autofree char *text = NULL;
	if (g_file_get_contents(path && *path ? path : "/etc/relais-release", &text, NULL, NULL)) {
		char *v = relais_release_version(text);
		if (v)
			return v;
	}
	return relais_version_sanitize(RELAIS_SOFTWARE);
}

const char *booth_diag_software(void)
{
	static char *software = NULL;
	if (g_once_init_enter(&software))
		g_once_init_leave(&software, software_now());
	return software;
}

char *booth_diag_iso_time(gint64 unix_us)
{
	g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(unix_us / G_USEC_PER_SEC);
	return t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("?");
}

static int prefix_len(const struct sockaddr *mask)
{
	const guint8 *b = NULL;
	gsize n = 0;
	if (mask == NULL)
		return -1;
	if (mask->sa_family == AF_INET) {
		b = (const guint8 *)&((const struct sockaddr_in *)mask)->sin_addr;
		n = 4;
	} else if (mask->sa_family == AF_INET6) {
		b = (const guint8 *)&((const struct sockaddr_in6 *)mask)->sin6_addr;
		n = 16;
	}
	int bits = 0;
	for (gsize i = 0; i < n; i++)
		bits += __builtin_popcount(b[i]);
	return bits;
}

/* "eth0 192.0.2.7/24" for each interface address but loopback's. */
static JsonArray *addresses(void)
{
	JsonArray *a = json_array_new();
	struct ifaddrs *list = NULL;
	if (getifaddrs(&list) != 0)
		return a;
	for (struct ifaddrs *i = list; i; i = i->ifa_next) {
		char text[INET6_ADDRSTRLEN] = "";
		if (i->ifa_addr == NULL || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, text, sizeof text);
		else if (i->ifa_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, text, sizeof text);
		else
			continue;
		g_autofree char *line = g_strdup_printf("%s %s/%d", i->ifa_name, text, prefix_len(i->ifa_netmask));
		json_array_add_string_element(a, line);
	}
	freeifaddrs(list);
	return a;
}

static const char *link_state(const char *link)
{
	if (g_strcmp0(link, "up") == 0)
		return "connected";
	if (g_strcmp0(link, "connecting") == 0 || g_strcmp0(link, "greeting") == 0)
		return "connecting";
	return "offline";
}

static JsonObject *link_report(const BoothFacts *f)
{
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "state", link_state(f->link));
	json_object_set_string_member(o, "switchboard", f->switchboard_url);
	const char *cert_state = "none";
	g_autofree char *expires = NULL;
	if (f->state_dir) {
		gint64 now = g_get_real_time() / G_USEC_PER_SEC;
		BoothCertState st = booth_enrol_status(f->state_dir, f->booth_id, now, 0, 0, NULL);
		g_autofree char *path = g_build_filename(f->state_dir, BOOTH_ENROL_CERT_FILE, NULL);
		g_autoptr(X509) cert = relais_pki_read_cert(path, NULL);
		gint64 not_before = 0, not_after = 0;
		if (cert) {
			relais_pki_cert_validity(cert, &not_before, &not_after);
			expires = booth_diag_iso_time(not_after * G_USEC_PER_SEC);
		}
		switch (st) {
		case BOOTH_CERT_VALID:
			cert_state = "valid";
			break;
		case BOOTH_CERT_RENEW:
			cert_state = "renew";
			break;
		case BOOTH_CERT_EXPIRED:
			cert_state = "expired";
			break;
		case BOOTH_CERT_CLOCK_UNSET:
			cert_state = "clock_unset";
			break;
		case BOOTH_CERT_NONE:
		default:
			/* a certificate that is not this booth's is none, but
			 * its date still helps whoever looks */
			cert_state = cert && not_after < now ? "expired" : "none";
			break;
		}
	}
	json_object_set_string_member(o, "certificate_state", cert_state);
	if (expires)
		json_object_set_string_member(o, "certificate_expires", expires);
	else
		json_object_set_null_member(o, "certificate_expires");
	return o;
}

static JsonObject *state_detail(const char *state, const char *detail)
{
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "state", state);
	if (detail)
		json_object_set_string_member(o, "detail", detail);
	return o;
}

/* The camera the board's pipelines name: its device there (ok), absent
 * (missing: the fallback picture runs), or the pipelines do not load. */
static JsonObject *camera_report(const BoothFacts *f)
{
	if (f->media_conf == NULL)
		return state_detail("error", f->fault ? f->fault : "the board's pipelines did not load");
	g_autofree char *device = relais_media_conf_dup_fragment(f->media_conf, "video", "device");
	if (device == NULL || *device == '\0')
		return state_detail("ok", "built-in camera");
	if (!g_file_test(device, G_FILE_TEST_EXISTS)) {
		g_autofree char *d = g_strdup_printf("%s absent", device);
		return state_detail("missing", d);
	}
	return state_detail("ok", device);
}

static JsonObject *check_or(const BoothFacts *f, const char *name, const char *state)
{
	JsonNode *n = json_object_get_member(f->checks, name);
	if (n && JSON_NODE_HOLDS_OBJECT(n))
		return json_object_ref(json_node_get_object(n));
	return state_detail(state, NULL);
}

static void add_error(const RelaisLogEntry *e, gpointer data)
{
	JsonArray *a = data;
	JsonObject *o = json_object_new();
	g_autofree char *time = booth_diag_iso_time(e->time_us);
	json_object_set_string_member(o, "time", time);
	json_object_set_string_member(o, "message", e->message);
	json_array_add_object_element(a, o);
}

/* The booth's own memory, from /proc/self/smaps_rollup: resident and
 * proportional set sizes in KiB (what a technician compares between boards
 * and versions). Absent fields stay null. */
static JsonObject *memory_report(void)
{
	JsonObject *o = json_object_new();
	g_autofree char *text = NULL;
	gint64 rss = -1, pss = -1;
	if (g_file_get_contents("/proc/self/smaps_rollup", &text, NULL, NULL)) {
		g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
		for (char **l = lines; *l; l++) {
			if (g_str_has_prefix(*l, "Rss:"))
				rss = g_ascii_strtoll(*l + 4, NULL, 10);
			else if (g_str_has_prefix(*l, "Pss:"))
				pss = g_ascii_strtoll(*l + 4, NULL, 10);
		}
	}
	if (rss >= 0)
		json_object_set_int_member(o, "rss_kib", rss);
	else
		json_object_set_null_member(o, "rss_kib");
	if (pss >= 0)
		json_object_set_int_member(o, "pss_kib", pss);
	else
		json_object_set_null_member(o, "pss_kib");
	return o;
}

JsonObject *booth_diag_report(Booth *booth)
{
	BoothFacts f;
	booth_get_facts(booth, &f);
	JsonObject *o = json_object_new();
	JsonObject *sw = json_object_new();
	json_object_set_string_member(sw, "version", RELAIS_VERSION);
	json_object_set_string_member(sw, "build", RELAIS_BUILD_ID);
	json_object_set_string_member(sw, "running", booth_diag_software());
	if (f.slot)
		json_object_set_string_member(sw, "slot", f.slot);
	json_object_set_object_member(o, "software", sw);
	json_object_set_string_member(o, "board", f.board);
	json_object_set_string_member(o, "booth_id", f.booth_id);
	if (f.site)
		json_object_set_string_member(o, "site", f.site);
	else
		json_object_set_null_member(o, "site");
	json_object_set_int_member(o, "uptime_s", (g_get_monotonic_time() - f.started_us) / G_USEC_PER_SEC);
	json_object_set_object_member(o, "memory", memory_report());
	json_object_set_array_member(o, "addresses", addresses());
	json_object_set_object_member(o, "link", link_report(&f));
	JsonObject *camera = camera_report(&f);
	json_object_set_string_member(camera, "self_test", booth_check_name(f.camera_check));
	json_object_set_object_member(o, "camera", camera);

	JsonObject *mic = json_object_new();
	json_object_set_string_member(mic, "state", f.media_conf ? "ok" : "error");
	json_object_set_string_member(mic, "self_test", booth_check_name(f.mic_check));
	if (f.mic_check == BOOTH_CHECK_FAILED && f.mic_detail)
		json_object_set_string_member(mic, "detail", f.mic_detail);
	/* live only while the technician screen has the preview open */
	double level = booth_preview_running(booth) ? booth_preview_get_mic_level(booth) : -1;
	if (level > 0)
		json_object_set_double_member(mic, "level_db", MAX(-90.0, 20.0 * log10(level)));
	else if (level == 0)
		json_object_set_double_member(mic, "level_db", -90.0);
	else
		json_object_set_null_member(mic, "level_db");
	json_object_set_object_member(o, "microphone", mic);

	json_object_set_object_member(o, "speaker", check_or(&f, "speaker", "untested"));
	gboolean turn = FALSE;
	for (const char *const *s = f.ice_servers; s && *s; s++)
		turn |= g_str_has_prefix(*s, "turn:") || g_str_has_prefix(*s, "turns:");
	json_object_set_object_member(o, "turn", check_or(&f, "turn", turn ? "untested" : "not_configured"));

	JsonArray *errors = json_array_new();
	if (f.log_ring)
		relais_log_ring_foreach(f.log_ring, add_error, errors);
	json_object_set_array_member(o, "errors", errors);
	return o;
}

/* "camera: no picture ..." for a device that is not ok. */
static void add_device_reason(JsonArray *reasons, const char *name, BoothCheck check, const char *detail)
{
	if (check == BOOTH_CHECK_OK)
		return;
	g_autofree char *r = check == BOOTH_CHECK_UNKNOWN
				     ? g_strdup_printf("%s not checked yet", name)
				     : g_strdup_printf("%s failed: %s", name, detail ? detail : "no detail");
	json_array_add_string_element(reasons, r);
}

JsonObject *booth_diag_health(Booth *booth, gboolean *healthy)
{
	BoothFacts f;
	booth_get_facts(booth, &f);
	gboolean up = g_strcmp0(f.link, "up") == 0;
	JsonObject *o = json_object_new();
	JsonArray *reasons = json_array_new();
	if (!up)
		json_array_add_string_element(reasons, "link down");
	add_device_reason(reasons, "camera", f.camera_check, f.camera_detail);
	add_device_reason(reasons, "microphone", f.mic_check, f.mic_detail);
	gboolean ok = up && f.camera_check == BOOTH_CHECK_OK && f.mic_check == BOOTH_CHECK_OK;
	json_object_set_boolean_member(o, "healthy", ok);
	json_object_set_string_member(o, "service", "up");
	json_object_set_string_member(o, "link", up ? "up" : "down");
	json_object_set_string_member(o, "camera", booth_check_name(f.camera_check));
	json_object_set_string_member(o, "microphone", booth_check_name(f.mic_check));
	json_object_set_array_member(o, "reasons", reasons);
	json_object_set_string_member(o, "state", relais_session_state_name(booth_get_state(booth)));
	json_object_set_string_member(o, "software", booth_diag_software());
	if (f.slot)
		json_object_set_string_member(o, "slot", f.slot);
	else
		json_object_set_null_member(o, "slot");
	if (healthy)
		*healthy = ok;
	return o;
}
