/**
 * The Athena DDL against the real thing: its regular expressions, taken out of the printed DDL (not
 * from the module's constants), must read the lines and keys a sandbox export wrote.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { groupKey } from '../../../src/archive/keys.js';
import { MS_PER_DAY } from '../../../src/constants.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { archiveCli, trimRun } from '../../helpers/archiveCli.js';
import { BUCKET } from '../../helpers/runHarness.js';
import { NOW, useRunSandbox } from '../../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

/** A Hive single-quoted literal's value (backslash escapes). */
const hiveValue = (literal: string): string => literal.slice(1, -1).replace(/\\(.)/g, '$1');
/** A Trino single-quoted literal's value (quotes doubled, backslashes plain). */
const sqlValue = (literal: string): string => literal.slice(1, -1).replaceAll("''", "'");

describe('archive athena-ddl', () => {
  it('prints a table whose regexes read real exported lines and keys, and a location template per group', async () => {
    const group = '/aws/lambda/orders';
    const stream = '2026/10/01/[$LATEST]abc/def';
    const events = [
      { timestamp: NOW - 30 * MS_PER_DAY, message: 'START RequestId: 1 Version: $LATEST' },
      { timestamp: NOW - 29 * MS_PER_DAY, message: '{"level":"error","msg":"it\'s \\"broken\\"","n":1}' },
      { timestamp: NOW - 28 * MS_PER_DAY, message: '' },
    ];
    sandbox.seedGroup(group, { creationTimeMs: NOW - 40 * MS_PER_DAY });
    sandbox.seedStream(group, stream, events);
    await trimRun(sandbox);

    const out = await archiveCli(sandbox, ['athena-ddl', '--table', 'logs_archive']);
    expect(out.code).toBe(0);
    const ddl = out.stdout;
    expect(ddl).toMatch(/CREATE EXTERNAL TABLE IF NOT EXISTS `default`\.`logs_archive`/);
    expect(ddl).toContain("'projection.log_group.type' = 'injected'");
    const lineRegex = new RegExp(hiveValue(/'input\.regex' = ('(?:[^'\\]|\\.)*')/.exec(ddl)![1]!));
    const keyRegex = new RegExp(sqlValue(/regexp_extract\("\$path", ('(?:[^']|'')*'), 1\)/.exec(ddl)![1]!));
    const template = /'storage\.location\.template' = '([^']*)'/.exec(ddl)![1]!;

    const objects = sandbox.objects(BUCKET, 'cwl-archive/exports/').filter((o) => o.key.endsWith('.gz'));
    expect(objects.length).toBeGreaterThan(0);
    const rows = objects.flatMap((o) =>
      gunzipSync(o.body)
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((line) => {
          const m = lineRegex.exec(line);
          return { time: m?.[1], message: m?.[2], stream: keyRegex.exec(`s3://${BUCKET}/${o.key}`)?.[1], key: o.key };
        }),
    );
    expect(rows.map((r) => ({ ts: Date.parse(r.time!), message: r.message, stream: r.stream }))).toEqual(
      events.map((e) => ({ ts: e.timestamp, message: e.message, stream })),
    );
    // The partition's location is the folder every one of the group's objects sits under.
    const location = template.replace('${log_group}', groupKey(group));
    for (const r of rows) expect(`s3://${BUCKET}/${r.key}`.startsWith(location)).toBe(true);
    // The objects beside the exports are not events: the regex leaves their rows empty.
    expect(lineRegex.test('Permission Check Successful')).toBe(false);
    expect(lineRegex.test('{"logGroupName":"/aws/lambda/orders","objects":[]}')).toBe(false);
  });

  it('refuses a table name Athena would not take', async () => {
    const out = await archiveCli(sandbox, ['athena-ddl', '--table', 'my-table']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--table must be letters, digits and underscores/);
  });
});
