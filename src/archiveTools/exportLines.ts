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

/** `YYYY-MM-DDTHH:MM:SS.mmmZ ` is 25 characters. */
const STAMP_LENGTH = 24;
const STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The timestamp a line starts with, or undefined when it is a continuation line. */
function lineTimestamp(line: string): number | undefined {
  // Cheap checks first: this runs once per archived event.
  if (line.length <= STAMP_LENGTH || line.charCodeAt(STAMP_LENGTH) !== 32 || line.charCodeAt(10) !== 84) return undefined;
  const stamp = line.slice(0, STAMP_LENGTH);
  if (!STAMP.test(stamp)) return undefined;
  const ms = Date.parse(stamp);
  return Number.isNaN(ms) ? undefined : ms;
}

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
const formatEventLine = (e: ArchivedEvent): string => `${new Date(e.timestamp).toISOString()} ${e.logStreamName} ${e.message}`;

/** One JSON line with `timestamp` (epoch ms), `logStreamName` and `message`: `archive cat --json`. */
const formatEventJson = (e: ArchivedEvent): string =>
  JSON.stringify({ timestamp: e.timestamp, logStreamName: e.logStreamName, message: e.message });

export { ExportLineParser, formatEventJson, formatEventLine, lineTimestamp, parseExportText };
export type { ArchivedEvent };
