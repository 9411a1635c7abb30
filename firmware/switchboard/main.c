/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-switchboard"

#include "server.h"
#include "relais-config.h"

#include "mainloop.h"
#include <locale.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	/* option values (site names) are UTF-8 text: GOption needs the locale */
	setlocale(LC_ALL, "");
	int port = CONFIG_RELAIS_SB_PORT;
	g_autofree char *bind = g_strdup("127.0.0.1");
	g_autofree char *assets = g_strdup(CONFIG_RELAIS_SB_ASSETS_DIR);
	g_auto(GStrv) ice = NULL;
	GOptionEntry entries[] = {
		{"port", 'p', 0, G_OPTION_ARG_INT, &port, "HTTP port (0: any free port, printed)", "PORT"},
		{"bind", 'b', 0, G_OPTION_ARG_STRING, &bind, "Address to listen on (default 127.0.0.1)", "ADDR"},
		{"assets", 'a', 0, G_OPTION_ARG_FILENAME, &assets, "Adviser console folder (assets/web)", "DIR"},
		{"ice-server", 0, 0, G_OPTION_ARG_STRING_ARRAY, &ice,
		 "STUN/TURN URI handed to both ends (stun://host:port), repeatable", "URI"},
		{NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- Relais switchboard");
	g_option_context_set_summary(ctx, "Connects visitors at Relais booths with advisers in a browser.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "relais-switchboard: %s\n", error->message);
		return 2;
	}
	if (port < 0 || port > 65535) {
		fprintf(stderr, "relais-switchboard: --port must be 0..65535\n");
		return 2;
	}
	for (char **s = ice; s && *s; s++) {
		if (!g_str_has_prefix(*s, "stun://") && !g_str_has_prefix(*s, "turn://") &&
		    !g_str_has_prefix(*s, "turns://")) {
			fprintf(stderr,
				"relais-switchboard: --ice-server '%s' must start with stun://, turn:// or turns://\n",
				*s);
			return 2;
		}
	}
	if (!g_file_test(assets, G_FILE_TEST_IS_DIR))
		g_warning("adviser console folder '%s' does not exist: only the API will be served", assets);

	SbServerConfig config = {
		.bind = bind,
		.port = (guint)port,
		.assets_dir = assets,
		.hub =
			{
				.max_booths = CONFIG_RELAIS_SB_MAX_BOOTHS,
				.max_advisers = CONFIG_RELAIS_SB_MAX_ADVISERS,
				.max_queue = CONFIG_RELAIS_SB_MAX_QUEUE,
				.max_errors = CONFIG_RELAIS_SB_MAX_ERRORS,
				.ice_servers = ice,
			},
	};
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	g_autoptr(SbServer) server = sb_server_new(&config, &error);
	if (server == NULL) {
		fprintf(stderr, "relais-switchboard: %s\n", error->message);
		return 1;
	}
	/* Tests and the demo read this line to learn the port. */
	printf("relais-switchboard: listening on http://%s:%u/\n", bind, sb_server_get_port(server));
	fflush(stdout);

	relais_main_loop_run(loop);
	return 0;
}
