/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A booth's booking requests in the hub (PROTOCOL.md "Bookings"): the
 * state is checked and wrong check-in codes rate-limited here, the store
 * answers through the services (bookings.c), and the hub turns the typed
 * result into the booth's reply. Also the booking a request comes with. */
#define G_LOG_DOMAIN "relais-hub"

#include "hub-private.h"

/* What the booths' booking requests came to, for /metrics. */
typedef enum { OUTCOME_BOOKED, OUTCOME_CHECKED_IN, OUTCOME_REFUSED, OUTCOME_RATE_LIMITED } BookingOutcome;
static const char *const booking_outcome_names[] = {"booked", "checked_in", "refused", "rate_limited"};

/* A request's booking: not waiting on another ticket, and checked in (the
 * store, through the services) at this booth's site today and not made
 * into a call already (booking_use marks it; the store keeps that across
 * restarts). Replies the error itself (without the code: booths log
 * errors). */
gboolean hub_booking_usable(SbHub *hub, SbPeer *peer, const char *code)
{
	for (GList *l = hub->queue.head; l; l = l->next) {
		SbTicket *t = l->data;
		if (g_strcmp0(t->booking, code) == 0) {
			hub_send_error(hub, peer, RELAIS_PROTO_ERROR_GONE, "request",
				       "this booking is already waiting at booth %s", t->booth->booth_id);
			return FALSE;
		}
	}
	g_autofree char *why = NULL;
	if (hub->services.booking_verify == NULL ||
	    !hub->services.booking_verify(peer->site, code, &why, hub->services_data)) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_STATE, "request", "this booking cannot be used: %s",
			       why ? why : "bookings are not verified by this switchboard");
		return FALSE;
	}
	return TRUE;
}

/* The booth's refused check-ins within the window, oldest dropped. */
static GArray *checkin_failures(SbHub *hub, SbPeer *booth, gint64 now)
{
	GArray *a = g_hash_table_lookup(hub->checkin_failures, booth->booth_id);
	if (a == NULL) {
		a = g_array_new(FALSE, FALSE, sizeof(gint64));
		g_hash_table_insert(hub->checkin_failures, g_strdup(booth->booth_id), a);
	}
	gint64 window = (gint64)hub->config.checkin_window_s * G_USEC_PER_SEC;
	guint old = 0;
	while (old < a->len && now - g_array_index(a, gint64, old) >= window)
		old++;
	if (old)
		g_array_remove_range(a, 0, old);
	return a;
}

/* The booth's reply to a booking request of `type` from the service's typed
 * result (NULL: the switchboard takes no bookings). */
static JsonObject *booking_reply(RelaisMsgType type, const SbBookingsResult *r)
{
	const char *ref = relais_msg_type_name(type);
	if (r == NULL)
		return relais_msg_booking_error(ref, "failed", "this switchboard takes no bookings");
	if (r->outcome != SB_BOOKINGS_OK) {
		JsonObject *o = relais_msg_booking_error(ref, sb_bookings_outcome_reason(r->outcome), r->message);
		if (r->retry_at)
			json_object_set_string_member(o, "retry_at", r->retry_at);
		if (r->retry_s > 0)
			json_object_set_int_member(o, "retry_s", r->retry_s);
		return o;
	}
	if (type == RELAIS_MSG_BOOK)
		return relais_msg_booked(r->code, r->time.start, r->time.end, r->site, r->address);
	if (type == RELAIS_MSG_CHECK_IN)
		return relais_msg_checked_in(r->code, r->time.start, r->time.end, r->language, r->topic);
	JsonObject *o = relais_msg_booking_offer();
	for (guint i = 0; r->slots && i < r->slots->len; i++) {
		const SbBookingsSlot *s = &g_array_index(r->slots, SbBookingsSlot, i);
		relais_msg_booking_offer_add(o, s->start, s->end);
	}
	return o;
}

/* The outcome of a reply, for /metrics. */
static void count_reply(SbHub *hub, RelaisMsgType type, const SbBookingsResult *result)
{
	if (result == NULL || result->outcome != SB_BOOKINGS_OK)
		hub->booking_outcomes[OUTCOME_REFUSED]++;
	else if (type == RELAIS_MSG_BOOK)
		hub->booking_outcomes[OUTCOME_BOOKED]++;
	else if (type == RELAIS_MSG_CHECK_IN)
		hub->booking_outcomes[OUTCOME_CHECKED_IN]++;
}

/* A booth's slot search sent to booking_slots_async: answered to that
 * connection of that booth, if it is still there when the answer comes.
 * `hub` is NULL once the hub is gone. */
typedef struct {
	SbHub *hub;
	char *booth_id;
	char *conn_id;
} HubSlotAsk;

static void slot_ask_free(HubSlotAsk *ask)
{
	g_free(ask->booth_id);
	g_free(ask->conn_id);
	g_free(ask);
}

static void on_slots(SbBookingsResult *result_in, gpointer reply_data)
{
	g_autoptr(SbBookingsResult) result = result_in;
	HubSlotAsk *ask = reply_data;
	SbHub *hub = ask->hub;
	if (hub) {
		g_ptr_array_remove_fast(hub->slot_asks, ask);
		SbPeer *peer = g_hash_table_lookup(hub->booths, ask->booth_id);
		if (peer && g_strcmp0(peer->conn_id, ask->conn_id) == 0) {
			count_reply(hub, RELAIS_MSG_BOOKING_SLOTS, result);
			hub_send_obj(hub, peer, booking_reply(RELAIS_MSG_BOOKING_SLOTS, result));
		} else {
			g_debug("booth %s: its slot search came back after its link went", ask->booth_id);
		}
	}
	slot_ask_free(ask);
}

void hub_bookings_shutdown(SbHub *hub)
{
	for (guint i = 0; i < hub->slot_asks->len; i++)
		((HubSlotAsk *)g_ptr_array_index(hub->slot_asks, i))->hub = NULL;
	g_ptr_array_set_size(hub->slot_asks, 0);
}

/* booking_slots, book, check_in: idle booths only; the services (the
 * store) answer, the hub replies. */
void hub_handle_booking(SbHub *hub, SbPeer *peer, RelaisMsg *msg)
{
	RelaisMsgType type = relais_msg_get_type(msg);
	const char *ref = relais_msg_type_name(type);
	if (!hub_booth_step(peer, SB_BOOTH_EV_BOOKING)) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_STATE, ref, "'%s' needs an idle booth (this one is %s)",
			       ref, hub_booth_state(peer));
		return;
	}
	g_autoptr(SbBookingsResult) result = NULL;
	JsonObject *reply = NULL;
	if (peer->site == NULL || *peer->site == '\0') {
		reply = relais_msg_booking_error(ref, "no_site", "this booth's hello names no site");
	} else if (type == RELAIS_MSG_BOOKING_SLOTS && hub->services.booking_slots_async) {
		/* the search reads the store off the main loop: answered later */
		HubSlotAsk *ask = g_new0(HubSlotAsk, 1);
		*ask = (HubSlotAsk){hub, g_strdup(peer->booth_id), g_strdup(peer->conn_id)};
		g_ptr_array_add(hub->slot_asks, ask);
		hub->services.booking_slots_async(peer->site, relais_msg_get_string(msg, "language"),
						  relais_msg_get_string(msg, "topic"), on_slots, ask,
						  hub->services_data);
		return;
	} else if (type == RELAIS_MSG_BOOKING_SLOTS) {
		if (hub->services.booking_slots)
			result = hub->services.booking_slots(peer->site, relais_msg_get_string(msg, "language"),
							     relais_msg_get_string(msg, "topic"), hub->services_data);
	} else if (type == RELAIS_MSG_BOOK) {
		if (hub->services.booking_book)
			result = hub->services.booking_book(peer->site, relais_msg_get_string(msg, "start"),
							    relais_msg_get_string(msg, "end"),
							    relais_msg_get_string(msg, "language"),
							    relais_msg_get_string(msg, "topic"), hub->services_data);
	} else {
		gint64 now = hub_now_us(hub);
		GArray *failures = checkin_failures(hub, peer, now);
		if (failures->len >= hub->config.checkin_max_failures) {
			gint64 window = (gint64)hub->config.checkin_window_s * G_USEC_PER_SEC;
			gint64 wait = g_array_index(failures, gint64, 0) + window - now;
			reply = relais_msg_booking_error(ref, "wait", "too many codes refused at this booth: wait");
			json_object_set_int_member(reply, "retry_s",
						   MAX(1, (wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC));
			hub->booking_outcomes[OUTCOME_RATE_LIMITED]++;
			g_message("booth %s: check-in refused, %u codes refused within %u s", peer->booth_id,
				  failures->len, hub->config.checkin_window_s);
		} else if (hub->services.booking_check_in) {
			result = hub->services.booking_check_in(peer->site, relais_msg_get_string(msg, "code"),
								hub->services_data);
			/* a store that cannot write now (a full disk) refuses no
			 * code: only the code's own refusals count as guesses */
			if (result && result->outcome != SB_BOOKINGS_OK && result->outcome != SB_BOOKINGS_FAILED)
				g_array_append_val(failures, now);
		}
	}
	if (reply == NULL) {
		reply = booking_reply(type, result);
		count_reply(hub, type, result);
	} else if (!g_str_equal(json_object_get_string_member(reply, "reason"), "wait")) {
		hub->booking_outcomes[OUTCOME_REFUSED]++;
	}
	hub_send_obj(hub, peer, reply);
}

void hub_bookings_metrics(SbHub *hub, GString *out)
{
	g_string_append(out, "# HELP relais_bookings_total Booking requests of booths by outcome (booked, checked in, "
			     "refused, refused as too many wrong codes).\n"
			     "# TYPE relais_bookings_total counter\n");
	for (guint i = 0; i < G_N_ELEMENTS(booking_outcome_names); i++)
		g_string_append_printf(out, "relais_bookings_total{outcome=\"%s\"} %" G_GUINT64_FORMAT "\n",
				       booking_outcome_names[i], hub->booking_outcomes[i]);
}
