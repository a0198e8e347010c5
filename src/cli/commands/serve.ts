// `clearinghouse serve` and `clearinghouse init`: the server process, and setting up a data directory.
import type { Command } from 'commander';
import type { App } from '../../runtime/app.js';
import { configFromEnv, type Config } from '../../runtime/config.js';
import { packageVersion } from '../version.js';

// The server's modules load only when a server command runs, so client commands start quickly.
const runtime = () => import('../../runtime/app.js');

function announceFirstStart(app: App, config: Config): void {
  if (app.signingKeyCreated) process.stderr.write(`Created the log-signing key in ${config.home}/log-signing.key (${app.services.log.verifierKey})\n`);
  if (app.firstAdminToken) {
    process.stderr.write(
      [
        '',
        'First coordinator token (shown once; also saved, mode 0600, in ' + app.firstAdminToken.path + '):',
        '',
        `    ${app.firstAdminToken.token.token}`,
        '',
        '',
      ].join('\n'),
    );
  }
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP API and background jobs (embedded database unless DATABASE_URL is set)')
    .option('-p, --port <port>', 'port to listen on (env PORT, default 8080)')
    .option('--host <host>', 'address to bind (env HOST, default 127.0.0.1)')
    .action(async (opts: { port?: string; host?: string }) => {
      const port = opts.port === undefined ? undefined : Number(opts.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new Error(`--port must be a port number, not ${opts.port}`);
      const config = configFromEnv(process.env, { ...(port !== undefined ? { port } : {}), ...(opts.host ? { host: opts.host } : {}) });
      const [{ openApp }, { buildApi }, { startLogIntegrator }, { startWorker }] = await Promise.all([
        runtime(),
        import('../../api/server.js'),
        import('../../jobs/log-integrator.js'),
        import('../../jobs/worker.js'),
      ]);
      const app = await openApp(config);
      const api = await buildApi(app.services, {
        bodyLimit: config.bodyLimit,
        version: packageVersion(),
        logger: { level: config.logLevel },
        logRequests: config.logLevel === 'debug' || config.logLevel === 'trace',
      });
      const integrator = startLogIntegrator(app.services.log, { onError: (err) => api.log.error({ err }, 'log integration failed') });
      const worker = startWorker(app.services.jobs, { concurrency: config.workers, onError: (err) => api.log.error({ err }, 'background job failed') });
      try {
        await api.listen({ port: config.port, host: config.host });
      } catch (err) {
        await integrator.stop();
        await worker.stop();
        await app.close();
        throw new Error(`cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
      }
      announceFirstStart(app, config);
      const address = api.server.address();
      const where = typeof address === 'object' && address ? `http://${config.host}:${address.port}` : String(address);
      process.stderr.write(`Clearinghouse listening on ${where} (${app.store.engine} database: ${app.store.location})\n`);
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`${signal}: shutting down\n`);
        await api.close();
        await worker.stop();
        await integrator.stop();
        await app.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });

  program
    .command('init')
    .description('create the data directory, the log-signing key, the database and a first coordinator token')
    .action(async () => {
      const config = configFromEnv(process.env);
      const { openApp } = await runtime();
      const app = await openApp(config);
      try {
        announceFirstStart(app, config);
        if (!app.firstAdminToken) process.stderr.write(`${config.home} is already set up (${app.store.engine} database: ${app.store.location})\n`);
        process.stdout.write(`${app.services.log.verifierKey}\n`);
      } finally {
        await app.close();
      }
    });
}
