// SPDX-License-Identifier: GPL-2.0-or-later
// The booking screen's QR codes as a phone would read them: a screenshot
// (PNG) through GStreamer's zbar element (gst-launch-1.0 -m prints each
// symbol in a message), and the calendar event one of them holds parsed as
// RFC 5545 says (CRLF lines of at most 75 octets, folded with a space).

import { run } from './procs.mjs';

// GstStructure's string form: a backslash before any byte but [A-Za-z0-9_+-/:.],
// and bytes outside printable ASCII as three octal digits.
function unwrapGstString(s) {
  const bytes = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') {
      bytes.push(s.charCodeAt(i));
    } else if (/^[0-7]{3}$/.test(s.slice(i + 1, i + 4))) {
      bytes.push(parseInt(s.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(s.charCodeAt(++i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

// Every QR code zbar reads in `png`, as text.
export async function readQrCodes(png) {
  const r = await run('gst-launch-1.0', ['-m', 'filesrc', `location=${png}`, '!', 'pngdec', '!', 'videoconvert', '!', 'zbar', '!', 'fakesink'], {
    timeout: 30000,
  });
  if (r.code !== 0) throw new Error(`gst-launch-1.0 zbar on ${png}: exit ${r.code}: ${r.stderr}`);
  const out = [];
  for (const m of r.stdout.matchAll(/type=\(string\)QR-Code, symbol=\(string\)"((?:[^"\\]|\\.)*)"/g)) out.push(unwrapGstString(m[1]));
  return out;
}

// Parses an iCalendar object; throws on a line that breaks the format
// (no CRLF, longer than 75 octets, a bare CR or LF, a fold with nothing to
// continue). Returns {lines: the unfolded content lines, props: [{name,
// params, value}], components: the nesting of BEGIN/END, checked}.
export function parseICalendar(text) {
  if (!text.endsWith('\r\n')) throw new Error('the last line does not end in CRLF');
  const physical = text.slice(0, -2).split('\r\n');
  const lines = [];
  for (const p of physical) {
    if (/[\r\n]/.test(p)) throw new Error(`a bare CR or LF in ${JSON.stringify(p)}`);
    const octets = Buffer.byteLength(p, 'utf8');
    if (octets > 75) throw new Error(`a line of ${octets} octets: ${JSON.stringify(p)}`);
    if (p.startsWith(' ') || p.startsWith('\t')) {
      if (!lines.length) throw new Error('a continuation line first');
      lines[lines.length - 1] += p.slice(1);
    } else {
      lines.push(p);
    }
  }
  const props = lines.map((l) => {
    const m = /^([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$/.exec(l);
    if (!m) throw new Error(`not a content line: ${JSON.stringify(l)}`);
    return { name: m[1].toUpperCase(), params: m[2], value: m[3] };
  });
  const stack = [];
  const components = [];
  for (const p of props) {
    if (p.name === 'BEGIN') {
      stack.push(p.value);
      components.push(stack.join('/'));
    } else if (p.name === 'END') {
      if (stack.pop() !== p.value) throw new Error(`END:${p.value} closes nothing`);
    } else if (!stack.length) {
      throw new Error(`${p.name} outside any component`);
    }
  }
  if (stack.length) throw new Error(`${stack.join('/')} not closed`);
  return { lines, props, components };
}

// A TEXT value unescaped (RFC 5545 3.3.11).
export function icalText(value) {
  return value.replace(/\\([\\;,nN])/g, (_, c) => (c === 'n' || c === 'N' ? '\n' : c));
}

// "20261124T080000Z" for an ISO time with an offset: the same instant in UTC.
export function icalUtc(iso) {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}
