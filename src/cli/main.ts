import { Command } from 'commander';
import { writeStatsIfAsked } from '../util/progress.js';
import { VERSION } from '../version.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerDemo } from './commands/demo.js';
import { registerForecast } from './commands/forecast.js';
import { registerGenerate } from './commands/generate.js';
import { registerInsights } from './commands/insights.js';
import { registerLoad } from './commands/load.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { reportFailure } from './exit.js';

/** Builds the CLI; each command lives in its own file under commands/. */
export function buildProgram(): Command {
  const program = new Command('fleetpulse')
    .description('Online-device metrics, projections and insights from an IoT connectivity export')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDemo(program);
  registerRun(program);
  registerAnalyze(program);
  registerGenerate(program);
  registerReport(program);
  registerServe(program);
  registerForecast(program);
  registerInsights(program);
  registerLoad(program);
  for (const c of program.commands) c.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (e) {
    return reportFailure(e);
  } finally {
    writeStatsIfAsked();
  }
}
