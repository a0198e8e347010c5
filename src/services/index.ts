// The clearinghouse's use cases, wired to one database, log and clock.
import type { Clock } from '../core/clock.js';
import type { NoteSigner } from '../formats/signed-note.js';
import type { Store } from '../store/connect.js';
import { bootstrapFirstCoordinator } from './bootstrap.js';
import type { ServiceContext } from './context.js';
import { ClaimService } from './claims.js';
import { IntakeService, intakeJobKind } from './intake.js';
import { JobService } from './jobs.js';
import { OrgService } from './orgs.js';
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
  bootstrap(): ReturnType<typeof bootstrapFirstCoordinator>;
}

export interface ServiceOptions {
  store: Store;
  signer: NoteSigner;
  clock: Clock;
  warn?: (message: string, err?: unknown) => void;
}

export async function createServices(options: ServiceOptions): Promise<Services> {
  const log = new TransparencyLog(options.store.db, options.signer, options.clock);
  await log.bindSigningKey();
  const ctx: ServiceContext = {
    db: options.store.db,
    log,
    clock: options.clock,
    warn: options.warn ?? ((message, err) => process.emitWarning(`${message}: ${err instanceof Error ? err.message : String(err)}`)),
  };
  const tokens = new TokenService(ctx);
  const intake = new IntakeService(ctx);
  const jobs = new JobService(ctx);
  jobs.register(intakeJobKind, (job, progress) => intake.runJob(job, progress));
  return {
    ctx,
    store: options.store,
    log,
    orgs: new OrgService(ctx),
    tokens,
    targets: new TargetService(ctx),
    claims: new ClaimService(ctx),
    intake,
    vulns: new VulnService(ctx),
    jobs,
    bootstrap: () => bootstrapFirstCoordinator(ctx, tokens),
  };
}
