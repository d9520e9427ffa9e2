/**
 * Expiry (ValidTo) and re-import of imported key material as a property: any interleaving of
 * clock moves (`now()`), re-imports of the same material (expiring or not), imports of other
 * material, deletions and one on-demand rotation into new imported material leaves the key
 * exactly as a model of the documented rules says — Enabled iff every permanently associated
 * material is imported and not past its ValidTo, and then (only then) every ciphertext it ever
 * made decrypts (API_ImportKeyMaterial ValidTo; Developer Guide, "Delete imported key material").
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, KmsError } from '../src/index.js';
import { defaultBackend } from './helpers/backend.js';
import { dec, enc } from './helpers/index.js';
import { DAY, ManualClock } from './helpers/keys.js';
import { fixtureBackend, nodeWrap, rnd } from './helpers/wrap.js';

type Action =
  | { kind: 'advance'; ms: number }
  | { kind: 'edge'; delta: number }
  | { kind: 'reimport'; which: number; validIn: number | undefined }
  | { kind: 'other' }
  | { kind: 'delete'; which: number | undefined }
  | { kind: 'rotate'; validIn: number | undefined };

const validIn = fc.option(fc.integer({ min: 1, max: 4 * DAY }), { nil: undefined });
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 3 * DAY }), fc.constantFrom(1, DAY)) }),
  // To the earliest ValidTo, or a millisecond before it: the boundary is ValidTo itself.
  fc.record({ kind: fc.constant('edge' as const), delta: fc.constantFrom(-1, 0) }),
  fc.record({ kind: fc.constant('reimport' as const), which: fc.nat(1), validIn }),
  fc.record({ kind: fc.constant('other' as const) }),
  fc.record({ kind: fc.constant('delete' as const), which: fc.option(fc.nat(1), { nil: undefined }) }),
  fc.record({ kind: fc.constant('rotate' as const), validIn }),
);

/** One permanently associated material version, as the model sees it. */
interface Version {
  material: Uint8Array;
  id: string;
  imported: boolean;
  validTo: number | undefined;
}

describe('imported material over time (property)', () => {
  test('expiry, deletion and re-import over interleavings with now(): key state, ValidTo and decryption follow the model', async () => {
    const backend = fixtureBackend(defaultBackend);
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 8 }), fc.option(fc.integer({ min: 1, max: 3 * DAY }), { nil: undefined }), async (actions, firstValidIn) => {
        const clock = new ManualClock();
        const kms = new Kms({ keyStore: new InMemoryKeyStore(), now: clock.now, backend });
        const KeyId = (await kms.createKey({ Origin: 'EXTERNAL' })).KeyMetadata?.KeyId as string;
        const doImport = async (material: Uint8Array, expiresIn: number | undefined, extra: Record<string, unknown> = {}) => {
          const p = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
          const expiry = expiresIn === undefined ? { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const } : { ValidTo: new Date(clock.t + expiresIn) };
          return kms.importKeyMaterial({ KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: nodeWrap('RSAES_OAEP_SHA_256', p.PublicKey as Uint8Array, material), ...expiry, ...extra });
        };
        const versions: Version[] = [];
        const blobs: { blob: Uint8Array; text: string }[] = [];
        const seal = async () => {
          const text = `blob ${blobs.length}`;
          blobs.push({ blob: (await kms.encrypt({ KeyId, Plaintext: enc(text) })).CiphertextBlob as Uint8Array, text });
        };
        const first = rnd(32);
        const id = (await doImport(first, firstValidIn)).KeyMaterialId as string;
        versions.push({ material: first, id, imported: true, validTo: firstValidIn === undefined ? undefined : clock.t + firstValidIn });
        await seal();
        let rotated = false;

        // The model: time removes material at ValidTo; the key is Enabled iff all of it is there.
        const expire = () => {
          for (const v of versions) if (v.imported && v.validTo !== undefined && v.validTo <= clock.t) v.imported = false;
        };
        const enabled = () => versions.every((v) => v.imported);

        for (const a of actions) {
          switch (a.kind) {
            case 'advance':
              clock.advance(a.ms);
              break;
            case 'edge': {
              const next = versions.filter((v) => v.imported && v.validTo !== undefined && v.validTo + a.delta > clock.t).map((v) => (v.validTo as number) + a.delta);
              if (next.length) clock.set(Math.min(...next));
              break;
            }
            case 'reimport': {
              const v = versions[a.which % versions.length] as Version;
              expire();
              await doImport(v.material, a.validIn, { KeyMaterialId: v.id });
              v.imported = true;
              v.validTo = a.validIn === undefined ? undefined : clock.t + a.validIn;
              break;
            }
            case 'other': {
              let err: unknown;
              try {
                await doImport(rnd(32), undefined);
              } catch (e) {
                err = e;
              }
              expect(err).toBeInstanceOf(KmsError);
              expect((err as KmsError).name).toBe('IncorrectKeyMaterialException');
              break;
            }
            case 'delete': {
              expire();
              const v = a.which === undefined ? versions[versions.length - 1] : versions[a.which % versions.length];
              await kms.deleteImportedKeyMaterial(a.which === undefined ? { KeyId } : { KeyId, KeyMaterialId: (v as Version).id });
              (v as Version).imported = false;
              break;
            }
            case 'rotate': {
              expire();
              if (rotated || !enabled()) break; // RotateKeyOnDemand needs an Enabled key (CRYPTOGRAPHIC rule)
              const m = rnd(32);
              const nid = (await doImport(m, a.validIn, { ImportType: 'NEW_KEY_MATERIAL' })).KeyMaterialId as string;
              await kms.rotateKeyOnDemand({ KeyId });
              versions.push({ material: m, id: nid, imported: true, validTo: a.validIn === undefined ? undefined : clock.t + a.validIn });
              rotated = true;
              break;
            }
          }
          expire();
          const md = (await kms.describeKey({ KeyId })).KeyMetadata;
          expect(md?.KeyState).toBe(enabled() ? 'Enabled' : 'PendingImport');
          const expiring = versions.filter((v) => v.imported && v.validTo !== undefined).map((v) => v.validTo as number);
          if (expiring.length) expect(md?.ValidTo?.getTime()).toBe(Math.min(...expiring));
          else expect(md?.ValidTo).toBeUndefined();
          const rotations = (await kms.listKeyRotations({ KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations ?? [];
          expect(rotations.map((r) => [r.KeyMaterialId, r.ImportState])).toEqual(versions.map((v) => [v.id, v.imported ? 'IMPORTED' : 'PENDING_IMPORT']));
          for (const { blob, text } of blobs) {
            if (enabled()) expect(dec((await kms.decrypt({ CiphertextBlob: blob })).Plaintext)).toBe(text);
            else {
              let err: unknown;
              try {
                await kms.decrypt({ CiphertextBlob: blob });
              } catch (e) {
                err = e;
              }
              expect((err as KmsError).name).toBe('KMSInvalidStateException');
            }
          }
          if (enabled()) await seal();
        }
      }),
      { numRuns: 20 },
    );
  });
});
