// SPDX-License-Identifier: GPL-2.0-or-later
// Scripted peers over a raw WebSocket (a booth, a signed-in adviser console)
// and the steps and teardown the switchboard suites share.

import { it } from 'node:test';
import fs from 'node:fs';
import { killAll } from './procs.mjs';

// A scripted booth: `id` of `site`, enrolled (its own certificate, through
// the real path), said hello and was welcomed. Added to `sockets`
// (destroyed at the end of the suite) when given.
// token: its enrolment token when made elsewhere (default: `booth add` at `site`).
export async function scriptedBooth(sb, id, site, sockets, { token } = {}) {
  const c = await sb.boothWs(id, { site, token });
  sockets?.push(c);
  await c.request({ type: 'hello', version: 1, role: 'booth', booth_id: id, site, board: 'sim' }, 'welcome');
  return c;
}

// A booking made by scripted booth `booth` (PROTOCOL.md "Bookings"): the
// `slot`-th free slot offered, checked in at once when `checkIn`.
// Resolves {code, start, end, offered}.
export async function scriptedBooking(booth, { slot = 0, checkIn = false } = {}) {
  const offer = await booth.request({ type: 'booking_slots' }, 'booking_offer');
  if (offer.slots.length <= slot) throw new Error(`only ${offer.slots.length} slots offered`);
  const { start, end } = offer.slots[slot];
  const booked = await booth.request({ type: 'book', start, end, language: 'en', topic: 'training' }, 'booked');
  if (checkIn) await booth.request({ type: 'check_in', code: booked.code }, 'checked_in');
  return { code: booked.code, start, end, offered: offer.slots };
}

// A scripted adviser console signed in as `login` (default: the ADVISER
// account) that said hello as `name` (the account's name wins): {ws, welcome}.
export async function scriptedAdviser(sb, { login, password, name = 'Scripted', sockets } = {}) {
  const ws = await sb.adviserWs(login, password);
  sockets?.push(ws);
  const welcome = await ws.request({ type: 'hello', version: 1, role: 'adviser', name }, 'welcome');
  return { ws, welcome };
}

// A suite's steps and end. `parts()`: {sb, browser}, read when needed.
//   step(name, fn): it() that, if fn fails, keeps the suite's folder and adds
//                   the switchboard's and the browser console's last lines
//   end(sockets):   destroys `sockets`, closes the browser, stops the
//                   programs, removes `dir` unless a step failed (or
//                   RELAIS_E2E_KEEP is set)
export function suiteSteps(dir, parts) {
  const suite = {
    failed: false,
    step: (name, fn) =>
      it(name, async () => {
        try {
          await fn();
        } catch (err) {
          suite.failed = true;
          const { sb, browser } = parts();
          err.message += `\n${sb?.proc.tailText(15) ?? ''}\n--- browser console ---\n${browser?.consoleLines.slice(-20).join('\n') ?? ''}`;
          throw err;
        }
      }),
    async end(sockets = []) {
      for (const s of sockets) s.destroy();
      await parts().browser?.close();
      await killAll();
      if (!suite.failed && !process.env.RELAIS_E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return suite;
}
