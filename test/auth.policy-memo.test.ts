/**
 * The parsed-policy memo (src/auth/policy.ts cachedKeyPolicy) and the pattern memo of StringLike
 * (src/auth/conditions.ts) have no clear-all cliff (issue 14): with more keys of distinct
 * policies than one generation holds, the policies in use stay parsed, and what is not used
 * goes, so the memo's memory stays bounded by the text it holds.
 */
import { describe, expect, test } from 'vitest';
import { cachedKeyPolicy } from '../src/auth/policy.js';
import { BoundedCache } from '../src/util/bounded-cache.js';
import { ACCOUNT_A } from './helpers/auth.js';

/** A policy per tenant, as a many-tenant deployment writes them (~430 characters each). */
const tenantPolicy = (tenant: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:root` }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'app',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:role/App` },
        Action: ['kms:Encrypt', 'kms:Decrypt'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:EncryptionContext:tenant': tenant } },
      },
    ],
  });

describe('cachedKeyPolicy', () => {
  test('a policy in use stays parsed while 3,000 keys of distinct policies are read (no clear-all at a count)', () => {
    const hot = tenantPolicy('hot');
    const first = cachedKeyPolicy(hot, 'aws');
    for (let i = 0; i < 3000; i++) {
      cachedKeyPolicy(tenantPolicy(`t${i}`), 'aws');
      if (i % 100 === 0) expect(cachedKeyPolicy(hot, 'aws'), `after ${i}`).toBe(first);
    }
  });

  test('policies read again soon after stay parsed: 1,000 distinct ones, twice in turn', () => {
    const texts = Array.from({ length: 1000 }, (_, i) => tenantPolicy(`again-${i}`));
    const parsed = texts.map((t) => cachedKeyPolicy(t, 'aws'));
    texts.forEach((t, i) => expect(cachedKeyPolicy(t, 'aws')).toBe(parsed[i]));
  });

  test('a policy no one reads is dropped once two generations of other policy text went by (bounded memory)', () => {
    const cold = tenantPolicy('cold');
    const first = cachedKeyPolicy(cold, 'aws');
    // Two generations hold 2 × 2^20 characters: 6,000 policies of ~430 are more than that.
    for (let i = 0; i < 6000; i++) cachedKeyPolicy(tenantPolicy(`fill-${i}`), 'aws');
    const again = cachedKeyPolicy(cold, 'aws');
    expect(again).not.toBe(first);
    // Parsed again to the same meaning (compiled patterns are closures: compared by what they match).
    expect(again.statements.map((s) => [s.effect, s.actions.test('kms:Decrypt'), s.actions.test('kms:Sign')])).toEqual(first.statements.map((s) => [s.effect, s.actions.test('kms:Decrypt'), s.actions.test('kms:Sign')]));
  });

  test('each partition has its own memo (a policy parsed for aws-cn names aws-cn principals)', () => {
    const text = tenantPolicy('partition');
    expect(cachedKeyPolicy(text, 'aws-cn')).not.toBe(cachedKeyPolicy(text, 'aws'));
  });
});

describe('BoundedCache with weighed entries', () => {
  test('a generation holds entries up to its total weight, whatever their number', () => {
    const c = new BoundedCache<string, number>(100, (k) => k.length);
    for (let i = 0; i < 10_000; i++) c.set(`${i}`.padStart(10, '0'), i);
    // 10 units each: a generation rolls over at 100 units (10 entries), two generations at most.
    expect(c.size).toBeLessThanOrEqual(20);
    const big = 'x'.repeat(150);
    c.set(big, 1);
    c.set('next', 2); // the heavy entry filled its generation alone
    expect(c.get(big)).toBe(1);
    expect(c.size).toBeLessThanOrEqual(3);
  });

  /** A generation of 20 units, whose older generation holds `m`; it rolls over when current reaches 20. */
  function withOlder() {
    const c = new BoundedCache<string, number>(20, (k) => k.length);
    c.set('mmmmmmmmmm', 1);
    c.set('xxxxxxxxxx', 2);
    c.set('yyyyy', 3); // 20 units: rolls over; m and x are the older generation, y (5) current
    expect(c.has('mmmmmmmmmm')).toBe(true);
    return c;
  }

  test('setting a key again does not weigh it twice', () => {
    const c = withOlder();
    for (let i = 0; i < 3; i++) c.set('yyyyy', i); // still 5 units, not 20
    c.set('v', 4); // 6 units: no rollover, so m is still in the older generation
    expect(c.has('mmmmmmmmmm')).toBe(true);
  });

  test('a deleted entry gives its weight back', () => {
    const c = withOlder();
    c.set('zzzzzzzzzz', 5);
    c.delete('zzzzzzzzzz'); // back to 5 units
    c.set('wwwwwwwwww', 6); // 15
    c.set('v', 7); // 16: no rollover, so m is still in the older generation
    expect(c.has('mmmmmmmmmm')).toBe(true);
    c.deleteWhere((k) => k === 'v');
    expect(c.has('v')).toBe(false);
    c.set('uuuu', 8); // 19 (v gave its unit back)
    c.set('t', 9); // checked at 19 units: still no rollover
    expect(c.has('mmmmmmmmmm')).toBe(true);
  });
});
