/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The booth's settings file (firmware/lib/boothconf.c), read at every
 * boot from the FAT boot partition anyone with the card in hand can write.
 * Beyond "no crash, no leak": an accepted file validates, writes back
 * (relais_boothconf_to_data) and reads again to the same settings.
 */
#include "fuzz.h"
#include "boothconf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	relais_fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisBoothConf) conf = relais_boothconf_parse((const char *)data, size, &error);
	if (conf == NULL) {
		g_assert(error != NULL && error->domain == RELAIS_BOOTHCONF_ERROR);
		return 0;
	}
	g_autoptr(GError) again = NULL;
	if (!relais_boothconf_validate(conf, &again))
		g_error("parsed, then refused by validate: %s", again->message);
	gsize len = 0;
	g_autofree char *text = relais_boothconf_to_data(conf, &len, &again);
	if (text == NULL)
		g_error("parsed, then not written back: %s", again->message);
	g_autoptr(RelaisBoothConf) back = relais_boothconf_parse(text, len, &again);
	if (back == NULL)
		g_error("written back, then refused: %s", again->message);
	g_assert_cmpstr(back->switchboard_url, ==, conf->switchboard_url);
	g_assert_cmpstr(back->ca_pem, ==, conf->ca_pem);
	g_assert_cmpstr(back->name, ==, conf->name);
	g_assert_cmpstr(back->site, ==, conf->site);
	g_assert_cmpstr(back->token, ==, conf->token);
	g_assert_cmpstr(back->pin_hash, ==, conf->pin_hash);
	g_assert_cmpstr(back->wifi_ssid, ==, conf->wifi_ssid);
	g_assert_cmpstr(back->wifi_psk, ==, conf->wifi_psk);
	return 0;
}
