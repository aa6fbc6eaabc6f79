/**
 * The IAM actions the code needs, derived from the code itself: every `new XxxCommand(` of an AWS SDK v3
 * client that a file under src/ imports (the sandbox and the demo excluded: they never run in Lambda),
 * mapped to the IAM actions that authorize it. Tests compare this list with the deployed policy, so a new
 * SDK call fails the tests until the policy allows it, and a policy action nothing calls fails them too.
 *
 * Run it to print the list: `npx tsx test/deploy/iamActions.ts`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * Not deployed: the local sandbox and the demo only run on developers' machines; the `archive` commands
 * run from the CLI only (their permissions are the README's "Archive tools" section, not the function's).
 */
const EXCLUDED_DIRS = ['src/demo', 'src/archiveTools'];

/** S3 operations → the IAM actions that authorize them (the Service Authorization Reference's mapping). */
const S3_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  PutObject: ['s3:PutObject'],
  GetObject: ['s3:GetObject'],
  HeadObject: ['s3:GetObject'],
  ListObjectsV2: ['s3:ListBucket'],
  ListObjects: ['s3:ListBucket'],
  HeadBucket: ['s3:ListBucket'],
  DeleteObject: ['s3:DeleteObject'],
  DeleteObjects: ['s3:DeleteObject'],
  CopyObject: ['s3:GetObject', 's3:PutObject'],
};

/** Lambda operations → IAM actions. */
const LAMBDA_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  Invoke: ['lambda:InvokeFunction'],
};

/** Which client package a command comes from, and how its operations map to IAM actions. */
const PACKAGES: Readonly<Record<string, (operation: string) => readonly string[] | undefined>> = {
  '@aws-sdk/client-cloudwatch-logs': (operation) => [`logs:${operation}`],
  '@aws-sdk/client-s3': (operation) => S3_ACTIONS[operation],
  '@aws-sdk/client-lambda': (operation) => LAMBDA_ACTIONS[operation],
};

interface CommandUse {
  /** Relative to the repository root. */
  readonly file: string;
  readonly pkg: string;
  /** The operation, e.g. `GetLogEvents` for `GetLogEventsCommand`. */
  readonly operation: string;
  readonly actions: readonly string[];
}

interface DerivedActions {
  /** Sorted, unique. */
  readonly actions: readonly string[];
  readonly uses: readonly CommandUse[];
}

/** Blanks out comments (string-aware), so a commented-out or documented call is not counted. */
function stripComments(source: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i]!;
    const next = source[i + 1];
    if (quote) {
      out += c;
      if (c === '\\') out += source[++i] ?? '';
      else if (c === quote) quote = undefined;
    } else if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i += 1;
      out += '\n';
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 1;
      out += ' ';
    } else {
      if (c === "'" || c === '"' || c === '`') quote = c;
      out += c;
    }
  }
  return out;
}

/** `import { A, B as C, type D } from 'pkg'` → local name → { pkg, imported name }. */
function sdkImports(code: string): Map<string, { pkg: string; name: string }> {
  const found = new Map<string, { pkg: string; name: string }>();
  for (const m of code.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*['"](@aws-sdk\/client-[a-z0-9-]+)['"]/g)) {
    for (const spec of m[1]!.split(',')) {
      const [name, alias] = spec
        .replace(/^\s*type\s+/, '')
        .trim()
        .split(/\s+as\s+/);
      if (name) found.set((alias ?? name).trim(), { pkg: m[2]!, name: name.trim() });
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    const rel = relative(ROOT, path).replaceAll('\\', '/');
    if (entry.isDirectory()) return EXCLUDED_DIRS.includes(rel) ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Scans src/ and returns the IAM actions its SDK calls need. `logs:Unmask` is added when a file that
 * sends GetLogEvents can set `unmask` on it (reading data-protected groups unmasked needs it).
 * Throws on a command of an SDK package or an S3/Lambda operation it has no mapping for: extend the
 * tables above rather than letting a call go unauthorized.
 *
 * @example
 * const { actions } = deriveIamActions(); // ['lambda:InvokeFunction', 'logs:CreateExportTask', …]
 */
function deriveIamActions(srcDir: string = join(ROOT, 'src')): DerivedActions {
  const uses: CommandUse[] = [];
  for (const path of sourceFiles(srcDir)) {
    const code = stripComments(readFileSync(path, 'utf8'));
    const imports = sdkImports(code);
    const file = relative(ROOT, path).replaceAll('\\', '/');
    for (const m of code.matchAll(/\bnew\s+([A-Za-z_$][\w$]*)\s*\(/g)) {
      const imported = imports.get(m[1]!);
      if (!imported || !imported.name.endsWith('Command')) continue;
      const operation = imported.name.slice(0, -'Command'.length);
      const mapper = PACKAGES[imported.pkg];
      const actions = mapper?.(operation);
      if (!actions)
        throw new Error(
          `${file}: no IAM mapping for ${imported.name} of ${imported.pkg}; add it to test/deploy/iamActions.ts`,
        );
      uses.push({ file, pkg: imported.pkg, operation, actions });
      if (operation === 'GetLogEvents' && /\bunmask\s*:/.test(code)) {
        uses.push({ file, pkg: imported.pkg, operation: 'GetLogEvents (unmask: true)', actions: ['logs:Unmask'] });
      }
    }
  }
  const actions = [...new Set(uses.flatMap((u) => u.actions))].sort();
  return { actions, uses };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { actions, uses } = deriveIamActions();
  for (const action of actions) {
    const where = [
      ...new Set(uses.filter((u) => u.actions.includes(action)).map((u) => `${u.operation} in ${u.file}`)),
    ];
    console.log(`${action.padEnd(32)} ${where.join('; ')}`);
  }
}

export { deriveIamActions, stripComments };
export type { CommandUse, DerivedActions };
