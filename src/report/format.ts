/**
 * How the human report writes numbers, money, times and names. Pure functions of their input: the
 * same report always renders the same text, whatever the machine's locale or time zone.
 */
/** Binary units, named as the prices are (BYTES_PER_GB in constants.ts: a priced GB is 1024³ bytes). */
const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/**
 * Bytes with one decimal in the largest unit that keeps the number ≥ 1.
 *
 * @example formatBytes(35 * 1024 ** 3) // '35.0 GB'
 */
function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1) return '0 B';
  let unit = 0;
  let value = bytes;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/**
 * US dollars. Small amounts keep four decimals: a rebuild that re-puts 20 MB costs $0.0098, and
 * rounding that to "$0.01" or "$0.00" would hide the comparison the report exists to show.
 *
 * @example formatUsd(0.00421) // '$0.0042'
 */
function formatUsd(usd: number): string {
  if (!Number.isFinite(usd) || usd === 0) return '$0';
  const abs = Math.abs(usd);
  const sign = usd < 0 ? '-' : '';
  if (abs < 0.0001) return `${sign}<$0.0001`;
  if (abs < 1) return `${sign}$${abs.toFixed(4)}`;
  if (abs < 1000) return `${sign}$${abs.toFixed(2)}`;
  return `${sign}$${formatCount(Math.round(abs))}`;
}

/**
 * A whole number with thousands separators (fixed to commas, whatever the locale).
 *
 * @example formatCount(12345) // '12,345'
 */
function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Months until a rebuild's saving pays for its re-ingestion: 0 means nothing is re-put, null that
 * the saving never pays it back.
 *
 * @example formatPayback(7.14) // '7.1 months'
 */
function formatPayback(months: number | null): string {
  if (months === null) return 'never';
  if (months === 0) return 'immediate (nothing re-put)';
  if (months < 0.1) return 'under a week';
  return `${months.toFixed(1)} months`;
}

/**
 * A UTC timestamp to the second: `2026-11-14 12:00:00 UTC`.
 *
 * @example formatTime(Date.UTC(2026, 10, 14, 12)) // '2026-11-14 12:00:00 UTC'
 */
function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * An export window. Both ends are inclusive (as CreateExportTask takes them), so the end is written
 * as "before" the next millisecond: `…→ before 2026-11-14 12:00:00 UTC` reads as the cutoff itself.
 *
 * @example formatWindow(from, cutoff - 1) // '2026-09-06 00:00:00 → before 2026-11-14 12:00:00 UTC'
 */
function formatWindow(fromMs: number, toMs: number): string {
  return `${formatTime(fromMs).replace(' UTC', '')} → before ${formatTime(toMs + 1)}`;
}

/**
 * Shortens text to `width` columns by cutting out its middle: both the start of a log group name
 * (its family, `/aws/lambda/`) and its end (the function) are what people recognise.
 *
 * @example truncateMiddle('/aws/lambda/a-very-long-function-name', 20) // '/aws/lambd…tion-name'
 */
function truncateMiddle(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return '…'.slice(0, width);
  const keep = width - 1;
  const head = Math.ceil(keep / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (keep - head)).join('')}`;
}

/**
 * `n` and the noun, in the plural unless n is 1.
 *
 * @example plural(3, 'stream') // '3 streams'
 */
function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${formatCount(n)} ${n === 1 ? noun : nouns}`;
}

/**
 * Greedy word wrap to `width` columns; lines after the first start with `indent`. A word longer
 * than a line is shortened in the middle.
 *
 * @example wrapText('- delete /aws/lambda/app s1: failed: …', 100, '  ') // continuation lines indented by 2
 */
function wrapText(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const raw of text.split(/\s+/).filter((w) => w !== '')) {
    const word = truncateMiddle(raw, width - indent.length);
    const candidate = line === '' ? `${lines.length === 0 ? '' : indent}${word}` : `${line} ${word}`;
    if ([...candidate].length > width && line !== '') {
      lines.push(line);
      line = `${indent}${word}`;
    } else {
      line = candidate;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

export {
  formatBytes,
  formatCount,
  formatPayback,
  formatTime,
  formatUsd,
  formatWindow,
  plural,
  truncateMiddle,
  wrapText,
};
