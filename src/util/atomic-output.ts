import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Outputs are written to a staging folder inside the output folder and moved
 * into place only when the whole run has succeeded. The completion marker
 * (quality.json for analyze) is removed first and moved in last, so a crash
 * during the moves never leaves a set that looks complete.
 */
export class AtomicOutput {
  readonly staging: string;
  private done = false;

  constructor(
    readonly dir: string,
    private readonly marker: string,
  ) {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
    this.staging = mkdtempSync(join(dir, '.staging-'));
  }

  path(name: string): string {
    return join(this.staging, name);
  }

  /** Moves every staged file into the output folder, the marker last. */
  commit(): string[] {
    const names = readdirSync(this.staging);
    const ordered = [...names.filter((n) => n !== this.marker), ...names.filter((n) => n === this.marker)];
    try {
      unlinkSync(join(this.dir, this.marker));
    } catch {
      // no earlier result
    }
    for (const n of ordered) {
      rmSync(join(this.dir, n), { recursive: true, force: true });
      renameSync(join(this.staging, n), join(this.dir, n));
    }
    rmSync(this.staging, { recursive: true, force: true });
    this.done = true;
    return ordered;
  }

  /** Removes the staging folder; nothing already in the output folder is touched. */
  abort(): void {
    if (!this.done) rmSync(this.staging, { recursive: true, force: true });
  }
}
