// SPDX-License-Identifier: GPL-2.0-or-later
// The console's main flow in French: a browser whose language is French
// (locale fr-FR) signs in, sees the queue, accepts, has media both ways,
// ends and saves the outcome, every step in French with no English string
// or catalog key left on the page; the language switcher changes the page
// and the choice survives a reload; the statistics and staff pages in French.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { missingBinaries, outFile } from './lib/env.mjs';
import { Stack, SITE, requestAndAccept, waitMedia, endFromPage } from './lib/scenario.mjs';
import { signInPage } from './lib/relais.mjs';
import { until } from './lib/util.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

const top = process.env.RELAIS_TOP ?? path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const catalog = (l) => JSON.parse(fs.readFileSync(path.join(top, 'assets/web/i18n', `${l}.json`), 'utf8'));
const EN = catalog('en');
const FR = catalog('fr');
const ADMIN = { login: 'e2e-i18n-admin', password: 'e2e-i18n-admin-password', role: 'admin', name: 'Admin Relais' };

const texts = (v) => (typeof v === 'string' ? [v] : Object.values(v));
// The words of `other` a page in `lang` must not show: each catalog text
// that `lang` words differently, cut at its {placeholders}, the pieces long
// enough to mean something and not words of `lang` too ("kbit/s").
function foreign(other, lang) {
  const own = Object.values(lang).flatMap(texts).join('\n');
  const pieces = Object.keys(other).flatMap((k) => {
    const same = new Set(texts(lang[k]));
    return texts(other[k])
      .filter((s) => !same.has(s))
      .flatMap((s) => s.split(/\{\w+\}/))
      .map((s) => s.trim().replace(/^[,.:;·—–-]+\s*|\s*[,.:;·—–-]+$/g, '').trim())
      .filter((s) => s.length >= 3 && !own.includes(s));
  });
  return [...new Set(pieces)];
}
const FOREIGN = { fr: foreign(EN, FR), en: foreign(FR, EN) };
const KEYS = Object.keys(EN);

// Every text the page shows or reads out (text nodes, including hidden
// ones about to be shown, and aria-label, title, placeholder), less what
// the visitor, the booth, the switchboard and the accounts wrote (chat,
// site names, account names, a booth's diagnostic report and its errors)
// and commands (<code>, <pre>).
async function pageWords(page) {
  return page.evaluate(() => {
    const out = [];
    const skip = (n) => n.closest?.('script, style, code, pre, .chat-text, .booth-site, .booth-id, .visitor-site, [data-testid="adviser-name"], [data-testid="staff-who"], [data-testid="stats-who"], [data-testid="admin-who"], [data-testid="account-row"] > td:nth-child(-n+2), .diag-report dd, .diag-errors');
    const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const s = n.textContent.trim();
      if (s && !skip(n.parentElement)) out.push(s);
    }
    for (const e of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
      if (skip(e)) continue;
      for (const a of ['aria-label', 'title', 'placeholder']) if (e.getAttribute(a)) out.push(e.getAttribute(a));
    }
    return out;
  });
}

// The page is in `lang` (<html lang>), shows none of the other language's
// words and no catalog key.
async function assertLanguage(page, lang, where) {
  assert.equal(await page.evaluate(() => document.documentElement.lang), lang, `${where}: <html lang>`);
  const words = await pageWords(page);
  const all = words.join('\n');
  // short words as whole words ("Day" is not in "Daylight"), sentences anywhere
  const left = FOREIGN[lang].filter((s) => (s.length < 8 ? new RegExp(`(^|[^\\p{L}])${s.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')}($|[^\\p{L}])`, 'u').test(all) : all.includes(s)));
  assert.deepEqual(left, [], `${where}: words of the other language left: ${left.map((e) => words.filter((w) => w.includes(e)).join(' | ')).join(' / ')}`);
  const keys = words.filter((w) => KEYS.includes(w));
  assert.deepEqual(keys, [], `${where}: catalog keys shown as text`);
}
const assertFrench = (page, where) => assertLanguage(page, 'fr', where);

describe('i18n: the console in French', { skip, timeout: 180000 }, () => {
  let stack;
  const step = (name, fn) => it(name, () => stack.run(fn));

  before(async () => {
    stack = new Stack('i18n-fr');
    await stack.start({ locale: 'fr-FR' });
  });
  after(() => stack?.stop());

  step('signed in from a French browser: the console is in French', async () => {
    const { page } = stack;
    assert.equal(await page.locator('[data-testid="lang-switch"]').inputValue(), 'fr');
    assert.equal(await page.locator('[data-testid="link-state"]').innerText(), FR['link.online']);
    assert.equal(await page.locator('[data-testid="signout"]').innerText(), 'Se déconnecter');
    assert.equal(await page.locator('#queue-title').innerText(), `${FR['queue.title']} 0`);
    await assertFrench(page, 'console, idle');
  });

  step('queue → accept → call with media both ways, in French', async () => {
    const { page } = stack;
    // the queue, before Accept: requestAndAccept clicks at once, so look
    // at the row as it arrives through the booth's request
    const seen = page.waitForSelector('[data-testid="queue-item"]', { timeout: 10000 }).then(async (item) => ({
      topic: await item.$eval('[data-testid="queue-topic"]', (e) => e.textContent),
      language: await item.$eval('[data-testid="queue-language"]', (e) => e.textContent),
      answer: await item.$eval('dd[data-question="situation"]', (e) => e.textContent),
      accept: await item.$eval('[data-testid="accept-btn"]', (e) => e.textContent),
      count: await page.locator('[data-testid="queue-count"]').getAttribute('title'),
      announced: await page.locator('[data-testid="announcer"]').innerText(),
    }));
    await requestAndAccept(stack, { topic: 'job-search', language: 'fr', answers: { situation: 'job-seeker' } });
    const q = await seen;
    assert.equal(q.topic, 'Recherche d’emploi');
    assert.equal(q.language, 'Français (fr)');
    assert.equal(q.answer, 'En recherche d’emploi');
    assert.equal(q.accept, 'Accepter');
    assert.equal(q.count, '1 visiteur en attente');
    assert.match(q.announced, /Nouveau visiteur en attente\u00a0: Recherche d’emploi, français, à /);

    await waitMedia(stack);
    await until(async () => (await page.locator('[data-testid="call-state"]').getAttribute('data-state')) === 'connected', { timeout: 5000, what: 'connected' });
    assert.equal(await page.locator('[data-testid="call-state"]').innerText(), 'Connecté');
    assert.equal(await page.locator('#stage-title').innerText(), `En appel · Recherche d’emploi — ${SITE}`);
    assert.equal(await page.locator('[data-testid="end-btn"]').innerText(), 'Raccrocher');
    // the switcher waits for the end of the call (a reload would drop it)
    assert.equal(await page.locator('[data-testid="lang-switch"]').isDisabled(), true);
    // the connection's figures, in French words
    const quality = page.locator('[data-testid="call-quality"]');
    await quality.waitFor({ state: 'visible', timeout: 8000 });
    assert.match(await quality.innerText(), /^(Bonne connexion|Connexion moyenne|Mauvaise connexion) · \d+\u202fkbit\/s · \d+\u202fi\/s · \d+,\d\u202f% de pertes · \d+\u202fms$/);
    await page.locator('[data-testid="chat-input"]').fill('Bonjour');
    await page.locator('[data-testid="chat-input"]').press('Enter');
    await page.locator('[data-testid="chat-message"][data-from="me"]').waitFor({ timeout: 5000 });
    assert.equal(await page.locator('[data-testid="chat-message"][data-from="me"] .chat-who').innerText(), 'Vous');
    const shot = outFile('console-fr-in-call.png');
    await page.screenshot({ path: shot });
    await assertFrench(page, 'console, in a call');
  });

  step('end → outcome saved, in French', async () => {
    const { page } = stack;
    await endFromPage(stack);
    await page.locator('[data-testid="outcome-form"]').waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await page.locator('[data-testid="outcome-topic"]').inputValue(), 'Recherche d’emploi');
    assert.equal(await page.locator('[data-testid="outcome-code"] option[value="referred"]').innerText(), 'Orienté vers un service');
    await assertFrench(page, 'console, outcome form');
    await page.locator('[data-testid="outcome-code"]').selectOption('referred');
    await page.locator('[data-testid="outcome-note"]').fill('orienté vers l’atelier CV');
    assert.equal(await page.locator('[data-testid="outcome-count"]').innerText(), '25 / 140');
    await page.locator('[data-testid="outcome-submit"]').click();
    await page.locator('[data-testid="outcome-done"]').waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await page.locator('[data-testid="outcome-done"]').innerText(), 'Suite enregistrée.');
    assert.equal(await page.locator('#stage-title').innerText(), 'Disponible');
    await assertFrench(page, 'console, after the call');
    assert.deepEqual(stack.adviser.pageErrors(), []);
  });

  step('the switcher: English at once, kept across a reload, then French again', async () => {
    const { page } = stack;
    assert.equal(await page.locator('[data-testid="lang-switch"]').isDisabled(), false);
    await Promise.all([page.waitForEvent('load'), page.locator('[data-testid="lang-switch"]').selectOption('en')]);
    await page.waitForSelector('body[data-link="online"]', { timeout: 10000 });
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.equal(await page.locator('[data-testid="signout"]').innerText(), 'Sign out');
    assert.equal(await page.locator('[data-testid="link-state"]').innerText(), 'Connected');
    assert.equal(await page.evaluate(() => localStorage.getItem('relais.lang')), 'en');
    // still signed in (a cookie), still English though the browser says French
    await page.reload();
    await page.waitForSelector('body[data-link="online"]', { timeout: 10000 });
    assert.equal(await page.evaluate(() => navigator.language), 'fr-FR');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.equal(await page.locator('[data-testid="lang-switch"]').inputValue(), 'en');
    assert.equal(await page.locator('#queue-title').innerText(), 'Waiting visitors 0');
    await assertLanguage(page, 'en', 'console, switched to English');
    await Promise.all([page.waitForEvent('load'), page.locator('[data-testid="lang-switch"]').selectOption('fr')]);
    await page.waitForSelector('body[data-link="online"]', { timeout: 10000 });
    await assertFrench(page, 'console, switched back');
  });

  step('statistics, staff and administration pages in French', async () => {
    const { page } = stack;
    await stack.sb.addUser(ADMIN);
    await page.locator('[data-testid="signout"]').click();
    await page.waitForSelector('body[data-state="signed-out"]', { timeout: 5000 });
    await assertFrench(page, 'console, sign-in form');
    await signInPage(page, ADMIN);
    await page.locator('[data-testid="stats-link"]').waitFor({ state: 'visible', timeout: 10000 });

    await page.goto(`${stack.sb.base}/stats.html`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 10000 });
    assert.equal(await page.title(), 'Relais — statistiques');
    const row = page.locator('[data-testid="stats-row"]').filter({ hasText: SITE }).first();
    await row.waitFor({ timeout: 5000 });
    // the day as a French date (the ISO day stays in data-day)
    const day = await row.getAttribute('data-day');
    const [y, m, d] = day.split('-').map(Number);
    const expected = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium' }).format(new Date(y, m - 1, d));
    assert.equal(await row.locator('td').first().innerText(), expected);
    assert.equal(await row.locator('td').nth(2).innerText(), 'Recherche d’emploi');
    assert.equal(await page.locator('[data-testid="stats-total"] td').first().innerText(), 'Total');
    await assertFrench(page, 'statistics');

    await page.goto(`${stack.sb.base}/staff.html`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 10000 });
    const status = page.locator('[data-testid="staff-status"]').first();
    assert.match(await status.innerText(), /^(En ligne|Occupée|Hors service|Hors ligne)$/);
    // the time of the last refresh, 24-hour
    assert.match(await page.locator('[data-testid="staff-updated"]').innerText(), /^\d\d:\d\d:\d\d$/);
    await assertFrench(page, 'staff');

    await page.goto(`${stack.sb.base}/admin.html`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 10000 });
    assert.equal(await page.title(), 'Relais — administration');
    assert.equal(await page.locator('[data-testid="hours-row"] th').first().innerText(), 'Lundi');
    const booth = page.locator('[data-testid="booth-row"]').first();
    assert.match(await booth.locator('[data-testid="booth-row-enrol"]').innerText(), /^Enrôlée\s+certificat valable jusqu’au \d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d$/);
    assert.equal(await page.locator('[data-testid="account-row"][data-role="admin"] [data-testid="account-role-cell"]').innerText(), 'Administrateur');
    await assertFrench(page, 'administration');
    // a booth's diagnostics, in French
    await booth.locator('[data-testid="booth-diagnose"]').click();
    await page.waitForSelector('[data-testid="booth-diag"][data-state="shown"]', { timeout: 10000 });
    assert.match(await page.locator('[data-testid="booth-diag-status"]').innerText(), /^Rapport reçu le /);
    await assertFrench(page, 'administration, diagnostics');
    await page.screenshot({ path: outFile('admin-fr.png'), fullPage: true });
    assert.deepEqual(stack.adviser.pageErrors(), []);
  });
});
