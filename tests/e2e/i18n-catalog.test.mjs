// SPDX-License-Identifier: GPL-2.0-or-later
// The web pages' catalogs (assets/web/i18n/<lang>.json), checked without a
// browser: every language has the same keys, the same plural forms and the
// same {placeholders}; every key the HTML and the JS name exists, and every
// key is used; French follows French typography.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const top = process.env.RELAIS_TOP ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const web = path.join(top, 'assets/web');
const LANGS = ['en', 'fr'];
const catalogs = Object.fromEntries(LANGS.map((l) => [l, JSON.parse(fs.readFileSync(path.join(web, 'i18n', `${l}.json`), 'utf8'))]));
const texts = (v) => (typeof v === 'string' ? [v] : Object.values(v));
const placeholders = (v) => [...new Set(texts(v).flatMap((s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1])))].sort();

// What the pages name: literal keys, and the patterns of keys made at run
// time (t(`booth.state.${x}`) -> /^booth\.state\.[^.]+$/, has() and the
// words.js lookups alike).
function usedKeys() {
  const literal = new Set();
  const patterns = [];
  for (const f of fs.readdirSync(web).filter((n) => /\.(html|js)$/.test(n))) {
    const text = fs.readFileSync(path.join(web, f), 'utf8');
    if (f.endsWith('.html')) {
      for (const m of text.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)) literal.add(m[1]);
    } else if (f.endsWith('.js')) {
      for (const m of text.matchAll(/\bt\(\s*'([^']+)'/g)) literal.add(m[1]);
      // a key in a conditional: t(x ? 'a.b' : 'c.d'), STATES words, ...
      for (const m of text.matchAll(/'([a-z][a-z0-9-]*(?:\.[a-z0-9_-]+)+)'/g)) if (!m[1].endsWith('.js')) literal.add(m[1]);
      for (const m of text.matchAll(/`([a-z][a-z0-9-]*\.[^`]*\$\{[^`]*)`/g)) {
        const re = m[1].split(/\$\{[^}]*\}/).map((s) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^.]+(?:\\.[^.]+)?');
        patterns.push(new RegExp(`^${re}$`));
      }
    }
  }
  return { literal, patterns };
}

test('i18n: every catalog has the same keys, plural forms and placeholders', () => {
  const [first, ...rest] = LANGS;
  const keys = Object.keys(catalogs[first]).sort();
  for (const l of rest) {
    const other = Object.keys(catalogs[l]).sort();
    assert.deepEqual(other.filter((k) => !keys.includes(k)), [], `keys only in ${l}.json`);
    assert.deepEqual(keys.filter((k) => !other.includes(k)), [], `keys missing from ${l}.json`);
    for (const k of keys) {
      const a = catalogs[first][k];
      const b = catalogs[l][k];
      assert.equal(typeof a, typeof b, `${k}: a plural in one catalog only`);
      if (typeof a === 'object') assert.ok('other' in a && 'other' in b && 'one' in b, `${k}: plural forms one and other`);
      assert.deepEqual(placeholders(b), placeholders(a), `${k}: placeholders in ${l}.json`);
      for (const s of texts(b)) assert.ok(s.trim() !== '', `${k}: empty in ${l}.json`);
    }
  }
});

test('i18n: every key the pages use exists, and every key is used', () => {
  const { literal, patterns } = usedKeys();
  const keys = new Set(Object.keys(catalogs.en));
  // literal strings that look like keys but are not: module names, ids, CSS
  const missing = [...literal].filter((k) => !keys.has(k) && /^(lang|page|nav|console|link|signin|signout|queue|chime|booths?|bookings?|stage|callstate|call|quality|device|end|self|controls|share|media|doc|unit|chat|outcome|feedback|error|topic|question|answer|staff|stats|admin|diag)\./.test(k));
  assert.deepEqual(missing, [], 'keys named by the pages but in no catalog');
  for (const re of patterns) {
    if (!/^\^(lang|link|callstate|quality|device|doc|booth|booking|staff|topic|question|answer|error)\\\./.test(re.source)) continue;
    assert.ok([...keys].some((k) => re.test(k)), `no key matches ${re}`);
  }
  const unused = [...keys].filter((k) => !literal.has(k) && !patterns.some((re) => re.test(k)));
  assert.deepEqual(unused, [], 'keys no page uses');
});

test('i18n: French typography (no-break space before : ; ? !, « » quotes, typographic apostrophe)', () => {
  for (const [k, v] of Object.entries(catalogs.fr)) {
    for (const s of texts(v)) {
      const bare = s.replace(/\{\w+\}/g, 'X');
      assert.doesNotMatch(bare, /(?<![\u00a0\u202f])[;?!]/, `${k}: "${s}" wants a narrow no-break space before ; ? !`);
      assert.doesNotMatch(bare, /(?<![\u00a0\u202f])(?<!\d):/, `${k}: "${s}" wants a no-break space before :`);
      assert.doesNotMatch(s, /'/, `${k}: "${s}" wants ’`);
      assert.doesNotMatch(s, /["“”]/, `${k}: "${s}" wants « »`);
      assert.doesNotMatch(s, /«(?!\u202f)|(?<!\u202f)»/, `${k}: "${s}" wants narrow no-break spaces inside « »`);
    }
  }
});
