/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "secretline.h"

#include <string.h>
#include <termios.h>
#include <unistd.h>

char *relais_read_secret_line(FILE *in, const char *prompt, gsize max_bytes)
{
	int fd = fileno(in);
	gboolean tty = fd >= 0 && isatty(fd);
	struct termios saved, quiet;
	if (tty) {
		fprintf(stderr, "%s", prompt);
		fflush(stderr);
		if (tcgetattr(fd, &saved) == 0) {
			quiet = saved;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			(void)tcsetattr(fd, TCSAFLUSH, &quiet);
		} else {
			tty = FALSE;
		}
	}
	/* room for the longest line, CR, LF and the terminator */
	gsize size = max_bytes + 3;
	char *buf = g_malloc0(size);
	char *got = fgets(buf, (int)MIN(size, (gsize)G_MAXINT), in);
	if (tty) {
		(void)tcsetattr(fd, TCSAFLUSH, &saved);
		fputc('\n', stderr);
	}
	char *out = NULL;
	if (got != NULL) {
		gsize len = strlen(buf);
		gboolean whole = len > 0 && buf[len - 1] == '\n';
		if (whole)
			buf[--len] = '\0';
		if (len > 0 && buf[len - 1] == '\r')
			buf[--len] = '\0';
		/* longer than any secret (or cut off by the buffer) */
		if (len > max_bytes)
			len = 0;
		out = g_strndup(buf, len);
	}
	memset(buf, 0, size);
	g_free(buf);
	return out;
}
