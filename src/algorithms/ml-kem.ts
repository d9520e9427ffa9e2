/**
 * ML-KEM KMS keys (FIPS 203): the key specs ML_KEM_512 / 768 / 1024 with KeyUsage
 * ENCAPSULATE_DECAPSULATE and the EncapsulationAlgorithmSpec row ML_KEM, for Encapsulate and
 * Decapsulate (@aws-sdk/client-kms ≥ 3.1160, EncapsulateCommand / DecapsulateCommand).
 *
 * AWS (API_Encapsulate, API_Decapsulate, API_CreateKey): the shared secret is 32 bytes; the
 * SharedSecretCiphertextBlob is 768 / 1088 / 1568 bytes for ML_KEM_512 / 768 / 1024;
 * Decapsulate "returns an InvalidCiphertextException when the length of the
 * SharedSecretCiphertextBlob is inconsistent with the ML-KEM key spec. In all other cases,
 * Decapsulate returns a 32-byte pseudo-random value" — FIPS 203 implicit rejection
 * (Algorithm 18: K̄ = J(z‖c) when the re-encryption differs). Not available in the China
 * Regions. GetPublicKey returns SPKI with the FIPS 203 OIDs; ML-KEM data key pairs are PKCS#8
 * in the seed form (primitives/ml-kem-keys.ts).
 *
 * Pure JS (@noble/post-quantum): no platform offers ML-KEM on every runtime kms-core targets,
 * so there is nothing for the backend seam to do. The encapsulation randomness m and the key
 * seed come from `env.random`, so an injected source reproduces every byte.
 */
import { ml_kem1024, ml_kem512, ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import type { BackingKey, KeySpec } from '../keys/record.js';
import { ML_KEM_SEED_BYTES, ML_KEM_SETS, MlKemKeyError, mlKemPkcs8Encode, mlKemSeedFromPkcs8, mlKemSpkiDecode, mlKemSpkiEncode, type MlKemParameterSet } from '../primitives/ml-kem-keys.js';
import { toHex, wipe } from '../util/bytes.js';
import type { CryptoEnv, EncapsulationAlgorithmSpec, KeySpecInfo } from './types.js';

export type MlKemKeySpec = Extract<KeySpec, 'ML_KEM_512' | 'ML_KEM_768' | 'ML_KEM_1024'>;

type Kem = typeof ml_kem512;

interface MlKemSet {
  readonly set: MlKemParameterSet;
  readonly kem: Kem;
  readonly ciphertextBytes: number;
}

export const ML_KEM_KEY_SPEC_SETS: Readonly<Record<MlKemKeySpec, MlKemSet>> = Object.freeze({
  ML_KEM_512: { set: 'ML-KEM-512', kem: ml_kem512, ciphertextBytes: ML_KEM_SETS['ML-KEM-512'].ciphertextBytes },
  ML_KEM_768: { set: 'ML-KEM-768', kem: ml_kem768, ciphertextBytes: ML_KEM_SETS['ML-KEM-768'].ciphertextBytes },
  ML_KEM_1024: { set: 'ML-KEM-1024', kem: ml_kem1024, ciphertextBytes: ML_KEM_SETS['ML-KEM-1024'].ciphertextBytes },
});

/** ML-KEM is not available in the China Regions (API_CreateKey KeySpec; API_Encapsulate). */
const ML_KEM_EXCLUDED_REGIONS: readonly string[] = ['cn-north-1', 'cn-northwest-1'];

export interface Encapsulated {
  /** K, 32 bytes: the caller returns it as SharedSecret, then wipes it. */
  sharedSecret: Uint8Array;
  /** c: the SharedSecretCiphertextBlob. */
  ciphertext: Uint8Array;
}

export interface EncapsulationAlgorithm {
  readonly name: EncapsulationAlgorithmSpec;
  /** Encapsulate (FIPS 203 Algorithm 20, m = env.random(32)) to the public key of version `bk`. */
  encapsulate(env: CryptoEnv, keySpec: MlKemKeySpec, bk: BackingKey): Promise<Encapsulated>;
  /**
   * Decapsulate (FIPS 203 Algorithm 21) with the private key of version `bk`. undefined only
   * when the ciphertext length is not the spec's (the caller raises InvalidCiphertextException);
   * any ciphertext of the right length gives 32 bytes, the implicit rejection value K̄ when it
   * was not made for this key.
   */
  decapsulate(env: CryptoEnv, keySpec: MlKemKeySpec, bk: BackingKey, ciphertext: Uint8Array): Promise<Uint8Array | undefined>;
}

/** The encapsulation key ek of a version, decoded once. */
function encapsulationKey(env: CryptoEnv, keySpec: MlKemKeySpec, bk: BackingKey): Uint8Array {
  const { set } = ML_KEM_KEY_SPEC_SETS[keySpec];
  return env.memo(bk, `ml-kem-ek/${set}/`, (b) => mlKemSpkiDecode(set, b.publicKey as Uint8Array));
}

/** The expanded decapsulation key dk of a version, recomputed from the seed once and cached like other private key objects. */
function decapsulationKey(env: CryptoEnv, keySpec: MlKemKeySpec, bk: BackingKey): Uint8Array {
  const { set, kem } = ML_KEM_KEY_SPEC_SETS[keySpec];
  return env.memo(bk, `ml-kem-dk/${set}/`, (b) => {
    const seed = mlKemSeedFromPkcs8(set, b.material);
    try {
      return kem.keygen(seed).secretKey;
    } finally {
      wipe(seed);
    }
  });
}

export const mlKem: EncapsulationAlgorithm = {
  name: 'ML_KEM',

  async encapsulate(env, keySpec, bk) {
    const { kem } = ML_KEM_KEY_SPEC_SETS[keySpec];
    const ek = encapsulationKey(env, keySpec, bk);
    const m = env.random(32);
    try {
      const { cipherText, sharedSecret } = kem.encapsulate(ek, m);
      // noble returns K as a view into G(m‖H(ek)); copy it out and wipe the rest.
      const out = Uint8Array.from(sharedSecret);
      wipe(sharedSecret);
      return { sharedSecret: out, ciphertext: cipherText };
    } finally {
      wipe(m);
    }
  },

  async decapsulate(env, keySpec, bk, ciphertext) {
    const { kem, ciphertextBytes } = ML_KEM_KEY_SPEC_SETS[keySpec];
    /* Precondition: the ciphertext has the spec's length (API_Decapsulate: otherwise InvalidCiphertextException). */
    if (ciphertext.length !== ciphertextBytes) return undefined;
    const dk = decapsulationKey(env, keySpec, bk);
    const k = kem.decapsulate(ciphertext, dk);
    const out = Uint8Array.from(k);
    wipe(k);
    return out;
  },
};

/** The EncapsulationAlgorithmSpec rows. */
const ENCAPSULATION_ALGORITHMS: Readonly<Record<EncapsulationAlgorithmSpec, EncapsulationAlgorithm>> = Object.freeze({ ML_KEM: mlKem });

export function encapsulationAlgorithm(name: EncapsulationAlgorithmSpec): EncapsulationAlgorithm | undefined {
  return Object.prototype.hasOwnProperty.call(ENCAPSULATION_ALGORITHMS, name) ? ENCAPSULATION_ALGORITHMS[name] : undefined;
}

/** A new ML-KEM key pair from a 64-byte seed d‖z (FIPS 203 Algorithm 16): PKCS#8 (seed form) and SPKI. */
export function mlKemKeyPairFromSeed(keySpec: MlKemKeySpec, seed: Uint8Array): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const { set, kem } = ML_KEM_KEY_SPEC_SETS[keySpec];
  /* Precondition: the seed is d‖z, 64 bytes (FIPS 203 §7.1). */
  if (seed.length !== ML_KEM_SEED_BYTES) throw new MlKemKeyError('ML-KEM: seed must be 64 bytes');
  const { publicKey, secretKey } = kem.keygen(seed);
  wipe(secretKey);
  return { privateKey: mlKemPkcs8Encode(set, seed), publicKey: mlKemSpkiEncode(set, publicKey) };
}

function mlKemSpec(keySpec: MlKemKeySpec): KeySpecInfo {
  return {
    keySpec,
    encryptionAlgorithms: [],
    keyUsages: ['ENCAPSULATE_DECAPSULATE'],
    keyType: 'asymmetric',
    rotatable: false,
    hasPublicKey: true,
    wrapsDataKeys: false,
    bindsContext: false,
    namesMaterial: false,
    encapsulationAlgorithms: ['ML_KEM'],
    regions: (region) => !ML_KEM_EXCLUDED_REGIONS.includes(region),
    async generate(env, createdAt) {
      const seed = env.random(ML_KEM_SEED_BYTES);
      try {
        const { privateKey, publicKey } = mlKemKeyPairFromSeed(keySpec, seed);
        return { id: toHex(env.random(32)), material: privateKey, publicKey, createdAt };
      } finally {
        wipe(seed);
      }
    },
  };
}

const mlKem512Spec = mlKemSpec('ML_KEM_512');
const mlKem768Spec = mlKemSpec('ML_KEM_768');
const mlKem1024Spec = mlKemSpec('ML_KEM_1024');

export const ML_KEM_KEY_SPECS: Readonly<Record<MlKemKeySpec, KeySpecInfo>> = Object.freeze({
  ML_KEM_512: mlKem512Spec,
  ML_KEM_768: mlKem768Spec,
  ML_KEM_1024: mlKem1024Spec,
});
