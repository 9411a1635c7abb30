/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz: what every libFuzzer harness of tests/fuzz/ shares (README.md).
 *
 * A harness defines LLVMFuzzerTestOneInput() and calls relais_fuzz_init()
 * from LLVMFuzzerInitialize(). Nothing a harness finds may be hidden: a
 * g_critical (a g_return_if_fail reached by input), an assertion, a
 * sanitizer report or a leak ends the run with the input saved.
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Criticals and errors abort (after being printed); warnings, messages and
 * debug output are dropped: hostile input is expected to be refused with a
 * warning, and printing it would only slow the fuzzer down. */
void relais_fuzz_init(void);

/* A known third-party critical that is not to end the run (at most 4): its
 * log domain and the start of its message. For a bug outside Relais that input
 * reaches and Relais cannot avoid; the harness says which and why. */
void relais_fuzz_allow_critical(const char *domain, const char *message_prefix);

/* The input as a NUL-terminated string (the parsers under test take text). */
char *relais_fuzz_strndup(const uint8_t *data, size_t size);

G_END_DECLS
