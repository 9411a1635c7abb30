/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What an unauthenticated client sends the switchboard before any account
 * is known: the sign-in body (POST /api/login, a JSON object or a urlencoded
 * form: sb_http_parse_credentials) and the Cookie header that carries a
 * sign-in token (sb_http_cookie_token), both in firmware/switchboard/http.c.
 *
 * Input: one selector byte (0: JSON body, 1: form body, 2: Cookie header,
 * 3: a body of another type), then the bytes. Beyond "no crash, no leak": an
 * accepted sign-in has two non-empty UTF-8 strings, a refused one a reason
 * and nothing else; a token is non-empty, short and has no separator.
 */
#include "fuzz.h"
#include "auth.h"
#include "http.h"

#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	relais_fuzz_init();
	return 0;
}

static const char *const types[] = {"application/json", "application/x-www-form-urlencoded", NULL, "text/plain"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || data[0] > 3)
		return 0;
	const char *body = (const char *)data + 1;
	gsize len = size - 1;
	if (data[0] == 2) {
		g_autofree char *header = relais_fuzz_strndup(data + 1, len);
		g_autofree char *token = sb_http_cookie_token(header);
		if (token) {
			g_assert_cmpuint(strlen(token), >, 0);
			g_assert_cmpuint(strlen(token), <=, 2 * SB_AUTH_TOKEN_CHARS);
			g_assert(strpbrk(token, ";,") == NULL);
		}
		return 0;
	}
	char *login = (char *)"unset", *password = (char *)"unset";
	const char *why = NULL;
	if (sb_http_parse_credentials(types[data[0]], len ? body : NULL, len, &login, &password, &why)) {
		g_assert(login && *login && g_utf8_validate(login, -1, NULL));
		g_assert(password && *password && g_utf8_validate(password, -1, NULL));
		g_free(login);
		g_free(password);
	} else {
		g_assert(why != NULL);
		g_assert(login == NULL && password == NULL);
	}
	return 0;
}
