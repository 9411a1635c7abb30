# SPDX-License-Identifier: GPL-2.0-or-later
# The one place the sanitizer pass's run-time options are set (README.md).
# Sourced by tests/run-all.sh for its "asan" suite with $1 = the folder the
# reports go to; every process of the run (test programs, relais-booth,
# relais-switchboard, relaisctl...) inherits them.
san_reports=$1
san_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$san_reports"
# log_path: one report file per process that reports (asan.EXE.PID), read by
#   reports.py after the run: a report fails the run even when the test that
#   started the process passed
# exitcode=0 + abort_on_error=1: a memory error or a UBSan runtime error
#   aborts the process at once (the test sees a crash), while leaks, found
#   only at exit, leave the exit status alone (a test that checks a clean
#   exit still means what it says) and fail the run through their report
# fast_unwind_on_malloc=0: GLib, GStreamer and OpenSSL are built without frame
#   pointers, so the fast unwinder stops at g_malloc and a leak could not be
#   traced to the Relais code that made it (nor suppressed by library name)
# intercept_tls_get_addr=0: Debian 12's LeakSanitizer (GCC 12) misreads the
#   dynamic TLS of modules loaded with dlopen (GIO's TLS module, GStreamer
#   plugins) under glibc 2.36 and dies in the middle of its check ("Tracer
#   caught signal 11", "DTLS ... at 0x000400000464"); without the hook those
#   blocks are still found through the thread's DTV, an ordinary heap block
# detect_stack_use_after_return=0: GLib's and GStreamer's threads switch
#   stacks in ways the fake-stack mode reports falsely; the rest stays on
export ASAN_OPTIONS="detect_leaks=1:log_path=$san_reports/asan:log_exe_name=1:exitcode=0:abort_on_error=1:halt_on_error=1:fast_unwind_on_malloc=0:intercept_tls_get_addr=0:detect_stack_use_after_return=0:strict_init_order=1:check_initialization_order=1"
export LSAN_OPTIONS="suppressions=$san_dir/lsan.supp:print_suppressions=0"
# -fno-sanitize-recover=undefined: the first runtime error ends the process
export UBSAN_OPTIONS="log_path=$san_reports/ubsan:log_exe_name=1:print_stacktrace=1:halt_on_error=1:abort_on_error=1"
# GLib's slice allocator would hide each block inside its own magazines:
# plain malloc lets LSan see every one (GLib >= 2.76 ignores this: already so)
export G_SLICE=always-malloc
# GLib clears memory it frees to the allocator, so stale pointers in freed
# blocks do not keep a leak looking reachable
export G_DEBUG=gc-friendly
