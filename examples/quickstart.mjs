// kms-core quickstart: `npm start`. Runs on the embedded in-memory key store and prints what
// each call did. Nothing here needs AWS credentials or a network.
import { Kms, KmsError } from 'kms-core';

const kms = new Kms({ accountId: '111122223333', region: 'eu-west-1' });
const rows = [];
const short = (arn) => (arn ? `…${arn.slice(-12)}` : '');
const mat = (id) => (id ? `${id.slice(0, 10)}…` : '');
const log = (step, call, result) => rows.push({ step, call, result });

const a = (await kms.createKey({ Description: 'orders' })).KeyMetadata;
log(1, 'createKey', `key A ${a.KeyId} (${a.KeySpec}, ${a.KeyState})`);
const b = (await kms.createKey({ Description: 'archive' })).KeyMetadata;
log(2, 'createKey', `key B ${b.KeyId} (${b.KeySpec}, ${b.KeyState})`);
await kms.createAlias({ AliasName: 'alias/archive', TargetKeyId: b.KeyId });
log(3, 'createAlias', 'alias/archive → key B');

const plaintext = new TextEncoder().encode('order #4711: 3 × blue widget');
const ctxA = { tenant: 'acme', purpose: 'orders' };
const enc = await kms.encrypt({ KeyId: a.KeyId, Plaintext: plaintext, EncryptionContext: ctxA });
log(4, 'encrypt', `${plaintext.length} B under key A with context ${JSON.stringify(ctxA)} → ${enc.CiphertextBlob.length} B blob`);

await kms.rotateKeyOnDemand({ KeyId: a.KeyId });
const rot = await kms.listKeyRotations({ KeyId: a.KeyId });
log(5, 'rotateKeyOnDemand', `key A now on material ${mat(rot.Rotations.at(-1).KeyMaterialId)} (${rot.Rotations.at(-1).KeyMaterialState})`);

const ctxB = { tenant: 'acme', purpose: 'archive' };
const re = await kms.reEncrypt({
  CiphertextBlob: enc.CiphertextBlob,
  SourceEncryptionContext: ctxA,
  DestinationKeyId: 'alias/archive',
  DestinationEncryptionContext: ctxB,
});
log(6, 'reEncrypt', `key A ${short(re.SourceKeyId)} → key B ${short(re.KeyId)}, context → ${JSON.stringify(ctxB)}`);
log('', '', `SourceKeyMaterialId ${mat(re.SourceKeyMaterialId)} → DestinationKeyMaterialId ${mat(re.DestinationKeyMaterialId)}`);

const dec = await kms.decrypt({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: ctxB });
const same = new TextDecoder().decode(dec.Plaintext) === new TextDecoder().decode(plaintext);
log(7, 'decrypt', `key ${short(dec.KeyId)} material ${mat(dec.KeyMaterialId)}: plaintext ${same ? 'matches' : 'DIFFERS'}`);

try {
  await kms.decrypt({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: ctxB, KeyId: a.KeyId });
  log(8, 'decrypt (KeyId A)', 'unexpectedly succeeded');
  process.exitCode = 1;
} catch (e) {
  if (!(e instanceof KmsError)) throw e;
  log(8, 'decrypt (KeyId A)', `refused: ${e.name}: ${e.message}`);
}

const width = (k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length));
const w = { step: width('step'), call: width('call') };
const line = (r) => `${String(r.step).padEnd(w.step)}  ${String(r.call).padEnd(w.call)}  ${r.result}`;
console.log(`kms-core quickstart (account ${kms.accountId}, ${kms.region}, in-memory key store)\n`);
console.log(line({ step: '#', call: 'call', result: 'result' }));
console.log(`${'-'.repeat(w.step)}  ${'-'.repeat(w.call)}  ${'-'.repeat(60)}`);
for (const r of rows) console.log(line(r));
if (!same) process.exitCode = 1;
