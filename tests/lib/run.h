/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run: the integration tests' way to run a command and keep its exit
 * status and output (relaisctl, the image and RAUC scripts, mkfs, sfdisk…),
 * written once for every test that drives a tool.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
	int status; /* the exit status, -1 when killed by a signal */
	char *out, *err;
} RtRun;
void rt_run_clear(RtRun *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RtRun, rt_run_clear)

/* Runs argv with `env` (NAME=VALUE strings, NULL-terminated; nullable)
 * added to the environment and `input` (nullable: empty) on standard
 * input. The input comes from a file, not a pipe: a program that refuses
 * its options before reading would otherwise fail the test on a closed
 * pipe. */
void rt_run(RtRun *r, const char *const *argv, const char *const *env, const char *input);
/* rt_run that must exit 0 (the test stops with its output otherwise). */
void rt_run_ok(const char *const *argv, const char *const *env, const char *input);
/* The path of program `name`, looked for in PATH then /usr/sbin (mkfs,
 * sfdisk are outside a user's PATH); the test stops naming `packages` when
 * it is missing. Returns: (transfer full) */
char *rt_tool(const char *name, const char *packages);

G_END_DECLS
