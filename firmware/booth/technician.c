/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-technician"

#include "technician.h"
#include "diag-tests.h"
#include "diag.h"
#include "pinhash.h"
#include "relais-config.h"
#include "techgate.h"

#include <gst/gst.h>
#include <string.h>

#define TICK_MS 250
/* the report's figures are read again this often while it is shown */
#define REPORT_EVERY_US (1 * G_USEC_PER_SEC)

struct _BoothTechnician {
	Booth *booth;
	BoothVisitor *visitor;
	BoothUi *ui;
	char *pin_hash;
	guint idle_s;
	RelaisTechGate *gate;
	guint tick_id;

	BoothUiTechMode mode;
	gint64 opened_us;
	char pin[RELAIS_PIN_MAX_DIGITS + 1];
	gboolean pin_wrong;
	gboolean previewing;
	GCancellable *checking; /* a PIN being checked (enter_pin) */
	JsonObject *report;	/* shown now (mode report) */
	gint64 report_us;
	GPtrArray *strings; /* the items' values, for the view */
};

static const char *mode_name(BoothUiTechMode m)
{
	static const char *const names[] = {"closed", "not_set_up", "pin", "report"};
	return (guint)m < G_N_ELEMENTS(names) ? names[m] : "?";
}

static void pin_clear(BoothTechnician *t)
{
	memset(t->pin, 0, sizeof t->pin);
}

/* --- the camera, for the technician -------------------------------------- */

static void on_frame(struct _GstSample *sample, gpointer data)
{
	BoothTechnician *t = data;
	BoothUiMailbox *mb = booth_ui_get_mailbox(t->ui, BOOTH_UI_VIDEO_LOCAL);
	if (mb)
		booth_ui_mailbox_post(mb, sample);
}

static void preview_stop(BoothTechnician *t)
{
	if (!t->previewing)
		return;
	t->previewing = FALSE;
	booth_preview_stop(t->booth);
	BoothUiMailbox *mb = booth_ui_get_mailbox(t->ui, BOOTH_UI_VIDEO_LOCAL);
	g_autoptr(GstSample) stale = mb ? booth_ui_mailbox_take(mb) : NULL;
	booth_ui_clear_video(t->ui, BOOTH_UI_VIDEO_LOCAL);
}

/* --- the report, as items ------------------------------------------------ */

static const char *member_string(JsonObject *o, const char *name, const char *def)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;
	if (n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING)
		return json_node_get_string(n);
	return def;
}

static JsonObject *member_object(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);
	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

/* "state" or "state: detail" */
static char *state_text(JsonObject *o)
{
	const char *state = member_string(o, "state", "?"), *detail = member_string(o, "detail", NULL);
	return detail ? g_strdup_printf("%s: %s", state, detail) : g_strdup(state);
}

static const char *keep(BoothTechnician *t, char *s)
{
	g_ptr_array_add(t->strings, s);
	return s;
}

static guint build_items(BoothTechnician *t, BoothUiTechItem *items)
{
	JsonObject *r = t->report;
	guint n = 0;
	g_ptr_array_set_size(t->strings, 0);
	JsonObject *sw = member_object(r, "software");
	items[n++] = (BoothUiTechItem){"ui.tech.item.software",
				       keep(t, g_strdup_printf("%s (%s)", member_string(sw, "version", "?"),
							       member_string(sw, "build", "?")))};
	items[n++] = (BoothUiTechItem){"ui.tech.item.board", member_string(r, "board", "?")};
	items[n++] = (BoothUiTechItem){"ui.tech.item.booth", member_string(r, "booth_id", "?")};
	items[n++] = (BoothUiTechItem){"ui.tech.item.site", member_string(r, "site", "-")};
	gint64 up = json_object_get_int_member_with_default(r, "uptime_s", 0);
	items[n++] =
		(BoothUiTechItem){"ui.tech.item.uptime",
				  keep(t, g_strdup_printf("%" G_GINT64_FORMAT " d %02d:%02d:%02d", up / 86400,
							  (int)(up / 3600 % 24), (int)(up / 60 % 60), (int)(up % 60)))};
	JsonArray *addrs = json_object_get_array_member(r, "addresses");
	GString *a = g_string_new(NULL);
	for (guint i = 0; addrs && i < json_array_get_length(addrs); i++)
		g_string_append_printf(a, "%s%s", i ? ", " : "", json_array_get_string_element(addrs, i));
	items[n++] =
		(BoothUiTechItem){"ui.tech.item.addresses",
				  keep(t, a->len ? g_string_free(a, FALSE) : (g_string_free(a, TRUE), g_strdup("-")))};
	JsonObject *link = member_object(r, "link");
	items[n++] = (BoothUiTechItem){"ui.tech.item.switchboard", member_string(link, "switchboard", "?")};
	const char *ls = member_string(link, "state", "?");
	items[n++] = (BoothUiTechItem){"ui.tech.item.link", ls, !g_str_equal(ls, "connected")};
	const char *cs = member_string(link, "certificate_state", "none");
	const char *exp = member_string(link, "certificate_expires", NULL);
	items[n++] = (BoothUiTechItem){"ui.tech.item.certificate",
				       keep(t, exp ? g_strdup_printf("%s, %s", cs, exp) : g_strdup(cs)),
				       !g_str_equal(cs, "valid")};
	static const char *const parts[][2] = {{"camera", "ui.tech.item.camera"},
					       {"microphone", "ui.tech.item.microphone"},
					       {"speaker", "ui.tech.item.speaker"},
					       {"turn", "ui.tech.item.turn"}};
	for (guint i = 0; i < G_N_ELEMENTS(parts); i++) {
		JsonObject *o = member_object(r, parts[i][0]);
		const char *st = member_string(o, "state", "?");
		char *text = state_text(o);
		if (g_str_equal(parts[i][0], "microphone") && o && json_object_has_member(o, "level_db") &&
		    !json_object_get_null_member(o, "level_db")) {
			char *with = g_strdup_printf("%s, %.0f dB", text, json_object_get_double_member(o, "level_db"));
			g_free(text);
			text = with;
		}
		gboolean bad = g_str_equal(st, "error") || g_str_equal(st, "missing") || g_str_equal(st, "unreachable");
		items[n++] = (BoothUiTechItem){parts[i][1], keep(t, text), bad};
	}
	JsonArray *errors = json_object_get_array_member(r, "errors");
	guint ne = errors ? json_array_get_length(errors) : 0;
	const char *errs = "-";
	if (ne > 0) {
		JsonObject *last = json_array_get_object_element(errors, ne - 1);
		errs = keep(t, g_strdup_printf("%s %s (%u)", member_string(last, "time", ""),
					       member_string(last, "message", ""), ne));
	}
	items[n++] = (BoothUiTechItem){"ui.tech.item.errors", errs, ne > 0};
	return n;
}

/* --- the screen ------------------------------------------------------------- */

static void show(BoothTechnician *t)
{
	gint64 now = g_get_monotonic_time();
	if (t->mode == BOOTH_UI_TECH_CLOSED) {
		booth_ui_set_technician(t->ui, NULL);
		return;
	}
	guint locked_s = 0;
	relais_tech_gate_locked(t->gate, now, &locked_s);
	BoothUiTechItem items[16];
	BoothUiTechView v = {
		.mode = t->mode,
		.pin_len = (guint)strlen(t->pin),
		.pin_wrong = t->pin_wrong,
		.attempts_left = relais_tech_gate_attempts_left(t->gate, now),
		.locked_s = locked_s,
	};
	if (t->mode == BOOTH_UI_TECH_REPORT) {
		if (t->report == NULL || now - t->report_us >= REPORT_EVERY_US) {
			g_clear_pointer(&t->report, json_object_unref);
			t->report = booth_diag_report(t->booth);
			t->report_us = now;
		}
		v.items = items;
		v.n_items = build_items(t, items);
		v.mic_level = booth_preview_get_mic_level(t->booth);
		v.camera = t->previewing && booth_preview_running(t->booth);
	}
	booth_ui_set_technician(t->ui, &v);
}

static void close_screen(BoothTechnician *t, const char *why)
{
	if (t->mode == BOOTH_UI_TECH_CLOSED)
		return;
	g_message("technician screen closed (%s)", why);
	preview_stop(t);
	pin_clear(t);
	t->pin_wrong = FALSE;
	t->mode = BOOTH_UI_TECH_CLOSED;
	g_clear_pointer(&t->report, json_object_unref);
	show(t);
}

static void open_screen(BoothTechnician *t)
{
	t->opened_us = g_get_monotonic_time();
	pin_clear(t);
	t->pin_wrong = FALSE;
	t->mode = t->pin_hash ? BOOTH_UI_TECH_PIN : BOOTH_UI_TECH_NOT_SET_UP;
	g_message("technician screen opened (%s)", mode_name(t->mode));
	show(t);
}

static void pin_checked(BoothTechnician *t, gboolean correct)
{
	gint64 now = g_get_monotonic_time();
	switch (relais_tech_gate_attempt(t->gate, correct, now)) {
	case RELAIS_TECH_PIN_OK:
		g_message("technician PIN accepted");
		t->pin_wrong = FALSE;
		t->mode = BOOTH_UI_TECH_REPORT;
		/* the camera for the technician: closed with the screen */
		booth_preview_start(t->booth, on_frame, t);
		t->previewing = booth_preview_running(t->booth);
		break;
	case RELAIS_TECH_PIN_WRONG:
		g_message("technician PIN wrong (%u attempts left)", relais_tech_gate_attempts_left(t->gate, now));
		t->pin_wrong = TRUE;
		break;
	case RELAIS_TECH_PIN_LOCKED:
		g_message("technician PIN refused: locked");
		t->pin_wrong = TRUE;
		break;
	}
	show(t);
}

/* The hash costs about half a second on a Raspberry Pi (pinhash.h): it is
 * checked on a worker thread, so that the screen and the watchdog's loop
 * go on; the typed PIN goes with it and is zeroed there. */
typedef struct {
	char pin[RELAIS_PIN_MAX_DIGITS + 1];
	char *hash;
} PinCheck;

static void pin_check_free(PinCheck *c)
{
	memset(c->pin, 0, sizeof c->pin);
	g_free(c->hash);
	g_free(c);
}

static void pin_check_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	PinCheck *c = data;
	g_task_return_boolean(task, relais_pinhash_check(c->pin, c->hash));
}

static void on_pin_checked(GObject *source, GAsyncResult *res, gpointer data)
{
	/* a technician screen freed meanwhile cancelled this first */
	if (g_cancellable_is_cancelled(g_task_get_cancellable(G_TASK(res))))
		return;
	BoothTechnician *t = data;
	gboolean correct = g_task_propagate_boolean(G_TASK(res), NULL);
	g_clear_object(&t->checking);
	if (t->mode == BOOTH_UI_TECH_PIN) {
		pin_checked(t, correct);
		return;
	}
	/* closed meanwhile: the try still counts (else Close would be a
	 * way round the lock), but nothing opens */
	(void)relais_tech_gate_attempt(t->gate, correct, g_get_monotonic_time());
}

static void enter_pin(BoothTechnician *t)
{
	if (t->checking)
		return; /* one at a time */
	/* while locked nothing is checked: a right PIN is refused too */
	if (!relais_tech_gate_may_try(t->gate, g_get_monotonic_time())) {
		pin_clear(t);
		pin_checked(t, FALSE);
		return;
	}
	PinCheck *c = g_new0(PinCheck, 1);
	memcpy(c->pin, t->pin, sizeof c->pin);
	c->hash = g_strdup(t->pin_hash);
	pin_clear(t);
	t->checking = g_cancellable_new();
	g_autoptr(GTask) task = g_task_new(NULL, t->checking, on_pin_checked, t);
	g_task_set_task_data(task, c, (GDestroyNotify)pin_check_free);
	g_task_run_in_thread(task, pin_check_thread);
	show(t);
}

/* A visitor's session, or any screen of one, never opens it. */
static gboolean may_open(BoothTechnician *t)
{
	RelaisJourneyState s = booth_visitor_get_state(t->visitor);
	RelaisSessionState b = booth_get_state(t->booth);
	return (s == RELAIS_JOURNEY_ATTRACT || s == RELAIS_JOURNEY_OUT_OF_ORDER) &&
	       (b == RELAIS_SESSION_IDLE || b == RELAIS_SESSION_OUT_OF_ORDER);
}

static void on_input(const BoothUiTechInput *in, gpointer data)
{
	BoothTechnician *t = data;
	if (in->action == BOOTH_UI_TECH_PRESS) {
		if (t->mode == BOOTH_UI_TECH_CLOSED &&
		    relais_tech_gate_press(t->gate, (RelaisTechCorner)in->corner, in->held_ms,
					   g_get_monotonic_time()) &&
		    may_open(t))
			open_screen(t);
		return;
	}
	if (t->mode == BOOTH_UI_TECH_CLOSED)
		return;
	gsize len = strlen(t->pin);
	switch (in->action) {
	case BOOTH_UI_TECH_DIGIT:
		if (t->mode == BOOTH_UI_TECH_PIN && len < RELAIS_PIN_MAX_DIGITS && in->digit >= 0 && in->digit <= 9)
			t->pin[len] = (char)('0' + in->digit);
		break;
	case BOOTH_UI_TECH_BACKSPACE:
		if (len > 0)
			t->pin[len - 1] = '\0';
		break;
	case BOOTH_UI_TECH_OK:
		if (t->mode == BOOTH_UI_TECH_PIN)
			enter_pin(t);
		return;
	case BOOTH_UI_TECH_CLOSE:
		close_screen(t, "closed by the technician");
		return;
	case BOOTH_UI_TECH_SPEAKER:
		if (t->mode == BOOTH_UI_TECH_REPORT)
			booth_diag_test_speaker(t->booth);
		t->report_us = 0;
		break;
	case BOOTH_UI_TECH_TURN:
		if (t->mode == BOOTH_UI_TECH_REPORT)
			booth_diag_test_turn(t->booth, 0);
		t->report_us = 0;
		break;
	default:
		break;
	}
	show(t);
}

static gboolean on_tick(gpointer data)
{
	BoothTechnician *t = data;
	if (t->mode == BOOTH_UI_TECH_CLOSED)
		return G_SOURCE_CONTINUE;
	gint64 now = g_get_monotonic_time();
	gint64 since = now - MAX(t->opened_us, booth_ui_get_last_input_us(t->ui));
	if (since >= (gint64)t->idle_s * G_USEC_PER_SEC) {
		close_screen(t, "left alone");
		return G_SOURCE_CONTINUE;
	}
	/* the lock's time left, the report and the level move by themselves */
	show(t);
	return G_SOURCE_CONTINUE;
}

BoothTechnician *booth_technician_new(Booth *booth, BoothVisitor *visitor, const BoothTechnicianConfig *config)
{
	BoothTechnician *t = g_new0(BoothTechnician, 1);
	t->booth = booth;
	t->visitor = visitor;
	t->ui = booth_visitor_get_ui(visitor);
	t->pin_hash = g_strdup(config ? config->pin_hash : NULL);
	t->idle_s = config && config->idle_s ? config->idle_s : CONFIG_RELAIS_UI_TECHNICIAN_IDLE_S;
	RelaisTechGateConfig gc = {
		.hold_ms = config && config->hold_ms ? config->hold_ms : CONFIG_RELAIS_UI_TECHNICIAN_HOLD_MS,
		.window_ms = 5000,
		.max_attempts = 3,
		.lock_s = 60 * (config && config->lock_min ? config->lock_min : CONFIG_RELAIS_UI_TECHNICIAN_LOCK_MIN),
	};
	t->gate = relais_tech_gate_new(&gc);
	t->strings = g_ptr_array_new_with_free_func(g_free);
	booth_ui_set_technician_func(t->ui, on_input, t);
	t->tick_id = g_timeout_add(TICK_MS, on_tick, t);
	return t;
}

void booth_technician_free(BoothTechnician *t)
{
	if (t == NULL)
		return;
	if (t->checking) {
		g_cancellable_cancel(t->checking);
		g_clear_object(&t->checking);
	}
	close_screen(t, "booth stopping");
	booth_ui_set_technician_func(t->ui, NULL, NULL);
	g_clear_handle_id(&t->tick_id, g_source_remove);
	relais_tech_gate_free(t->gate);
	g_ptr_array_unref(t->strings);
	g_free(t->pin_hash);
	g_free(t);
}

JsonObject *booth_technician_status(BoothTechnician *t)
{
	gint64 now = g_get_monotonic_time();
	JsonObject *o = json_object_new();
	guint locked_s = 0;
	relais_tech_gate_locked(t->gate, now, &locked_s);
	json_object_set_boolean_member(o, "open", t->mode != BOOTH_UI_TECH_CLOSED);
	json_object_set_string_member(o, "mode", mode_name(t->mode));
	json_object_set_boolean_member(o, "set_up", t->pin_hash != NULL);
	json_object_set_int_member(o, "attempts_left", relais_tech_gate_attempts_left(t->gate, now));
	json_object_set_int_member(o, "locked_s", locked_s);
	json_object_set_boolean_member(o, "pin_wrong", t->pin_wrong);
	json_object_set_int_member(o, "pin_len", (gint64)strlen(t->pin));
	json_object_set_boolean_member(o, "checking", t->checking != NULL);
	json_object_set_boolean_member(o, "preview", t->previewing && booth_preview_running(t->booth));
	if (t->mode == BOOTH_UI_TECH_REPORT && t->report) {
		BoothUiTechItem items[16];
		guint n = build_items(t, items);
		JsonArray *a = json_array_new();
		for (guint i = 0; i < n; i++)
			json_array_add_string_element(a, items[i].label);
		json_object_set_array_member(o, "items", a);
		json_object_set_object_member(o, "report", json_object_ref(t->report));
	}
	return o;
}
