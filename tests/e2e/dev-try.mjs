import { startSwitchboard } from './lib/relais.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { startBrowserBooth } from './lib/browserbooth.mjs';
import { killAll } from './lib/procs.mjs';
import { tmpDir } from './lib/env.mjs';
import { sleep, until } from './lib/util.mjs';
const dir = tmpDir('dev');
const sb = await startSwitchboard({ dir });
const a = await launchAdviser({ dir });
try {
  await a.page.goto(sb.pageUrl('Alice Martin'));
  const b = await startBrowserBooth(a.context, { base: sb.base, wsUrl: sb.wsUrl('booth'), site: 'Médiathèque Jean Jaurès' });
  await sleep(500);
  await a.page.screenshot({ path: '/tmp/dev/1-idle.png' });
  await b.request('job-search', 'fr', { situation: 'job-seeker', age: '26-45', need: 'cv-review' });
  await sleep(2500);
  await a.page.screenshot({ path: '/tmp/dev/2-queue.png' });
  await a.page.click('[data-testid=accept-btn]');
  await until(async () => (await a.page.evaluate(async () => (await window.relais.stats())?.inboundVideo?.framesDecoded ?? 0)) > 60, {timeout: 15000});
  console.log(await a.page.evaluate(() => window.relais.stats()), await b.stats(), await a.page.evaluate(() => ({t: window.relais.timing, c: window.relais.callTiming(), cand: window.relais.counters})));
  await a.page.fill('#chat-input', 'Bonjour, je vous entends bien ?');
  await a.page.press('#chat-input', 'Enter');
  await sleep(1200);
  await a.page.screenshot({ path: '/tmp/dev/3-call.png' });
  await a.page.click('[data-testid=end-btn]');
  await sleep(500);
  console.log(await a.page.evaluate(() => document.body.dataset.state), await b.stats());
  await a.page.screenshot({ path: '/tmp/dev/4-after.png' });
} finally {
  console.log(a.consoleLines.join('\n'));
  await a.close();
  await killAll();
}
