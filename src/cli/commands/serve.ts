import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../serve/defaults.js';

/** --port: 0 (pick a free one) to 65535. */
export function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new InvalidArgumentError(`expected a port number 0-65535, got '${value}'`);
  }
  return Number(value);
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve an interactive dashboard of a run folder on this machine, until Ctrl+C')
    .requiredOption('--in <dir>', 'run folder written by `fleetpulse analyze` (and later steps)')
    .option('--port <n>', `port to listen on; 0 picks a free one (default: ${DEFAULT_PORT})`, parsePort)
    .option('--host <host>', `interface to bind (default: ${DEFAULT_HOST}, this machine only)`)
    .action(async (o: { in: string; port?: number; host?: string }) => {
      const { startServer } = await import('../../serve/server.js');
      const server = await startServer({
        inDir: o.in,
        port: o.port ?? DEFAULT_PORT,
        host: o.host ?? DEFAULT_HOST,
      });
      process.stdout.write(`${server.url}\n`);
      const host = o.host ?? DEFAULT_HOST;
      if (host !== DEFAULT_HOST && host !== 'localhost' && host !== '::1') {
        process.stderr.write(
          `fleetpulse: warning: listening on ${host}: other machines may reach this dashboard\n`,
        );
      }
      process.stderr.write(`fleetpulse: dashboard of ${o.in} at ${server.url} (Ctrl+C to stop)\n`);
      const signal = await new Promise<NodeJS.Signals>((done) => {
        const stop = (s: NodeJS.Signals) => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          done(s);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
      process.stderr.write(`fleetpulse: ${signal}: dashboard stopped\n`);
    });
}
