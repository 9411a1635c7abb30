// SPDX-License-Identifier: GPL-2.0-or-later
// Documents for the "show a document" tests, made here (no fixture files):
// a minimal multi-page PDF poppler opens (each page one solid colour, so
// that a screenshot says which page is drawn), a solid PNG, and a PNG
// reader for the booth's screenshots (8-bit RGB/RGBA, as SDL_image writes).

import zlib from 'node:zlib';

// colours: one [r, g, b] (0..1) per page. A4, the page filled with it.
// comment: a line of text carried in the file (a canary for memory scans).
export function makePdf(colours, { comment = null } = {}) {
  const objs = [];
  objs[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  const kids = colours.map((_, i) => `${3 + 2 * i} 0 R`).join(' ');
  objs[2] = `<< /Type /Pages /Kids [${kids}] /Count ${colours.length} >>`;
  colours.forEach((c, i) => {
    const content = `${c.map((v) => v.toFixed(3)).join(' ')} rg 0 0 595 842 re f`;
    objs[3 + 2 * i] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${4 + 2 * i} 0 R >>`;
    objs[4 + 2 * i] = `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
  });
  let out = `%PDF-1.4\n${comment ? `% ${comment}\n` : ''}`;
  const offsets = [];
  for (let i = 1; i < objs.length; i++) {
    offsets[i] = Buffer.byteLength(out, 'latin1');
    out += `${i} 0 obj\n${objs[i]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objs.length}\n0000000000 65535 f \n`;
  for (let i = 1; i < objs.length; i++) out += `${String(offsets[i]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

// A w x h PNG of one colour rgb ([0..255] x 3).
export function makePng(w, h, rgb) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc(h * (1 + 3 * w));
  for (let y = 0; y < h; y++) {
    const row = y * (1 + 3 * w);
    for (let x = 0; x < w; x++) raw.set(rgb, row + 1 + 3 * x);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Screenshots are read by png.mjs (one PNG reader for the e2e tests).
export { readPng } from './png.mjs';

// The share of pixels in the w x h box centred on (cx, cy) within `tol` of rgb.
export function shareOfColour(img, cx, cy, rgb, { w = 40, h = 40, tol = 40 } = {}) {
  let hits = 0;
  let n = 0;
  for (let y = cy - h / 2; y < cy + h / 2; y++) {
    for (let x = cx - w / 2; x < cx + w / 2; x++) {
      const p = img.pixel(x, y);
      n++;
      if (p.every((v, i) => Math.abs(v - rgb[i]) <= tol)) hits++;
    }
  }
  return hits / n;
}
