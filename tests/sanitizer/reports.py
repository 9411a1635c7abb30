#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Reads the sanitizer report files of a test run (ASAN_OPTIONS log_path,
one file per process that reported) and says which ones fail the run.

usage: reports.py DIR

Every finding fails the run: an AddressSanitizer error, a UBSan runtime
error, a LeakSanitizer that could not run, a leak LSan did not suppress.
Each is tagged "relais" when a frame is Relais code (firmware/ or tests/),
else "third-party": a third-party leak is fixed at its Relais caller or gets
a named suppression in lsan.supp (README.md). Leaks are grouped by where
they were made (the first Relais frame, else the first frame past the
allocators); indirect leaks are listed only for a process without a direct
one (a reference cycle: every block of it is "indirect"). Prints one line per
distinct finding; exits 1 when there is one, 0 otherwise.
"""
import os
import re
import sys
from collections import OrderedDict

FRAME = re.compile(r'^\s*#(\d+) 0x[0-9a-f]+ in (\S+)(?: (.*))?$')
OURS = re.compile(r'(^|/)(firmware|tests)/[^ ]+\.[ch]:\d+')
# allocator and GLib/GObject allocation wrappers: not where a leak is decided
ALLOC = re.compile(r'^(__interceptor_|__asan_|operator new|malloc$|calloc$|realloc$|strdup$|g_malloc|g_malloc0|g_realloc|'
                   r'g_try_|g_slice_|g_strdup|g_strndup|g_memdup|g_new|g_type_create_instance|g_object_new|'
                   r'g_object_new_|g_object_newv|g_object_new_with_properties|g_object_new_valist|g_string_|'
                   r'g_bytes_new|g_array_|g_ptr_array_|g_hash_table_|g_list_|g_slist_|g_queue_)')


def frames_of(block):
    out = []
    for line in block:
        m = FRAME.match(line)
        if m:
            out.append((m.group(2), m.group(3) or ''))
    return out


def where(frames):
    """The first Relais frame, else the first frame past the allocator."""
    for fn, loc in frames:
        if OURS.search(loc):
            return True, f'{fn} {OURS.search(loc).group(0)}'
    for fn, loc in frames:
        if not ALLOC.match(fn):
            return False, f'{fn} ({os.path.basename(loc.strip("()").split("+")[0])})'
    return False, frames[0][0] if frames else '?'


def parse(path):
    """Yields (kind, ours, where, bytes) for each finding in one report file."""
    with open(path, errors='replace') as f:
        lines = f.read().splitlines()
    text = '\n'.join(lines)
    if 'LeakSanitizer has encountered a fatal error' in text:
        yield ('lsan-fatal', True, 'LeakSanitizer could not run (see the file)', 0)
    for i, line in enumerate(lines):
        if 'runtime error:' in line:
            yield ('ubsan', True, line.split('runtime error:', 1)[0].strip() + ' ' + line.split('runtime error:', 1)[1].strip(), 0)
        m = re.search(r'ERROR: AddressSanitizer: (\S+)', line)
        if m:
            fr = frames_of(lines[i + 1:i + 60])
            ours, w = where(fr)
            yield ('asan ' + m.group(1), True, w, 0)
        m = re.match(r'^(Direct|Indirect) leak of (\d+) byte', line)
        if m:
            block = []
            for l2 in lines[i + 1:]:
                if not l2.strip():
                    break
                block.append(l2)
            ours, w = where(frames_of(block))
            yield (m.group(1).lower() + ' leak', ours, w, int(m.group(2)))


def main():
    d = sys.argv[1]
    names = sorted(n for n in os.listdir(d) if os.path.isfile(os.path.join(d, n))) if os.path.isdir(d) else []
    groups = OrderedDict()
    for n in names:
        # log_path=DIR/asan with log_exe_name: asan.EXE.PID
        parts = n.split('.')
        exe = '.'.join(parts[1:-1]) or n
        found = list(parse(os.path.join(d, n)))
        cycle_only = not any(k == 'direct leak' for k, _, _, _ in found)
        for kind, ours, w, nbytes in found:
            if kind == 'indirect leak' and not cycle_only:
                continue
            g = groups.setdefault((kind, w), {'ours': ours, 'bytes': 0, 'count': 0, 'files': [], 'exes': set()})
            g['bytes'] += nbytes
            g['count'] += 1
            g['exes'].add(exe)
            if len(g['files']) < 3:
                g['files'].append(n)
    bad = 0
    for (kind, w), g in groups.items():
        bad += 1
        tag = 'relais' if g['ours'] else 'third-party'
        print(f'  SANITIZER {kind} ({tag}) in {w}: {g["count"]}x, {g["bytes"]} bytes, '
              f'{", ".join(sorted(g["exes"]))}; e.g. {d}/{g["files"][0]}')
    print(f'  sanitizer reports: {len(names)} files, {bad} distinct findings')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
