/**
 * `archive athena-ddl`: an Amazon Athena table over the export layout exactly as AWS writes it
 * (nothing is copied or converted). One row per exported line, RegexSerDe on
 * `<ISO-8601 UTC ms> <message>`; the log group is a partition key projected by injection, so a query
 * must name its group(s) (`WHERE log_group = '~aws~lambda~orders'`, the group with `/` → `~` as in the
 * keys) and reads only that group's folder. The stream comes from the object key (`"$path"`).
 * Pure: the text depends on the bucket, prefix and names only.
 *
 * Known limits of reading the layout as it is: a message that contains a newline spans several
 * lines, and its continuation lines (and the manifest.json and aws-logs-write-test objects beside the
 * exports) come back as rows whose columns are NULL: the view filters them out; `archive cat` reads
 * such messages whole.
 */
import { ConfigError } from '../errors.js';

interface DdlOptions {
  readonly bucket: string;
  readonly bucketPrefix: string;
  /** @default 'cwl_archive' */
  readonly table?: string;
  /** @default 'default' */
  readonly database?: string;
}

/** The line regex, as Java (Hive's RegexSerDe) reads it: group 1 the timestamp, group 2 the message. */
const LINE_REGEX = String.raw`^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (.*)$`;

/** Hive string literals take backslashes escaped, and the quote doubled. */
const hiveString = (text: string): string => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
/** Trino (Athena's SQL) string literals: backslashes are plain characters, a quote is doubled. */
const sqlString = (text: string): string => `'${text.replaceAll("'", "''")}'`;
const regexLiteral = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const identifier = (name: string, flag: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/i.test(name)) {
    throw new ConfigError(
      flag,
      `${flag} must be letters, digits and underscores (Athena's rule for names), got ${JSON.stringify(name)}; e.g. ${flag} cwl_archive.`,
    );
  }
  return name.toLowerCase();
};

/**
 * The regex that takes the stream name out of an export object's key (group 1), for a prefix:
 * `<prefix>/exports/<group>/<fromMs>-<toMs>/<taskId>/<stream…>/<chunk>.gz`.
 */
function streamKeyRegex(bucket: string, bucketPrefix: string): string {
  return `^s3://${regexLiteral(bucket)}/${regexLiteral(bucketPrefix)}/exports/[^/]+/\\d+-\\d+/[^/]+/(.+)/\\d+\\.gz$`;
}

/**
 * The DDL: a table and a view (`<table>_events`: timestamp typed, stream from the key, non-event rows
 * dropped).
 *
 * @example process.stdout.write(athenaDdl({ bucket: 'my-archive', bucketPrefix: 'cwl-archive' }));
 */
function athenaDdl(options: DdlOptions): string {
  const table = identifier(options.table ?? 'cwl_archive', '--table');
  const database = identifier(options.database ?? 'default', '--database');
  const root = `s3://${options.bucket}/${options.bucketPrefix}/exports/`;
  return `-- cwl-trim archive in Amazon Athena: one row per exported line, partitioned by log group.
-- Query one group at a time: its name with "/" written "~", as in the S3 keys, e.g.
--   SELECT ts, log_stream, message FROM ${database}.${table}_events
--   WHERE log_group = '~aws~lambda~orders' AND ts >= TIMESTAMP '2026-10-01 00:00:00' ORDER BY ts;
CREATE EXTERNAL TABLE IF NOT EXISTS \`${database}\`.\`${table}\` (
  \`event_time\` string,
  \`message\` string
)
PARTITIONED BY (\`log_group\` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'
WITH SERDEPROPERTIES ('input.regex' = ${hiveString(LINE_REGEX)})
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION '${root}'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.log_group.type' = 'injected',
  'storage.location.template' = '${root}\${log_group}/'
);

CREATE OR REPLACE VIEW \`${database}\`.\`${table}_events\` AS
SELECT
  from_iso8601_timestamp(event_time) AS ts,
  log_group,
  replace(log_group, '~', '/') AS log_group_name,
  regexp_extract("$path", ${sqlString(streamKeyRegex(options.bucket, options.bucketPrefix))}, 1) AS log_stream,
  message
FROM \`${database}\`.\`${table}\`
WHERE event_time IS NOT NULL;
`;
}

export { LINE_REGEX, athenaDdl, streamKeyRegex };
export type { DdlOptions };
