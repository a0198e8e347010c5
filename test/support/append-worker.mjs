// A separate OS process that appends entries to the transparency log of a PostgreSQL database.
// Usage: node append-worker.mjs <database-url> <signer-key> <label> <count> <in-flight>
import { openStore } from '../../dist/store/connect.js';
import { createServices } from '../../dist/services/index.js';
import { write } from '../../dist/services/context.js';
import { parseSignerKey } from '../../dist/formats/signed-note.js';
import { systemClock } from '../../dist/core/clock.js';

const [url, skey, label, countText, inFlightText] = process.argv.slice(2);
const count = Number(countText);
const inFlight = Number(inFlightText);
const store = await openStore({ engine: 'server', url, poolSize: inFlight + 2 });
const services = await createServices({ store, signer: parseSignerKey(skey), clock: systemClock, warn: () => undefined });

let next = 0;
async function lane() {
  while (next < count) {
    const i = next++;
    await write(services.ctx, null, async () => ({
      result: null,
      events: [{ action: 'test.append', objectType: 'test', objectId: `${label}-${i}`, stateSha256: '0'.repeat(64) }],
    }));
  }
}
await Promise.all(Array.from({ length: inFlight }, lane));
await services.log.integrate();
await store.close();
process.stdout.write(`${label} appended ${count}\n`);
