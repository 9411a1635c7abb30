import { startSwitchboard } from './lib/relais.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { startBrowserBooth } from './lib/browserbooth.mjs';
import { killAll } from './lib/procs.mjs';
import { tmpDir } from './lib/env.mjs';
import { sleep, until } from './lib/util.mjs';
const dir = tmpDir('dev');
const sb = await startSwitchboard({ dir });
const boothB = await launchAdviser({ dir, name: 'boothbrowser' });
for (const mdns of [true, false]) {
  const a = await launchAdviser({ dir, media: 'denied', mdns });
  try {
    await a.page.goto(sb.pageUrl('Alice'));
    await a.page.waitForSelector('body[data-media]');
    const b = await startBrowserBooth(boothB.context, { base: sb.base, wsUrl: sb.wsUrl('booth'), boothId: 'x' + mdns });
    await b.request();
    await a.page.click('[data-testid=accept-btn]');
    await until(async () => (await a.page.evaluate(async () => (await window.relais.stats())?.inboundVideo?.framesDecoded ?? 0)) > 60, {timeout: 15000});
    console.log(mdns, await a.page.evaluate(() => [document.body.dataset.media, window.relais.mediaError, window.relais.counters.localCandidates]), (await a.page.evaluate(() => window.relais.stats())).candidatePair);
    await a.page.screenshot({ path: `/tmp/dev/recvonly-${mdns}.png` });
    await a.page.click('[data-testid=end-btn]');
    await b.close();
  } finally {
    await a.close();
  }
}
await boothB.close();
await killAll();
