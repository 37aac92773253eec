/**
 * The measuring loop of a run: variants take turns batch by batch, each driven by its
 * VariantDriver (drive.ts). The run, profile sessions and the drive tests all go through it.
 */
import { type DriveContext, isFinished, tallyOf, VariantDriver, type VariantResult, failedWith } from './drive.ts';
import type { Deployment } from './deploy.ts';
import { type Plan, type Variant, seededShuffle } from './plan.ts';

/** What the rounds drive, and how each variant gets its function and gives it back. */
export interface Rounds {
  plan: Pick<Plan, 'variants' | 'order' | 'seed'>;
  /**
   * Every variant's outcome so far (run.json's, on --resume), updated in place after each turn;
   * a finished variant is not driven again.
   */
  results: Record<string, VariantResult>;
  /** Each variant runs all its cold batches in one turn (--function: one function cannot have two memory sizes at once) */
  oneAtATime: boolean;
  /** The variant's function, deployed (or pointed at the variant) at its first turn */
  start(variant: Variant): Promise<Deployment>;
  /** Done with a variant's function: measured, failed, or the run was interrupted */
  release(dep: Deployment): Promise<void>;
  /** After each turn, with the variant's outcome so far (the run rewrites run.json) */
  onTurn?(name: string, result: VariantResult): void;
}

/**
 * The measuring loop of a run. Variants take turns batch by batch, in a freshly shuffled order
 * each round (seeded: the plan's seed + round), so drift during the run (host load, thermal
 * state) spreads over all of them. A variant starts at its first turn and is released as soon as
 * it is done; a variant whose turn throws is failed with the error and the others go on.
 */
export async function runRounds(ctx: DriveContext, rounds: Rounds): Promise<void> {
  const { plan, results } = rounds;
  for (const v of plan.variants) results[v.name] ??= { state: 'pending' };
  const byName = new Map(plan.variants.map((v) => [v.name, v]));
  const pending = plan.order.flatMap((name) => {
    const variant = byName.get(name);
    return variant && !isFinished(results[name]) ? [variant] : [];
  });
  const drivers = new Map<string, VariantDriver>();
  const release = async (name: string) => {
    const driver = drivers.get(name);
    drivers.delete(name);
    if (driver) await rounds.release(driver.dep);
  };
  const done = (variant: Variant) => {
    const at = pending.indexOf(variant);
    if (at !== -1) pending.splice(at, 1);
  };
  for (let round = 0; pending.length > 0 && !ctx.signal.aborted; round++) {
    const turn = round === 0 ? [...pending] : seededShuffle(pending, plan.seed + round);
    for (const variant of turn) {
      if (ctx.signal.aborted) break;
      const name = variant.name;
      let driver = drivers.get(name);
      try {
        if (!driver) {
          results[name] = { state: 'running', ...tallyOf(results[name]) };
          driver = new VariantDriver(ctx, await rounds.start(variant), results[name]);
          drivers.set(name, driver);
        }
        do await driver.coldBatch();
        while (rounds.oneAtATime && driver.coldRemaining > 0 && !ctx.signal.aborted);
        if (driver.coldRemaining === 0 && !ctx.signal.aborted) {
          await driver.warmAll();
          if (!ctx.signal.aborted) {
            driver.finish();
            done(variant);
            await release(name);
          }
        }
        results[name] = driver.result;
      } catch (error) {
        results[name] = failedWith(driver?.result ?? results[name], `${name}: ${(error as Error).message}`);
        done(variant);
        await release(name);
      }
      rounds.onTurn?.(name, results[name]);
    }
  }
  // Interrupted: give back what is still deployed.
  for (const name of [...drivers.keys()]) await release(name);
}
