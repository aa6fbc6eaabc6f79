/**
 * The line format of CloudWatch Logs exports, `2021-04-21T00:00:00.000Z <message>\n`, read back into
 * events, and the two output formats of `archive cat`.
 *
 * A message that itself contains a newline is exported as it is, so its later lines do not start
 * with a timestamp: a line that does not start with `<ISO-8601 UTC ms> ` continues the previous
 * event's message. (A message line that happens to start with such a timestamp cannot be told apart
 * from a new event: the export format has the same ambiguity.)
 */

/** One archived event, as `archive cat` and `archive restore` see it. */
interface ArchivedEvent {
  readonly timestamp: number;
  readonly logStreamName: string;
  readonly message: string;
}

/** `YYYY-MM-DDTHH:MM:SS.mmmZ` is 24 characters, then a space. */
const STAMP_LENGTH = 24;
/** Where the separators sit in a stamp, and what they are. */
const SEPARATORS: readonly (readonly [number, number])[] = [
  [4, 45],
  [7, 45],
  [10, 84],
  [13, 58],
  [16, 58],
  [19, 46],
  [23, 90],
  [24, 32],
];
const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22] as const;

/**
 * The timestamp of the stamp that starts at `at` in a line ending at `end` (bytes or character codes),
 * or undefined when the line does not start with `<ISO-8601 UTC ms> `: a continuation line. Reads the
 * digits in place: no substring, no Date.parse, once per archived event.
 */
function stampAt(code: (i: number) => number, at: number, end: number): number | undefined {
  if (end - at <= STAMP_LENGTH) return undefined;
  for (const [offset, c] of SEPARATORS) if (code(at + offset) !== c) return undefined;
  for (const offset of DIGITS) {
    const c = code(at + offset);
    if (c < 48 || c > 57) return undefined;
  }
  const n = (offset: number, length: number): number => {
    let v = 0;
    for (let i = 0; i < length; i += 1) v = v * 10 + code(at + offset + i) - 48;
    return v;
  };
  const month = n(5, 2);
  const day = n(8, 2);
  const hour = n(11, 2);
  const minute = n(14, 2);
  const second = n(17, 2);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  return Date.UTC(n(0, 4), month - 1, day, hour, minute, second, n(20, 3));
}

/** The timestamp a line starts with, or undefined when it is a continuation line. */
const lineTimestamp = (line: string): number | undefined => stampAt((i) => line.charCodeAt(i), 0, line.length);

/**
 * Turns lines of one exported object into events, in the order they come (AWS does not sort them).
 * Feed it lines without their `\n`; call {@link ExportLineParser.end} after the last one.
 *
 * @example
 * const parser = new ExportLineParser('worker-1', (e) => events.push(e));
 * for (const line of text.split('\n')) parser.line(line);
 * parser.end();
 */
class ExportLineParser {
  readonly #stream: string;
  readonly #emit: (event: ArchivedEvent) => void;
  #timestamp: number | undefined;
  #message = '';

  public constructor(logStreamName: string, emit: (event: ArchivedEvent) => void) {
    this.#stream = logStreamName;
    this.#emit = emit;
  }

  public line(line: string): void {
    const timestamp = lineTimestamp(line);
    if (timestamp === undefined) {
      // A continuation of the message before; text before any event (never seen in AWS's output) is kept too.
      if (this.#timestamp === undefined) {
        if (line !== '') this.#message = this.#message === '' ? line : `${this.#message}\n${line}`;
      } else {
        this.#message = `${this.#message}\n${line}`;
      }
      return;
    }
    this.end();
    this.#timestamp = timestamp;
    this.#message = line.slice(STAMP_LENGTH + 1);
  }

  /** Emits the event being read, if any. */
  public end(): void {
    if (this.#timestamp !== undefined) {
      this.#emit({ timestamp: this.#timestamp, logStreamName: this.#stream, message: this.#message });
    }
    this.#timestamp = undefined;
    this.#message = '';
  }
}

/**
 * Every event of an exported object's text. The final `\n` ends the last event; an empty line
 * before it (a message ending in a newline) stays part of the message.
 *
 * @example parseExportText('2026-11-01T00:00:00.000Z hello\n', 'worker-1'); // [{ timestamp: …, message: 'hello', … }]
 */
function parseExportText(text: string, logStreamName: string): ArchivedEvent[] {
  const events: ArchivedEvent[] = [];
  const parser = new ExportLineParser(logStreamName, (e) => events.push(e));
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (body !== '') for (const line of body.split('\n')) parser.line(line);
  parser.end();
  return events;
}

/** `<ISO-8601 UTC ms> <stream> <message>`: the line `archive cat` prints. */
const formatEventLine = (e: ArchivedEvent): string =>
  `${new Date(e.timestamp).toISOString()} ${e.logStreamName} ${e.message}`;

/** One JSON line with `timestamp` (epoch ms), `logStreamName` and `message`: `archive cat --json`. */
const formatEventJson = (e: ArchivedEvent): string =>
  JSON.stringify({ timestamp: e.timestamp, logStreamName: e.logStreamName, message: e.message });

export { ExportLineParser, STAMP_LENGTH, formatEventJson, formatEventLine, lineTimestamp, parseExportText, stampAt };
export type { ArchivedEvent };
