/**
 * Just enough XML for S3: escaping, building the few documents S3 answers with, and reading the
 * one request body the sandbox needs (DeleteObjects).
 */

const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

function unescapeXml(text: string): string {
  return text
    .replace(/&#x([0-9a-fA-F]+);/g, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&(lt|gt|quot|apos);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'" })[name] ?? '')
    .replace(/&amp;/g, '&');
}

/** `<name>escaped value</name>`, or nothing when the value is undefined. */
function el(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A whole S3 XML document with its declaration and namespace. */
function xmlDocument(root: string, inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_XMLNS}">${inner}</${root}>`;
}

/** The S3 error document: `<Error><Code>…</Code><Message>…</Message>…</Error>`. */
function errorDocument(
  code: string,
  message: string,
  extra: Readonly<Record<string, string>>,
  requestId: string,
): string {
  const fields = Object.entries(extra)
    .map(([k, v]) => el(k, v))
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${el('Code', code)}${el('Message', message)}${fields}${el('RequestId', requestId)}</Error>`;
}

/** The keys and the Quiet flag of a DeleteObjects body; `undefined` when it is not one. */
function parseDeleteRequest(body: string): { keys: string[]; quiet: boolean } | undefined {
  if (!/<Delete[\s>]/.test(body)) return undefined;
  const keys: string[] = [];
  for (const m of body.matchAll(/<Object>([\s\S]*?)<\/Object>/g)) {
    const key = /<Key>([\s\S]*?)<\/Key>/.exec(m[1] ?? '');
    if (!key) return undefined;
    keys.push(unescapeXml(key[1] ?? ''));
  }
  const quiet = /<Quiet>\s*true\s*<\/Quiet>/i.test(body);
  return { keys, quiet };
}

export { el, errorDocument, escapeXml, parseDeleteRequest, unescapeXml, xmlDocument };
