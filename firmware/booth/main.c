/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-booth"

#include "booth.h"
#include "control.h"
#include "protocol.h"
#include "relais-config.h"

#include "mainloop.h"
#include <gst/gst.h>
#include <locale.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	/* option values (site names) are UTF-8 text: GOption needs the locale */
	setlocale(LC_ALL, "");
	g_autofree char *url = g_strdup(CONFIG_RELAIS_BOOTH_SWITCHBOARD_URL);
	g_autofree char *booth_id = NULL;
	g_autofree char *site = NULL;
	g_autofree char *board = g_strdup(CONFIG_RELAIS_BOARD);
	g_autofree char *pipelines = g_strdup(CONFIG_RELAIS_BOOTH_PIPELINES_DIR);
	g_autofree char *control_path = NULL;
	GOptionEntry entries[] = {
		{"switchboard", 's', 0, G_OPTION_ARG_STRING, &url, "Switchboard WebSocket URL", "URL"},
		{"booth-id", 'i', 0, G_OPTION_ARG_STRING, &booth_id, "This booth's id (default: host name)", "ID"},
		{"site", 0, 0, G_OPTION_ARG_FILENAME, &site, "Site name shown to advisers", "NAME"},
		{"board", 0, 0, G_OPTION_ARG_STRING, &board, "Board (folder under pipelines/)", "NAME"},
		{"pipelines", 0, 0, G_OPTION_ARG_FILENAME, &pipelines, "pipelines/ folder", "DIR"},
		{"control", 'c', 0, G_OPTION_ARG_FILENAME, &control_path, "Control socket path", "PATH"},
		{NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- Relais booth");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_add_group(ctx, gst_init_get_option_group());
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "relais-booth: %s\n", error->message);
		return 2;
	}
	/* --site is taken as raw bytes (FILENAME) so that a UTF-8 name works
	 * whatever the locale of the service manager; it must be UTF-8 */
	if (site && !g_utf8_validate(site, -1, NULL)) {
		fprintf(stderr, "relais-booth: --site must be UTF-8 text\n");
		return 2;
	}
	if (booth_id == NULL)
		booth_id = g_strdup(g_get_host_name());
	if (!relais_proto_valid_id(booth_id)) {
		fprintf(stderr, "relais-booth: booth id '%s' must be 1-%d characters of A-Z a-z 0-9 . _ : -\n",
			booth_id, CONFIG_RELAIS_PROTO_MAX_ID);
		return 2;
	}
	if (!relais_proto_valid_id(board)) {
		fprintf(stderr, "relais-booth: board '%s' is not a valid name\n", board);
		return 2;
	}
	gst_init(NULL, NULL);

	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	BoothConfig config = {
		.switchboard_url = url,
		.booth_id = booth_id,
		.site = site,
		.board = board,
		.pipelines_dir = pipelines,
	};
	g_autoptr(Booth) booth = booth_new(&config);
	g_autoptr(BoothControl) control = NULL;
	if (control_path) {
		control = booth_control_new(booth, control_path, &error);
		if (control == NULL) {
			fprintf(stderr, "relais-booth: %s\n", error->message);
			return 1;
		}
	}
	booth_start(booth);
	g_message("booth %s (board %s) started, switchboard %s", booth_id, board, url);

	relais_main_loop_run(loop);
	return 0;
}
