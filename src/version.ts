/**
 * The version printed by `cwl-trim --version`: package.json's, read at build time (esbuild inlines the
 * JSON into the bundle), so the installed command and the package it came from always agree.
 */
import packageJson from '../package.json' with { type: 'json' };

const VERSION: string = packageJson.version;

export { VERSION };
