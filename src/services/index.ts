// The clearinghouse's use cases, wired to one database, log and clock.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { NoteSigner } from '../formats/signed-note.js';
import { masterKeyFrom, type MasterKey } from '../secrets/envelope.js';
import type { Store } from '../store/connect.js';
import { AdvisoryService } from './advisories.js';
import { AssetService } from './assets.js';
import { bootstrapFirstCoordinator } from './bootstrap.js';
import type { ServiceContext } from './context.js';
import { CaseService, caseTickJobKind } from './cases.js';
import { PublicationService, type PublisherSettings } from './publication.js';
import { TransparencyService } from './transparency.js';
import { ModelService } from './models.js';
import { DeliveryService, deliveryJobKind } from './delivery.js';
import { ClaimService } from './claims.js';
import { ImportSourceService, importSourceJobKind } from './import-sources.js';
import { IntakeService, intakeJobKind } from './intake.js';
import { JobService } from './jobs.js';
import { MatchingService } from './matching.js';
import { OrgService } from './orgs.js';
import { PolicyService } from './policy.js';
import { reproduceJobKind, ValidationService, verifyFixJobKind } from './validation.js';
import { TargetService } from './targets.js';
import { VulnService } from './vulns.js';
import { TokenService } from './tokens.js';
import { TransparencyLog } from './transparency-log.js';

export interface Services {
  readonly ctx: ServiceContext;
  readonly store: Store;
  readonly log: TransparencyLog;
  readonly orgs: OrgService;
  readonly tokens: TokenService;
  readonly targets: TargetService;
  readonly claims: ClaimService;
  readonly intake: IntakeService;
  readonly vulns: VulnService;
  readonly jobs: JobService;
  readonly policy: PolicyService;
  readonly validation: ValidationService;
  readonly assets: AssetService;
  readonly advisories: AdvisoryService;
  readonly importSources: ImportSourceService;
  readonly matching: MatchingService;
  readonly delivery: DeliveryService;
  readonly cases: CaseService;
  readonly publication: PublicationService;
  readonly transparency: TransparencyService;
  readonly models: ModelService;
  bootstrap(): ReturnType<typeof bootstrapFirstCoordinator>;
}

export interface ServiceOptions {
  store: Store;
  signer: NoteSigner;
  clock: Clock;
  warn?: (message: string, err?: unknown) => void;
  /** Where source mirrors, builds and sandbox scratch directories live; a temporary directory by default. */
  workDir?: string;
  /** Who publishes advisories and where they are served from (CSAF publisher, document URLs). */
  publisher?: PublisherSettings;
  /** The master key of encryption at rest; a random one (nothing survives a restart) when absent, as in tests. */
  masterKey?: MasterKey;
  /** How long a job's lease lasts before another worker may take it over (a dead worker's jobs rerun). */
  jobLeaseMs?: number;
  /** SMTP server for e-mail notifications (`smtp://host:port`); none: e-mail contacts are refused. */
  smtpUrl?: string | null;
  /** The From of e-mail notifications. */
  mailFrom?: string | null;
}

export async function createServices(options: ServiceOptions): Promise<Services> {
  const log = new TransparencyLog(options.store.db, options.signer, options.clock);
  await log.bindSigningKey();
  const ctx: ServiceContext = {
    db: options.store.db,
    log,
    clock: options.clock,
    masterKey: options.masterKey ?? masterKeyFrom(randomBytes(32)),
    warn: options.warn ?? ((message, err) => process.emitWarning(`${message}: ${err instanceof Error ? err.message : String(err)}`)),
  };
  const tokens = new TokenService(ctx);
  const policy = new PolicyService(ctx);
  const validation = new ValidationService(ctx, policy, options.signer, options.workDir ?? join(tmpdir(), `clearinghouse-work-${process.pid}`));
  const intake = new IntakeService(ctx, validation);
  const jobs = new JobService(ctx, options.jobLeaseMs !== undefined ? { leaseMs: options.jobLeaseMs } : {});
  jobs.register(intakeJobKind, (job, progress) => intake.runJob(job, progress));
  jobs.register(reproduceJobKind, (job) => validation.runReproductionJob(job));
  jobs.register(verifyFixJobKind, (job) => validation.runFixJob(job));
  const advisories = new AdvisoryService(ctx);
  const importSources = new ImportSourceService(ctx, advisories);
  jobs.register(importSourceJobKind, (job) => importSources.runJob(job));
  const delivery = new DeliveryService(ctx, { smtpUrl: options.smtpUrl ?? null, mailFrom: options.mailFrom ?? null, source: `//${log.origin}`, publicUrl: options.publisher?.publicUrl ?? null });
  jobs.register(deliveryJobKind, (job) => delivery.runJob(job));
  // case notices go out as deliveries written in the same transaction as the decision (an outbox)
  const publication = new PublicationService(ctx, options.publisher ?? { publicUrl: 'http://127.0.0.1:8080', name: 'AI Cybersecurity Clearinghouse', contactDetails: 'security@clearinghouse.invalid' });
  const cases = new CaseService(ctx, policy, {
    notify: async (trx, n) => {
      await delivery.enqueue(trx, { orgIds: n.orgIds, event: { type: n.type, subject: n.subject, data: n.data }, caseId: n.caseId });
    },
  }, publication);
  jobs.register(caseTickJobKind, async () => {
    const done = await cases.tick();
    await cases.scheduleTick();
    return done;
  });
  return {
    ctx,
    store: options.store,
    log,
    orgs: new OrgService(ctx),
    tokens,
    targets: new TargetService(ctx),
    claims: new ClaimService(ctx),
    intake,
    vulns: new VulnService(ctx, validation),
    jobs,
    policy,
    validation,
    assets: new AssetService(ctx),
    advisories,
    importSources,
    matching: new MatchingService(ctx),
    delivery,
    cases,
    publication,
    transparency: new TransparencyService(ctx),
    models: new ModelService(ctx, intake),
    bootstrap: () => bootstrapFirstCoordinator(ctx, tokens),
  };
}
