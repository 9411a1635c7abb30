import { Stack, requestAndAccept, waitMedia } from './lib/scenario.mjs';
const stack = new Stack('timing');
try {
  await stack.start();
  for (let i = 0; i < 3; i++) {
    await requestAndAccept(stack);
    await waitMedia(stack, { minFrames: 20 });
    const r = await stack.page.evaluate(() => ({ t: window.relais.timing, c: window.relais.callTiming() }));
    const a = r.t.accept;
    const st = await stack.booth.ctl.status();
    console.log(JSON.stringify(Object.fromEntries(Object.entries(r.c).map(([k,v])=>[k, Math.round(v-a)]))), JSON.stringify({ call: r.t.call - a, offer: r.c.offer - a, answer: r.c.answer - a, connected: r.c.connected - a, firstFrame: r.t.firstFrame - a, booth: st.media }));
    await stack.page.click('[data-testid=end-btn]');
    await stack.page.waitForSelector('body[data-state=idle]');
    await new Promise(r => setTimeout(r, 1500));
  }
} finally { await stack.stop(); }
