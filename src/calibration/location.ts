/**
 * Where `coldbench calibrate` keeps its calibration and `report` / `bench` look for it. Its own
 * module, light enough for `report` to check for the file before loading any calibration code.
 */
import { join } from 'node:path';
import { cachePath } from '../cache-dir.ts';

/** `<cache>/calibration/calibration.json` */
export function defaultCalibrationFile(env: NodeJS.ProcessEnv = process.env): string {
  return cachePath(join('calibration', 'calibration.json'), env);
}
