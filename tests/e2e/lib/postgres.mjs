// SPDX-License-Identifier: GPL-2.0-or-later
// A real PostgreSQL 15 for a test (firmware/switchboard/CLUSTER.md): Debian's
// initdb and pg_ctl, as the user postgres when the test runs as root
// (PostgreSQL refuses root), listening only on a Unix socket in the test's
// folder; stopped by stop(). tests/lib/pgfx.c does the same for the C tests.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './procs.mjs';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

// Why PostgreSQL cannot run here, or false.
export function postgresMissing() {
  return fs.existsSync(path.join(PG_BIN, 'initdb')) ? false : `PostgreSQL 15 is not installed (${PG_BIN}): make deps`;
}

const asPostgres = (cmd, args) => (process.getuid() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);

async function must(cmd, args, what) {
  const [c, a] = asPostgres(cmd, args);
  const r = await run(c, a, { timeout: 60000 });
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r;
}

// Starts a server in a folder of its own (the test's folder is root's own,
// 0700: the user postgres cannot enter it), removed by stop(); resolves
// { socketDir, uri(db), createDb(name), psql(db, sql), stop() }.
export async function startPostgres(tag) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `relais-pg-${tag}-`));
  if (process.getuid() === 0) await run('chown', ['postgres:', root]);
  const data = path.join(root, 'data');
  await must(path.join(PG_BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--locale=C', '-E', 'UTF8', '--no-sync'], 'initdb');
  await must(path.join(PG_BIN, 'pg_ctl'), ['-D', data, '-l', path.join(root, 'log'), '-w', '-s', '-o', `-k ${root} -c listen_addresses='' -c fsync=off`, 'start'], 'pg_ctl start');
  const uri = (db) => `postgresql:///${db}?host=${encodeURIComponent(root)}&user=postgres`;
  const psql = async (db, sql) => {
    const r = await must('/usr/bin/psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', root, '-U', 'postgres', '-d', db, '-c', sql], `psql ${sql}`);
    return r.stdout.trim();
  };
  return {
    socketDir: root,
    uri,
    psql,
    createDb: async (name) => {
      await psql('postgres', `CREATE DATABASE ${name} TEMPLATE template0 LOCALE 'C' ENCODING 'UTF8'`);
      return uri(name);
    },
    stop: async () => {
      await must(path.join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'fast', '-s', 'stop'], 'pg_ctl stop');
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
