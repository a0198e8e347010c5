// The composition root: configuration → signing key → database → services. Used by `serve`, `init` and tests.
import { join } from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import { openStore, type Store } from '../store/connect.js';
import { createServices, type Services } from '../services/index.js';
import type { IssuedTokenView } from '../services/tokens.js';
import type { Config } from './config.js';
import { loadOrCreateMasterKey } from '../secrets/master-key.js';
import { ensureHome, loadOrCreateSigner, writeAdminToken } from './home.js';

export interface App {
  services: Services;
  store: Store;
  /** Set when this start created the first coordinator token (it is also in admin.token). */
  firstAdminToken: { token: IssuedTokenView; path: string } | null;
  signingKeyCreated: boolean;
  close(): Promise<void>;
}

export async function openApp(config: Config, options: { clock?: Clock; warn?: (m: string, e?: unknown) => void } = {}): Promise<App> {
  ensureHome(config.home);
  const { signer, created } = loadOrCreateSigner(config);
  const { key: masterKey } = loadOrCreateMasterKey(config.home, config.masterKey);
  const store = await openStore(config.databaseUrl ? { engine: 'server', url: config.databaseUrl } : { engine: 'embedded', dataDir: join(config.home, 'db') });
  try {
    const services = await createServices({
      store,
      signer,
      masterKey,
      publisher: { publicUrl: config.publicUrl, name: config.publisherName, contactDetails: config.publisherContact },
      clock: options.clock ?? systemClock,
      workDir: config.workDir,
      jobLeaseMs: config.jobLeaseMs,
      smtpUrl: config.smtpUrl,
      mailFrom: config.mailFrom,
      ...(options.warn ? { warn: options.warn } : {}),
    });
    const token = await services.bootstrap();
    // verdicts stored by another matcher version (or before there were any) are decided again
    const rematched = await services.matching.catchUp();
    await services.cases.scheduleTick();
    if (rematched && rematched.packageVersions > 0) options.warn?.(`exposure rematched for matcher version ${rematched.matcherVersion}: ${rematched.packageVersions} package versions, ${rematched.matches} matches in ${rematched.ms} ms`);
    return {
      services,
      store,
      signingKeyCreated: created,
      firstAdminToken: token ? { token, path: writeAdminToken(config.home, token.token) } : null,
      close: () => store.close(),
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
