import { startSwitchboard } from './lib/relais.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { killAll } from './lib/procs.mjs';
import { tmpDir } from './lib/env.mjs';
import { WsClient } from './lib/ws.mjs';
import { sleep } from './lib/util.mjs';
const dir = tmpDir('dev');
const sb = await startSwitchboard({ dir });
const a = await launchAdviser({ dir });
try {
  await a.page.goto(sb.base + '/');
  await sleep(300);
  await a.page.screenshot({ path: '/tmp/dev/0-signin.png' });
  await a.page.fill('#name-input', 'Alice');
  await a.page.press('#name-input', 'Enter');
  const mk = async (id, site, req, status) => { const c = await WsClient.connect(sb.wsUrl('booth')); await c.request({type:'hello',version:1,role:'booth',booth_id:id,site,board:'rpi4'},'welcome'); if (status) c.send(status); if (req) c.send(req); return c; };
  await mk('bib-nord-1', 'Bibliothèque Nord', {type:'request',language:'fr',topic:'job-search',answers:{situation:'job-seeker','cv':'no', 'age_band':'26-45'}});
  await sleep(1200);
  await mk('mairie-2', 'Mairie annexe — salle 3', {type:'request',language:'ar',topic:'administrative-help',answers:{need:'caf-form'}});
  await mk('mjc-1', 'MJC Centre', null, {type:'status',state:'out_of_order',reason:'Camera not detected (v4l2src: no device /dev/video0)'});
  await mk('bib-sud-1', 'Bibliothèque Sud');
  await sleep(2500);
  await a.page.screenshot({ path: '/tmp/dev/5-busy.png' });
  await a.page.setViewportSize({ width: 800, height: 900 });
  await sleep(200);
  await a.page.screenshot({ path: '/tmp/dev/6-narrow.png', fullPage: true });
} finally {
  console.log(a.consoleLines.join('\n'));
  await a.close();
  await killAll();
}
