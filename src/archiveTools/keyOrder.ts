/**
 * S3's key order, pure: ListObjectsV2 lists keys in the byte order of their UTF-8, which is the order
 * of their code points. JavaScript's `<` compares UTF-16 code units, which differs only where a
 * character above U+FFFF (a surrogate pair, 0xD800–0xDFFF) meets one of U+E000–U+FFFF.
 */

/**
 * Negative when `a` lists before `b`, 0 when equal, positive after.
 *
 * @example compareKeys('a/😀', 'a/\uffff') > 0; // true: S3 lists U+1F600 after U+FFFF, JavaScript's < says before
 */
function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    // A surrogate stands for a code point above U+FFFF: after every unit that is not one.
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

export { compareKeys };
