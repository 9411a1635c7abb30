/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The signaling parser and validator (firmware/lib/protocol.c), as each end
 * runs it: the switchboard on what a booth, an adviser or a guest sends, the booth
 * and the adviser page's twin on what the switchboard sends or relays.
 *
 * Input: one selector byte (bits 0-1: the sender role, RelaisRole's four; bit 2: hello already
 * accepted), then the message text. Beyond "no crash, no leak":
 *   - a refusal is a RELAIS_PROTO_ERROR, and the error reply the switchboard
 *     builds from it (quoting the hostile type name) is itself a valid
 *     message its receiver accepts;
 *   - an accepted message reads back through every accessor, and its object
 *     passes relais_msg_check() (what the switchboard relays as it came).
 */
#include "fuzz.h"
#include "protocol.h"

#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	relais_fuzz_init();
	return 0;
}

static void read_back(const RelaisMsg *msg)
{
	JsonObject *root = relais_msg_get_root(msg);
	g_assert(root != NULL);
	g_assert_cmpuint(relais_msg_get_type(msg), <, RELAIS_MSG_N_TYPES);
	g_autoptr(GList) members = json_object_get_members(root);
	for (GList *l = members; l; l = l->next) {
		(void)relais_msg_get_string(msg, l->data);
		(void)relais_msg_get_int(msg, l->data, 0);
		(void)relais_msg_get_object(msg, l->data);
		(void)relais_msg_get_array(msg, l->data);
	}
	g_autoptr(GError) error = NULL;
	if (!relais_msg_check(root, &error))
		g_error("accepted, then refused by relais_msg_check(): %s", error->message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	RelaisRole sender = (RelaisRole)(data[0] & 3);
	G_STATIC_ASSERT(RELAIS_ROLE_GUEST == 3);
	gboolean greeted = (data[0] >> 2) & 1;
	g_autofree char *type = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) msg = relais_msg_parse((const char *)data + 1, size - 1, sender, greeted, &type, &error);
	if (msg != NULL) {
		g_assert(error == NULL);
		read_back(msg);
		return 0;
	}
	g_assert(error != NULL && error->domain == RELAIS_PROTO_ERROR);
	g_autofree char *reply = relais_msg_error_from_gerror(error, type);
	g_autoptr(GError) reply_error = NULL;
	g_autoptr(RelaisMsg) back =
		relais_msg_parse(reply, strlen(reply), RELAIS_ROLE_SWITCHBOARD, TRUE, NULL, &reply_error);
	if (back == NULL)
		g_error("the error reply %s is refused: %s", reply, reply_error->message);
	return 0;
}
