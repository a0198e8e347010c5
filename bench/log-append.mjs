// Transparency-log appends per second, one entry per transaction (many writers at once) and batched,
// on the embedded database and on the PostgreSQL server.
import { systemClock } from '../dist/core/clock.js';
import { generateSigner } from '../dist/formats/signed-note.js';
import { write } from '../dist/services/context.js';
import { createServices } from '../dist/services/index.js';
import { openStore } from '../dist/store/connect.js';
import { fmt, scratchDatabase, serverAvailable } from './support.mjs';

const event = (i) => ({ action: 'bench.append', objectType: 'bench', objectId: String(i), stateSha256: 'a'.repeat(64) });

async function measure(services, { total, writers, perTransaction }) {
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < total) {
      const first = next;
      next += perTransaction;
      const events = Array.from({ length: Math.min(perTransaction, total - first) }, (_, k) => event(first + k));
      await write(services.ctx, null, async () => ({ result: null, events }));
    }
  };
  await Promise.all(Array.from({ length: writers }, lane));
  await services.log.integrate();
  const seconds = (performance.now() - started) / 1000;
  return total / seconds;
}

async function onEngine(label, open) {
  const { store, close } = await open();
  const services = await createServices({ store, signer: generateSigner('bench/log'), clock: systemClock, warn: () => undefined });
  const rows = [];
  const cases = [
    { name: 'single, 1 writer', total: 2000, writers: 1, perTransaction: 1 },
    { name: 'single, 16 writers', total: 5000, writers: 16, perTransaction: 1 },
    { name: 'batched, 100 per transaction', total: 50000, writers: 1, perTransaction: 100 },
    { name: 'batched, 1,000 per transaction, 4 writers', total: 100000, writers: 4, perTransaction: 1000 },
  ];
  for (const c of cases) {
    const rate = await measure(services, c);
    rows.push(`| ${label} | ${c.name} | ${fmt(c.total)} | ${fmt(rate)} |`);
    console.log(`${label} ${c.name}: ${fmt(rate)} appends/s`);
  }
  await close();
  return rows;
}

export async function run() {
  const rows = [];
  rows.push(...(await onEngine('embedded', async () => {
    const store = await openStore({ engine: 'memory' });
    return { store, close: () => store.close() };
  })));
  if (await serverAvailable()) {
    rows.push(...(await onEngine('PostgreSQL server', async () => {
      const db = await scratchDatabase();
      const store = await openStore({ engine: 'server', url: db.url, poolSize: 20 });
      return { store, close: async () => { await store.close(); await db.drop(); } };
    })));
  } else rows.push('| PostgreSQL server | skipped: no server reachable | | |');
  return {
    title: 'Transparency log appends',
    markdown: [
      'Each append is a committed transaction that records the entry, followed by integration into the Merkle',
      'tree and a signed checkpoint (what every state change pays). Target: ≥ 2,000 appends/s on the PostgreSQL server.',
      'The embedded database runs in memory here (`memory://`), as the test suite does.',
      '',
      '| database | mode | entries | appends/s |',
      '| --- | --- | ---: | ---: |',
      ...rows,
    ].join('\n'),
  };
}
