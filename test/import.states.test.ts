/**
 * The key-state table's rows for GetParametersForImport, ImportKeyMaterial and
 * DeleteImportedKeyMaterial on keys WITH imported material (Origin EXTERNAL), state by state
 * (Developer Guide, "Key states of AWS KMS keys", footnotes 8 and 9; API_DeleteImportedKeyMaterial
 * for PendingDeletion). test/operations.table.test.ts covers the same rows for AWS_KMS keys
 * (footnote 9 first). States only a snapshot can produce are made by editing one.
 */
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, KmsError, type KeyState, type KeyStoreSnapshot } from '../src/index.js';
import { KEY_STATES } from '../src/keys/record.js';
import { defaultBackend } from './helpers/backend.js';
import { ManualClock, snapshotKey } from './helpers/keys.js';
import { fixtureBackend, nodeWrap, rnd } from './helpers/wrap.js';
import { outcomeOf } from './helpers/index.js';

const backend = fixtureBackend(defaultBackend);

/** An EXTERNAL key with imported material, put in `state` through its snapshot. */
async function externalIn(state: KeyState) {
  const clock = new ManualClock();
  const store = new InMemoryKeyStore();
  const kms = new Kms({ keyStore: store, now: clock.now, backend });
  const key = (await kms.createKey({ Origin: 'EXTERNAL' })).KeyMetadata;
  const KeyId = key?.KeyId as string;
  const p = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
  await kms.importKeyMaterial({ KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: nodeWrap('RSAES_OAEP_SHA_256', p.PublicKey as Uint8Array, rnd(32)), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
  // An outstanding parameter set, so ImportKeyMaterial gets past the token when the state passes.
  const q = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
  const snap = JSON.parse(JSON.stringify(store.exportSnapshot())) as KeyStoreSnapshot;
  const k = snapshotKey(snap, key?.Arn as string);
  k.KeyState = state;
  if (state === 'PendingDeletion') {
    k.DeletionDate = new Date(clock.t + 30 * 86_400_000).toISOString();
    k.PendingWindowInDays = 30;
  }
  const loaded = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(snap), now: clock.now, backend });
  return { kms: loaded, KeyId, arn: key?.Arn as string, token: q.ImportToken as Uint8Array, spki: q.PublicKey as Uint8Array };
}

const PHRASE: Record<KeyState, string> = {
  Creating: 'is creating.',
  Enabled: 'is enabled.',
  Disabled: 'is disabled.',
  PendingDeletion: 'is pending deletion.',
  PendingReplicaDeletion: 'is pending deletion.',
  PendingImport: 'is pending import.',
  Unavailable: 'is unavailable.',
  Updating: 'is updating.',
};

// The table, written out here on its own: ok, R (KMSInvalidStateException "<arn> is <state>."),
// O (UnsupportedOperationException, footnote 9: a key that "cannot … have imported key material").
const ORDER: readonly KeyState[] = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'Unavailable', 'Creating', 'Updating', 'PendingReplicaDeletion'];
const TABLE: Record<string, string> = {
  GetParametersForImport: 'ok ok R ok O R ok R',
  ImportKeyMaterial: 'ok ok R ok O R ok R',
  DeleteImportedKeyMaterial: 'ok ok ok ok O R ok ok',
};


describe('key states of keys with imported material (footnotes 8, 9)', () => {
  const cases = Object.keys(TABLE).flatMap((op) => KEY_STATES.map((state) => ({ op, state })));
  test.each(cases)('Precondition: the key\'s state passes the operation\'s rule of the key-state table — $op on an EXTERNAL $state key', async ({ op, state }) => {
    const { kms, KeyId, arn, token, spki } = await externalIn(state);
    const want = (TABLE[op] as string).split(' ')[ORDER.indexOf(state)];
    const call =
      op === 'GetParametersForImport'
        ? kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })
        : op === 'ImportKeyMaterial'
          ? kms.importKeyMaterial({ KeyId, ImportToken: token, EncryptedKeyMaterial: nodeWrap('RSAES_OAEP_SHA_256', spki, rnd(32)), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })
          : kms.deleteImportedKeyMaterial({ KeyId });
    const e = await outcomeOf(call);
    if (want === 'R') {
      expect(e?.name).toBe('KMSInvalidStateException');
      expect(e?.message).toBe(`${arn} ${PHRASE[state]}`);
    } else if (want === 'O') {
      expect(e?.name).toBe('UnsupportedOperationException');
      expect(e?.message).toBe(`${arn} origin is EXTERNAL which is not valid for this operation.`);
    } else if (op === 'ImportKeyMaterial') {
      // Past the state: other material than the key's is the material's own refusal.
      expect(e?.name, e?.message).toBe('IncorrectKeyMaterialException');
    } else {
      expect(e, e?.message).toBeUndefined();
    }
  });
});
