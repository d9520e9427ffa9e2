/** The suite runs against every backend; this checks which one and that each is wired. */
import { expect, test } from 'vitest';
import { nodeBackend } from '../src/backend/node.js';
import { Kms, webBackend } from '../src/index.js';
import { defaultBackend } from './helpers/backend.js';

test('this project runs against the backend vitest aliased', () => {
  const project = (globalThis as { __vitest_worker__?: { ctx?: { projectName?: string } } }).__vitest_worker__?.ctx?.projectName;
  expect(defaultBackend.name).toBe(project === 'webcrypto' ? 'webcrypto' : 'node');
});

test('the backends agree byte for byte given the same randomness', async () => {
  const seeded = () => {
    let i = 0;
    return (n: number) => Uint8Array.from({ length: n }, () => (i++ * 37 + 11) & 0xff);
  };
  const a = new Kms({ backend: nodeBackend, random: seeded(), now: () => new Date(0) });
  const b = new Kms({ backend: webBackend, random: seeded(), now: () => new Date(0) });
  const ka = (await a.createKey()).KeyMetadata!;
  const kb = (await b.createKey()).KeyMetadata!;
  expect(ka.KeyId).toBe(kb.KeyId);
  const pt = new TextEncoder().encode('same bytes everywhere');
  const ea = await a.encrypt({ KeyId: ka.KeyId, Plaintext: pt, EncryptionContext: { x: 'y' } });
  const eb = await b.encrypt({ KeyId: kb.KeyId, Plaintext: pt, EncryptionContext: { x: 'y' } });
  expect(Buffer.from(ea.CiphertextBlob!).toString('hex')).toBe(Buffer.from(eb.CiphertextBlob!).toString('hex'));
});
