/**
 * Gaps and overlaps between archived windows. Windows are inclusive on both ends (as CreateExportTask
 * takes them) and should tile time: each starts 1 ms after the one before ends, and the last ends at
 * the watermark. Pure.
 */

interface Span {
  readonly fromMs: number;
  readonly toMs: number;
}

interface LayoutFinding {
  readonly kind: 'gap' | 'overlap' | 'watermark-ahead' | 'watermark-behind' | 'inverted';
  readonly fromMs: number;
  readonly toMs: number;
  readonly detail: string;
}

const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

/**
 * What is wrong with the windows' tiling: a gap is a time range between the first window and the
 * watermark that no window covers; an overlap is a range two windows both cover (its events would be
 * archived twice). An empty list means the windows are contiguous up to the watermark.
 *
 * @example windowFindings([{ fromMs: 0, toMs: 9 }, { fromMs: 20, toMs: 29 }], 29); // one gap, 10–19
 */
function windowFindings(windows: readonly Span[], archivedThroughMs: number | undefined): LayoutFinding[] {
  const findings: LayoutFinding[] = [];
  const sorted = [...windows].sort((a, b) => a.fromMs - b.fromMs || a.toMs - b.toMs);
  for (const w of sorted) {
    if (w.toMs < w.fromMs)
      findings.push({
        kind: 'inverted',
        fromMs: w.fromMs,
        toMs: w.toMs,
        detail: `window ${iso(w.fromMs)} – ${iso(w.toMs)} ends before it starts`,
      });
  }
  let coveredTo: number | undefined;
  for (const w of sorted) {
    if (w.toMs < w.fromMs) continue;
    if (coveredTo !== undefined && w.fromMs > coveredTo + 1) {
      findings.push({
        kind: 'gap',
        fromMs: coveredTo + 1,
        toMs: w.fromMs - 1,
        detail: `no window covers ${iso(coveredTo + 1)} – ${iso(w.fromMs - 1)}`,
      });
    }
    if (coveredTo !== undefined && w.fromMs <= coveredTo) {
      const end = Math.min(coveredTo, w.toMs);
      findings.push({
        kind: 'overlap',
        fromMs: w.fromMs,
        toMs: end,
        detail: `two windows both cover ${iso(w.fromMs)} – ${iso(end)}`,
      });
    }
    coveredTo = coveredTo === undefined ? w.toMs : Math.max(coveredTo, w.toMs);
  }
  if (archivedThroughMs !== undefined && coveredTo === undefined) {
    findings.push({
      kind: 'watermark-ahead',
      fromMs: Number.NEGATIVE_INFINITY,
      toMs: archivedThroughMs,
      detail: `the watermark says archived through ${iso(archivedThroughMs)} but no window is listed`,
    });
  } else if (archivedThroughMs !== undefined && coveredTo !== undefined && archivedThroughMs > coveredTo) {
    findings.push({
      kind: 'watermark-ahead',
      fromMs: coveredTo + 1,
      toMs: archivedThroughMs,
      detail: `the watermark says archived through ${iso(archivedThroughMs)}, windows end at ${iso(coveredTo)}`,
    });
  } else if (coveredTo !== undefined && (archivedThroughMs === undefined || archivedThroughMs < coveredTo)) {
    findings.push({
      kind: 'watermark-behind',
      fromMs: archivedThroughMs ?? Number.NEGATIVE_INFINITY,
      toMs: coveredTo,
      detail: `windows reach ${iso(coveredTo)} but the watermark is ${archivedThroughMs === undefined ? 'unset' : iso(archivedThroughMs)}`,
    });
  }
  return findings;
}

export { windowFindings };
export type { LayoutFinding, Span };
