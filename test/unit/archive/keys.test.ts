import { describe, expect, it } from 'vitest';
import { groupNameOfKey, leaseKey, stateKey, stateListPrefix } from '../../../src/archive/keys.js';

describe('the state objects listing', () => {
  const prefix = 'cwl-archive';

  it('gives back, under its prefix, the name of every group whose state the store writes', () => {
    for (const group of ['/aws/lambda/app', 'plain', '/a.b-c_d#e']) {
      const key = stateKey(prefix, group);
      const listed = stateListPrefix(prefix);
      expect(key.startsWith(listed)).toBe(true);
      expect(groupNameOfKey(key.slice(listed.length, -'.json'.length))).toBe(group);
    }
  });

  it('does not take the lease, or another prefix, for a group state', () => {
    expect(leaseKey(prefix).startsWith(stateListPrefix(prefix))).toBe(false);
    expect(stateKey('other', '/app').startsWith(stateListPrefix(prefix))).toBe(false);
  });
});
