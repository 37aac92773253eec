/** Placeholder replaced by the self-contained HTML report. */
import type { RunSummary } from '../types.ts';

export function renderHtml(summary: RunSummary): string {
  return `<!doctype html><title>${summary.run.runId}</title>\n`;
}
