/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-bookings"

#include "booth-bookings.h"
#include "booking.h"

const char *booth_booking_reason_name(BoothBookingReason reason)
{
	g_return_val_if_fail(reason < BOOTH_BOOKING_N_REASONS, "failed");
	return relais_booking_reasons[reason];
}

gboolean booth_booking_reason_from_name(const char *name, BoothBookingReason *reason)
{
	for (guint i = 0; i < BOOTH_BOOKING_N_REASONS && relais_booking_reasons[i]; i++) {
		if (g_strcmp0(name, relais_booking_reasons[i]) == 0) {
			*reason = (BoothBookingReason)i;
			return TRUE;
		}
	}
	return FALSE;
}

static void set_optional(JsonObject *o, const char *name, const char *value, gboolean (*valid)(const char *))
{
	if (value && *value && valid(value))
		json_object_set_string_member(o, name, value);
}

JsonObject *booth_booking_slots_msg(const char *language, const char *topic)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_BOOKING_SLOTS);
	set_optional(o, "language", language, relais_proto_valid_lang);
	set_optional(o, "topic", topic, relais_proto_valid_id);
	return o;
}

JsonObject *booth_book_msg(const char *start, const char *end, const char *language, const char *topic, GError **error)
{
	if (!relais_proto_valid_time(start) || !relais_proto_valid_time(end)) {
		g_set_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD, "a slot needs two ISO 8601 times");
		return NULL;
	}
	JsonObject *o = relais_msg_new(RELAIS_MSG_BOOK);
	json_object_set_string_member(o, "start", start);
	json_object_set_string_member(o, "end", end);
	set_optional(o, "language", language, relais_proto_valid_lang);
	set_optional(o, "topic", topic, relais_proto_valid_id);
	return o;
}

JsonObject *booth_check_in_msg(const char *code, GError **error)
{
	if (!relais_booking_code_valid(code)) {
		g_set_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD, "not a booking code");
		return NULL;
	}
	JsonObject *o = relais_msg_new(RELAIS_MSG_CHECK_IN);
	json_object_set_string_member(o, "code", code);
	return o;
}

/* The switchboard's answers (validated by the protocol), typed. */
gboolean booth_booking_answer_from_msg(RelaisMsg *msg, GArray *slots, BoothBookingAnswer *answer)
{
	BoothBookingAnswer a = {.retry_s = -1};
	switch (relais_msg_get_type(msg)) {
	case RELAIS_MSG_BOOKING_OFFER: {
		a.kind = BOOTH_BOOKING_SLOTS;
		JsonArray *list = relais_msg_get_array(msg, "slots");
		for (guint i = 0; list && i < json_array_get_length(list); i++) {
			JsonObject *o = json_array_get_object_element(list, i);
			BoothSlot slot = {json_object_get_string_member(o, "start"),
					  json_object_get_string_member(o, "end")};
			g_array_append_val(slots, slot);
		}
		a.slots = (const BoothSlot *)slots->data;
		a.n_slots = slots->len;
		break;
	}
	case RELAIS_MSG_BOOKED:
		a.kind = BOOTH_BOOKING_BOOKED;
		a.code = relais_msg_get_string(msg, "code");
		a.start = relais_msg_get_string(msg, "start");
		a.end = relais_msg_get_string(msg, "end");
		a.site = relais_msg_get_string(msg, "site");
		a.address = relais_msg_get_string(msg, "address");
		break;
	case RELAIS_MSG_CHECKED_IN:
		a.kind = BOOTH_BOOKING_CHECKED_IN;
		a.language = relais_msg_get_string(msg, "language");
		a.topic = relais_msg_get_string(msg, "topic");
		break;
	case RELAIS_MSG_BOOKING_ERROR:
		a.kind = BOOTH_BOOKING_REFUSED;
		if (!booth_booking_reason_from_name(relais_msg_get_string(msg, "reason"), &a.reason))
			a.reason = BOOTH_BOOKING_FAILED;
		a.retry_at = relais_msg_get_string(msg, "retry_at");
		a.retry_s = (int)relais_msg_get_int(msg, "retry_s", -1);
		break;
	default:
		return FALSE;
	}
	*answer = a;
	return TRUE;
}
