/**
 * A profile's cold-start savings as estimated on Lambda, from a calibration (docs/calibration.md):
 * Init on Lambda is offset + speed × local Init, so a local Init saving of x ms is speed × x on
 * Lambda, the runtime's offset cancelling out. The interval widens the measured one (or the point
 * estimate) by the model's Init error. Only for a profile on the local emulator; savings per
 * invocation are left without an estimate (a warm Duration's throttling needs the Durations
 * themselves, not their difference). Pure.
 */
import { Z_90 } from '../calibration/predict.ts';
import type { ProfileReport, Recommendation } from './types.ts';

export interface ProfileCalibration {
  speed: number;
  /** Log sd of an Init estimate */
  initLogSd: number;
  file: string;
  calibratedAt: string;
  reference: string;
}

/** The recommendations with `lambdaSaving` added, and the report's `lambdaEstimates` note; the report unchanged off the local emulator. */
export function withLambdaSavings(report: ProfileReport, calibration: ProfileCalibration): ProfileReport {
  if (report.target !== 'local emulator') return report;
  const spread = Math.exp(Z_90 * calibration.initLogSd);
  const recommendations = report.recommendations.map((r): Recommendation => {
    if (r.per !== 'cold-start' || r.savingMs === null) return r;
    const [lo, hi] = r.verified && r.ci ? r.ci : [r.savingMs, r.savingMs];
    const s = calibration.speed;
    return { ...r, lambdaSaving: { median: s * r.savingMs, low: Math.min((s * lo) / spread, s * lo * spread), high: Math.max(s * hi * spread, (s * hi) / spread) } };
  });
  return {
    ...(recommendations.some((r) => r.lambdaSaving)
      ? { lambdaEstimates: { speed: calibration.speed, file: calibration.file, calibratedAt: calibration.calibratedAt, reference: calibration.reference } }
      : {}),
    ...report,
    recommendations,
  };
}
