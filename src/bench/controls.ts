/**
 * Control probes: with a calibration, a local run also cold-starts the calibration's own hello
 * probe for each runtime and architecture it estimates, interleaved with the suite's variants
 * (the same seeded order, so the same load). The control's Init now ÷ its Init while
 * calibrating is how much slower this run's host starts a process than the calibration's did:
 * estimates correct Init by it (docs/calibration.md, "The host's load"). Controls are marked
 * `control: true` in run.json's plan; reports leave them out of every table.
 */
import { PROBE_TIMEOUT_S, probeFunctions, runtimeSlug } from '../calibration/probes.ts';
import { shippedPath } from '../paths.ts';
import type { Architecture } from '../vocabulary.ts';
import { type Plan, plan as makePlan, seededShuffle } from './plan.ts';
import { loadSuiteDocument, type Suite } from './suite.ts';

/** Enough cold starts for a median that one slow start does not move. */
export const CONTROL_COLD = 5;
/** Init is flat in memory; 512 MB is a size every calibration measured. */
const CONTROL_MEMORY_MB = 512;
const CONTROL_PREFIX = 'coldbench-control-';

export interface ControlProbe {
  runtime: string;
  architecture: Architecture;
}

/** `coldbench-control-python311-arm64`: one control function per runtime and architecture. */
function controlName(c: ControlProbe): string {
  return `${CONTROL_PREFIX}${runtimeSlug(c.runtime)}-${c.architecture.replace('_', '')}`;
}

function controlSuite(controls: ControlProbe[], seed: number): Suite {
  const functions: Record<string, unknown> = {};
  for (const c of controls) {
    // The calibration's own hello probe of that runtime.
    const [hello] = probeFunctions([c.runtime]);
    functions[controlName(c)] = {
      code: shippedPath(`fixtures/calibration/functions/${hello.folder}`),
      runtime: c.runtime,
      handler: hello.handler,
      architecture: c.architecture,
      memory: [CONTROL_MEMORY_MB],
      cold: CONTROL_COLD,
      warm: 0,
      timeout: PROBE_TIMEOUT_S,
      concurrency: 2,
      coldStrategy: 'burst',
    };
  }
  return loadSuiteDocument({ name: 'coldbench-controls', defaults: { seed }, functions }, '(coldbench control probes)');
}

/** The suite and plan with the control probes added and the order reshuffled with the plan's seed. */
export function withControls(suite: Suite, plan: Plan, wanted: ControlProbe[]): { suite: Suite; plan: Plan } {
  // Only what the run has a variant of: a control of another runtime would correct nothing.
  const controls = wanted.filter((c) => plan.variants.some((v) => v.runtime === c.runtime && v.architecture === c.architecture));
  if (controls.length === 0) return { suite, plan };
  const extra = controlSuite(controls, plan.seed);
  const extraPlan = makePlan(extra);
  const variants = [...plan.variants, ...extraPlan.variants.map((v) => ({ ...v, control: true as const }))];
  return {
    suite: { ...suite, functions: [...suite.functions, ...extra.functions] },
    plan: {
      ...plan,
      variants,
      order: seededShuffle(
        variants.map((v) => v.name),
        plan.seed,
      ),
    },
  };
}
