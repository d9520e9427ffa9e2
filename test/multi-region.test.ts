/**
 * Multi-Region keys through the Kms API (issue 17, "Multi-Region"): a Kms per Region on one
 * KeyStore. Encrypt in one Region, decrypt and re-encrypt under each replica; rotation of the
 * primary (on demand and automatic) reaching the replicas; UpdatePrimaryRegion; deletion of a
 * replica and of a primary with replicas (PendingReplicaDeletion); identifiers of other
 * Regions; shared and independent properties; permissions; concurrent changes of one set.
 */
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, defaultKeyPolicy, type KeyMetadata, type KeyStore } from '../src/index.js';
import { dec, enc } from './helpers/index.js';
import { DAY, ManualClock, refuses } from './helpers/keys.js';

const ACCOUNT = '111122223333';
const US = 'us-east-1';
const EU = 'eu-west-1';
const AP = 'ap-southeast-2';

function world(keyStore: KeyStore = new InMemoryKeyStore(), clock = new ManualClock()) {
  const kms = (region: string, options: ConstructorParameters<typeof Kms>[0] = {}) => new Kms({ region, keyStore, now: clock.now, ...options });
  return { keyStore, clock, us: kms(US), eu: kms(EU), ap: kms(AP), kms };
}

const arnIn = (region: string, keyId: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`;

async function primaryWithReplicas(w = world(), regions = [EU, AP]) {
  const p = (await w.us.createKey({ MultiRegion: true, Description: 'primary' })).KeyMetadata as KeyMetadata;
  const id = p.KeyId as string;
  for (const r of regions) await w.us.replicateKey({ KeyId: id, ReplicaRegion: r });
  return { ...w, id, primary: p };
}

async function describe_(kms: Kms, keyId: string): Promise<KeyMetadata> {
  return (await kms.describeKey({ KeyId: keyId })).KeyMetadata as KeyMetadata;
}

describe('CreateKey MultiRegion and DescribeKey MultiRegionConfiguration', () => {
  test('a multi-Region primary: mrk- + 32 lowercase hex, PRIMARY of itself, no replicas', async () => {
    const { us } = world();
    const md = (await us.createKey({ MultiRegion: true })).KeyMetadata as KeyMetadata;
    expect(md.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    expect(md.MultiRegionConfiguration).toEqual({ MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Arn: md.Arn, Region: US }, ReplicaKeys: [] });
  });

  test('ReplicateKey: the replica is reported Creating, then Enabled; every key of the set lists the same primary and replicas', async () => {
    const w = world();
    const p = (await w.us.createKey({ MultiRegion: true, Description: 'primary' })).KeyMetadata as KeyMetadata;
    const id = p.KeyId as string;
    const first = await w.us.replicateKey({ KeyId: id, ReplicaRegion: EU, Description: 'in Ireland', Tags: [{ TagKey: 'site', TagValue: 'dub' }] });
    const md = first.ReplicaKeyMetadata as KeyMetadata;
    expect(md).toMatchObject({ KeyId: id, Arn: arnIn(EU, id), AWSAccountId: ACCOUNT, KeyState: 'Creating', Enabled: false, Description: 'in Ireland', MultiRegion: true, KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS' });
    expect(md.MultiRegionConfiguration).toEqual({ MultiRegionKeyType: 'REPLICA', PrimaryKey: { Arn: p.Arn, Region: US }, ReplicaKeys: [{ Arn: arnIn(EU, id), Region: EU }] });
    // ReplicateKey's defaults: the default key policy (not the primary's), the given tags only.
    expect(first.ReplicaPolicy).toBe(defaultKeyPolicy('aws', ACCOUNT));
    expect(first.ReplicaTags).toEqual([{ TagKey: 'site', TagValue: 'dub' }]);
    const second = await w.us.replicateKey({ KeyId: p.Arn as string, ReplicaRegion: AP });
    expect(second.ReplicaTags).toEqual([]);
    expect((second.ReplicaKeyMetadata as KeyMetadata).Description).toBe('');

    const replicas = [{ Arn: arnIn(AP, id), Region: AP }, { Arn: arnIn(EU, id), Region: EU }];
    for (const [kms, type] of [[w.us, 'PRIMARY'], [w.eu, 'REPLICA'], [w.ap, 'REPLICA']] as const) {
      const d = await describe_(kms, id);
      expect(d.KeyState).toBe('Enabled');
      expect(d.MultiRegionConfiguration).toEqual({ MultiRegionKeyType: type, PrimaryKey: { Arn: p.Arn, Region: US }, ReplicaKeys: replicas });
    }
    expect((await describe_(w.us, id)).Description).toBe('primary');
    expect((await describe_(w.eu, id)).Description).toBe('in Ireland');
    // The replica is a key of its Region and account: ListKeys there shows it.
    expect((await w.eu.listKeys()).Keys).toEqual([{ KeyId: id, KeyArn: arnIn(EU, id) }]);
  });

  test('asymmetric and HMAC multi-Region keys replicate with their key spec, usage and material (same public key)', async () => {
    const w = world();
    for (const spec of [{ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }] as const) {
      const p = (await w.us.createKey({ MultiRegion: true, ...spec })).KeyMetadata as KeyMetadata;
      const r = (await w.us.replicateKey({ KeyId: p.KeyId as string, ReplicaRegion: EU })).ReplicaKeyMetadata as KeyMetadata;
      expect({ KeySpec: r.KeySpec, KeyUsage: r.KeyUsage }).toEqual(spec);
      if (spec.KeySpec === 'ECC_NIST_P256') {
        const a = await w.us.getPublicKey({ KeyId: p.KeyId as string });
        const b = await w.eu.getPublicKey({ KeyId: p.KeyId as string });
        expect(b.PublicKey).toEqual(a.PublicKey);
        expect(b.KeyId).toBe(arnIn(EU, p.KeyId as string));
      }
    }
  });
});

describe('replicas share key material: a ciphertext made in one Region opens in every Region of the set', () => {
  test('encrypt under the primary; decrypt and re-encrypt under each replica (by blob, key ID, or the replica ARN)', async () => {
    const { us, eu, ap, id } = await primaryWithReplicas();
    const context = { order: '4711' };
    const { CiphertextBlob } = await us.encrypt({ KeyId: id, Plaintext: enc('made in Virginia'), EncryptionContext: context });
    const { KeyMaterialId } = await us.decrypt({ CiphertextBlob, EncryptionContext: context });
    expect(KeyMaterialId).toBe((await describe_(us, id)).CurrentKeyMaterialId);
    for (const [kms, region] of [[eu, EU], [ap, AP]] as const) {
      for (const KeyId of [undefined, id, arnIn(region, id)]) {
        const out = await kms.decrypt({ CiphertextBlob, EncryptionContext: context, ...(KeyId ? { KeyId } : {}) });
        expect(dec(out.Plaintext)).toBe('made in Virginia');
        expect(out.KeyId).toBe(arnIn(region, id));
        expect(out.KeyMaterialId).toBe(KeyMaterialId);
      }
      const local = (await kms.createKey({ Description: `single-Region in ${region}` })).KeyMetadata as KeyMetadata;
      const moved = await kms.reEncrypt({ CiphertextBlob, SourceEncryptionContext: context, DestinationKeyId: local.KeyId as string });
      expect(moved.SourceKeyId).toBe(arnIn(region, id));
      expect(moved.SourceKeyMaterialId).toBe(KeyMaterialId);
      expect(dec((await kms.decrypt({ CiphertextBlob: moved.CiphertextBlob })).Plaintext)).toBe('made in Virginia');
      const same = await kms.reEncrypt({ CiphertextBlob, SourceEncryptionContext: context, DestinationKeyId: id, DestinationEncryptionContext: { region } });
      // Back under the set: the primary opens what the replica made.
      expect(dec((await us.decrypt({ CiphertextBlob: same.CiphertextBlob, EncryptionContext: { region } })).Plaintext)).toBe('made in Virginia');
    }
  });

  test('a data key generated under a replica decrypts under the primary', async () => {
    const { us, eu, id } = await primaryWithReplicas();
    const dk = await eu.generateDataKey({ KeyId: id, KeySpec: 'AES_256' });
    const back = await us.decrypt({ CiphertextBlob: dk.CiphertextBlob });
    expect(back.Plaintext).toEqual(dk.Plaintext);
  });

  test('a ciphertext of an unrelated key does not open: same material would not do either (the header names the key)', async () => {
    const { us, eu } = world();
    const single = (await us.createKey({})).KeyMetadata as KeyMetadata;
    const { CiphertextBlob } = await us.encrypt({ KeyId: single.KeyId as string, Plaintext: enc('x') });
    await refuses(eu.decrypt({ CiphertextBlob }), 'AccessDeniedException', /does not exist in this region/);
  });

  test('a replica made after rotations holds every older version: ciphertexts of all of them decrypt', async () => {
    const w = world();
    const id = ((await w.us.createKey({ MultiRegion: true })).KeyMetadata as KeyMetadata).KeyId as string;
    const blobs: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) {
      blobs.push((await w.us.encrypt({ KeyId: id, Plaintext: enc(`v${i}`) })).CiphertextBlob as Uint8Array);
      await w.us.rotateKeyOnDemand({ KeyId: id });
    }
    await w.us.replicateKey({ KeyId: id, ReplicaRegion: EU });
    for (const [i, b] of blobs.entries()) expect(dec((await w.eu.decrypt({ CiphertextBlob: b })).Plaintext)).toBe(`v${i}`);
    const rot = async (kms: Kms) => (await kms.listKeyRotations({ KeyId: id, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations;
    expect(await rot(w.eu)).toEqual((await rot(w.us))?.map((e) => ({ ...e, KeyId: arnIn(EU, id) })));
  });
});

describe('identifiers of another Region', () => {
  test('a key ARN of another Region is NotFoundException "Invalid arn <region>"; the key ID names the key of the caller\'s Region', async () => {
    const { us, eu, id, primary } = await primaryWithReplicas();
    const { CiphertextBlob } = await us.encrypt({ KeyId: id, Plaintext: enc('x') });
    await refuses(eu.describeKey({ KeyId: primary.Arn as string }), 'NotFoundException', `Invalid arn ${US}`);
    await refuses(eu.decrypt({ CiphertextBlob, KeyId: primary.Arn as string }), 'NotFoundException', `Invalid arn ${US}`);
    await refuses(eu.replicateKey({ KeyId: primary.Arn as string, ReplicaRegion: 'us-west-2' }), 'NotFoundException', `Invalid arn ${US}`);
    expect((await describe_(eu, id)).Arn).toBe(arnIn(EU, id));
    // A Region without a key of the set: the key ID names nothing there.
    await refuses(new Kms({ region: 'us-west-2', keyStore: us.keyStore }).describeKey({ KeyId: id }), 'NotFoundException', `Key '${arnIn('us-west-2', id)}' does not exist`);
  });
});

describe('ReplicateKey refusals', () => {
  test('Precondition: the key is a multi-Region key (single-Region keys cannot be replicated or converted).', async () => {
    const { us } = world();
    const k = (await us.createKey({})).KeyMetadata as KeyMetadata;
    await refuses(us.replicateKey({ KeyId: k.KeyId as string, ReplicaRegion: EU }), 'UnsupportedOperationException', `${k.Arn} is not a multi-Region key.`);
  });

  test('Precondition: the key is its set\'s primary ("It\'s the only key that can be replicated": UpdatePrimaryRegion).', async () => {
    const { eu, id, primary } = await primaryWithReplicas(world(), [EU]);
    await refuses(eu.replicateKey({ KeyId: id, ReplicaRegion: AP }), 'UnsupportedOperationException', `${arnIn(EU, id)} is not a multi-Region primary key; its primary key is ${primary.Arn}.`);
    await refuses(eu.updatePrimaryRegion({ KeyId: id, PrimaryRegion: EU }), 'UnsupportedOperationException', /is not a multi-Region primary key/);
  });

  test('Precondition: one key of the set per Region (its primary\'s Region included). Also while that replica is PendingDeletion', async () => {
    const { us, eu, id } = await primaryWithReplicas(world(), [EU]);
    await refuses(us.replicateKey({ KeyId: id, ReplicaRegion: US }), 'AlreadyExistsException');
    await refuses(us.replicateKey({ KeyId: id, ReplicaRegion: EU }), 'AlreadyExistsException', `${arnIn(EU, id)} already exists: a key of this multi-Region set is in ${EU}.`);
    await eu.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
    await refuses(us.replicateKey({ KeyId: id, ReplicaRegion: EU }), 'AlreadyExistsException');
  });

  test('Precondition: the replica Region is in the primary key\'s partition ("in the same AWS partition").', async () => {
    const { us } = world();
    const p = (await us.createKey({ MultiRegion: true })).KeyMetadata as KeyMetadata;
    await refuses(us.replicateKey({ KeyId: p.KeyId as string, ReplicaRegion: 'cn-north-1' }), 'ValidationException', `ReplicaRegion cn-north-1 is not in the partition (aws) of the primary key ${p.Arn}.`);
    await refuses(us.replicateKey({ KeyId: p.KeyId as string, ReplicaRegion: 'us-gov-west-1' }), 'ValidationException');
    // The model's pattern for RegionType comes first.
    await refuses(us.replicateKey({ KeyId: p.KeyId as string, ReplicaRegion: 'moon' }), 'ValidationException', /replicaRegion/);
  });

  test('Precondition: the replica Region is a Region kms-core accepts (as for a Kms of that Region).', async () => {
    const { us } = world();
    const p = (await us.createKey({ MultiRegion: true })).KeyMetadata as KeyMetadata;
    // The model's pattern admits it; no Kms (and no key-store snapshot) could hold a key there.
    await refuses(us.replicateKey({ KeyId: p.KeyId as string, ReplicaRegion: 'abc-def-1' }), 'ValidationException', 'ReplicaRegion abc-def-1 is not a Region kms-core accepts (e.g. eu-west-1).');
    expect(() => new Kms({ region: 'abc-def-1' })).toThrow(/Invalid region/);
  });

  test('China Regions: a key of the aws-cn partition (SM2, China only) replicates between Beijing and Ningxia', async () => {
    const keyStore = new InMemoryKeyStore();
    const bj = new Kms({ region: 'cn-north-1', keyStore });
    const p = (await bj.createKey({ MultiRegion: true, KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata as KeyMetadata;
    const r = (await bj.replicateKey({ KeyId: p.KeyId as string, ReplicaRegion: 'cn-northwest-1' })).ReplicaKeyMetadata as KeyMetadata;
    expect(r.Arn).toBe(`arn:aws-cn:kms:cn-northwest-1:${ACCOUNT}:key/${p.KeyId}`);
    await refuses(bj.replicateKey({ KeyId: p.KeyId as string, ReplicaRegion: US }), 'ValidationException', /is not in the partition \(aws-cn\)/);
  });

  test('China Regions: an SM4 SYMMETRIC_DEFAULT primary\'s ciphertext (envelope v2) opens under its replica', async () => {
    const keyStore = new InMemoryKeyStore();
    const bj = new Kms({ region: 'cn-north-1', keyStore });
    const nx = new Kms({ region: 'cn-northwest-1', keyStore });
    const id = ((await bj.createKey({ MultiRegion: true })).KeyMetadata as KeyMetadata).KeyId as string;
    await bj.replicateKey({ KeyId: id, ReplicaRegion: 'cn-northwest-1' });
    const { CiphertextBlob } = await bj.encrypt({ KeyId: id, Plaintext: enc('SM4 in Beijing') });
    expect([(CiphertextBlob as Uint8Array)[1], (CiphertextBlob as Uint8Array)[7]]).toEqual([0x02, 0x02]); // envelope v2 (SM4-GCM), key-ID form mrk-
    expect(dec((await nx.decrypt({ CiphertextBlob })).Plaintext)).toBe('SM4 in Beijing');
  });

  test('tags follow AWS\'s rules: a tag without TagValue is ValidationException, a reserved aws: key TagException; nothing is created', async () => {
    const { us, eu } = world();
    const id = ((await us.createKey({ MultiRegion: true })).KeyMetadata as KeyMetadata).KeyId as string;
    await refuses(us.replicateKey({ KeyId: id, ReplicaRegion: EU, Tags: [{ TagKey: 'a' } as never] }), 'ValidationException', /tags\.1\.member\.tagValue/);
    await refuses(us.replicateKey({ KeyId: id, ReplicaRegion: EU, Tags: [{ TagKey: 'aws:x', TagValue: 'y' }] }), 'TagException');
    await refuses(eu.describeKey({ KeyId: id }), 'NotFoundException');
  });

  test('the key-state rule: a Disabled primary is DisabledException, one waiting for deletion KMSInvalidStateException', async () => {
    const { us, id, primary } = await primaryWithReplicas(world(), [EU]);
    await us.disableKey({ KeyId: id });
    await refuses(us.replicateKey({ KeyId: id, ReplicaRegion: AP }), 'DisabledException', `${primary.Arn} is disabled.`);
    await us.enableKey({ KeyId: id });
    await us.scheduleKeyDeletion({ KeyId: id });
    await refuses(us.replicateKey({ KeyId: id, ReplicaRegion: AP }), 'KMSInvalidStateException', `${primary.Arn} is pending deletion.`);
  });

  test('a primary with imported material gives a replica without material, PendingImport (its material is imported into it)', async () => {
    const { us, eu } = world();
    const p = (await us.createKey({ MultiRegion: true, Origin: 'EXTERNAL' })).KeyMetadata as KeyMetadata;
    const r = (await us.replicateKey({ KeyId: p.KeyId as string, ReplicaRegion: EU })).ReplicaKeyMetadata as KeyMetadata;
    expect(r.Origin).toBe('EXTERNAL');
    expect((await describe_(eu, p.KeyId as string)).KeyState).toBe('PendingImport');
    await refuses(eu.encrypt({ KeyId: p.KeyId as string, Plaintext: enc('x') }), 'KMSInvalidStateException', `${arnIn(EU, p.KeyId as string)} is pending import.`);
  });
});

describe('permissions', () => {
  const allowAllBut = (action: string) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'admin', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'no', Effect: 'Deny', Principal: { AWS: '*' }, Action: action, Resource: '*' },
      ],
    });

  test('kms:ReplicateKey on the primary (key policy), with kms:ReplicaRegion restricting the Regions', async () => {
    const { us } = world();
    const denied = (await us.createKey({ MultiRegion: true, Policy: allowAllBut('kms:ReplicateKey') })).KeyMetadata as KeyMetadata;
    await refuses(us.replicateKey({ KeyId: denied.KeyId as string, ReplicaRegion: EU }), 'AccessDeniedException', /kms:ReplicateKey on resource: .*with an explicit deny/);
    const onlyEu = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'admin', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'eu only', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:ReplicateKey', Resource: '*', Condition: { StringNotEquals: { 'kms:ReplicaRegion': EU } } },
      ],
    });
    const p = (await us.createKey({ MultiRegion: true, Policy: onlyEu })).KeyMetadata as KeyMetadata;
    await refuses(us.replicateKey({ KeyId: p.KeyId as string, ReplicaRegion: AP }), 'AccessDeniedException');
    await us.replicateKey({ KeyId: p.KeyId as string, ReplicaRegion: EU });
  });

  test('kms:CreateKey in an IAM policy in the replica Region, and kms:TagResource (IAM) only when Tags are given', async () => {
    const asked: string[] = [];
    let refuse = 'kms:CreateKey';
    const w = world();
    const role = `arn:aws:iam::${ACCOUNT}:role/Replicator`;
    const us = w.kms(US, {
      principal: role,
      identityPolicy: ({ action, resource, context }) => {
        asked.push(`${action} ${resource} ${String(context['kms:MultiRegionKeyType'] ?? '')}`);
        return action !== refuse;
      },
    });
    const p = (await w.us.createKey({ MultiRegion: true })).KeyMetadata as KeyMetadata;
    const id = p.KeyId as string;
    await refuses(us.replicateKey({ KeyId: id, ReplicaRegion: EU }), 'AccessDeniedException', `User: ${role} is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action`);
    refuse = 'kms:TagResource';
    await refuses(us.replicateKey({ KeyId: id, ReplicaRegion: EU, Tags: [{ TagKey: 'a', TagValue: 'b' }] }), 'AccessDeniedException', new RegExp(`kms:TagResource on resource: ${arnIn(EU, id)}`));
    await us.replicateKey({ KeyId: id, ReplicaRegion: EU });
    // kms:CreateKey is asked about the replica to be: kms:MultiRegionKeyType REPLICA.
    expect(asked).toContain('kms:CreateKey * REPLICA');
    // Cross-account use: No — another account's primary is refused whatever its policy says.
    const other = w.kms(US, { accountId: '444455556666' });
    await refuses(other.replicateKey({ KeyId: p.Arn as string, ReplicaRegion: AP }), 'AccessDeniedException');
  });

  test('kms:UpdatePrimaryRegion on both keys, each by its own key policy; kms:PrimaryRegion is the request\'s Region', async () => {
    const { us, eu, id } = await primaryWithReplicas(world(), [EU, AP]);
    await eu.putKeyPolicy({ KeyId: id, Policy: allowAllBut('kms:UpdatePrimaryRegion') });
    await refuses(us.updatePrimaryRegion({ KeyId: id, PrimaryRegion: EU }), 'AccessDeniedException', new RegExp(`kms:UpdatePrimaryRegion on resource: ${arnIn(EU, id)} with an explicit deny`));
    const notAp = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'admin', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'not to ap', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:UpdatePrimaryRegion', Resource: '*', Condition: { StringEquals: { 'kms:PrimaryRegion': AP } } },
      ],
    });
    await us.putKeyPolicy({ KeyId: id, Policy: notAp });
    await refuses(us.updatePrimaryRegion({ KeyId: id, PrimaryRegion: AP }), 'AccessDeniedException', new RegExp(`kms:UpdatePrimaryRegion on resource: ${arnIn(US, id)}`));
    expect((await describe_(us, id)).MultiRegionConfiguration?.MultiRegionKeyType).toBe('PRIMARY');
  });
});

describe('rotation of the primary reaches the replicas', () => {
  test('on demand: the replicas get the new backing key in the same update; a ciphertext made with it opens everywhere', async () => {
    const { us, eu, ap, id } = await primaryWithReplicas();
    await us.rotateKeyOnDemand({ KeyId: id });
    const { CiphertextBlob } = await us.encrypt({ KeyId: id, Plaintext: enc('after rotation') });
    const { KeyMaterialId } = await us.decrypt({ CiphertextBlob });
    for (const kms of [eu, ap]) {
      const rotations = (await kms.listKeyRotations({ KeyId: id })).Rotations ?? [];
      expect(rotations.map((r) => [r.KeyMaterialId, r.KeyMaterialState, r.RotationType])).toEqual([[KeyMaterialId, 'CURRENT', 'ON_DEMAND']]);
      expect((await describe_(kms, id)).CurrentKeyMaterialId).toBe(KeyMaterialId);
      expect(dec((await kms.decrypt({ CiphertextBlob })).Plaintext)).toBe('after rotation');
      // The replica encrypts with the new current material too.
      const mine = (await kms.encrypt({ KeyId: id, Plaintext: enc('x') })).CiphertextBlob;
      expect((await us.decrypt({ CiphertextBlob: mine })).KeyMaterialId).toBe(KeyMaterialId);
    }
  });

  test('Precondition: shared properties change on the primary key. Rotation settings and on-demand rotation of a replica are refused', async () => {
    const { eu, id, primary } = await primaryWithReplicas(world(), [EU]);
    const replica = arnIn(EU, id);
    await refuses(eu.rotateKeyOnDemand({ KeyId: id }), 'UnsupportedOperationException', `${replica} is a multi-Region replica key: on-demand rotation is performed only on its primary key ${primary.Arn}.`);
    await refuses(eu.enableKeyRotation({ KeyId: id }), 'UnsupportedOperationException', `${replica} is a multi-Region replica key: automatic rotation is set only on its primary key ${primary.Arn}.`);
    await refuses(eu.disableKeyRotation({ KeyId: id }), 'UnsupportedOperationException', /automatic rotation is set only on its primary key/);
  });

  test('automatic: the setting is copied to the replicas; a due rotation, noticed in any Region, rotates the whole set', async () => {
    const { us, eu, ap, id, clock } = await primaryWithReplicas();
    await us.enableKeyRotation({ KeyId: id, RotationPeriodInDays: 90 });
    const status = await us.getKeyRotationStatus({ KeyId: id });
    for (const kms of [eu, ap]) {
      const s = await kms.getKeyRotationStatus({ KeyId: id });
      expect({ ...s, KeyId: undefined }).toEqual({ ...status, KeyId: undefined });
    }
    clock.advanceDays(91);
    // The first to notice is a replica: it encrypts with the rotated material, which the primary has.
    const made = { ...(await ap.encrypt({ KeyId: id, Plaintext: enc('after 91 days') })), KeyMaterialId: '' };
    made.KeyMaterialId = (await ap.decrypt({ CiphertextBlob: made.CiphertextBlob })).KeyMaterialId as string;
    const usRotations = (await us.listKeyRotations({ KeyId: id })).Rotations ?? [];
    expect(usRotations.map((r) => [r.KeyMaterialId, r.RotationType, r.RotationDate?.getTime()])).toEqual([[made.KeyMaterialId, 'AUTOMATIC', status.NextRotationDate?.getTime()]]);
    expect(dec((await us.decrypt({ CiphertextBlob: made.CiphertextBlob })).Plaintext)).toBe('after 91 days');
    expect((await eu.listKeyRotations({ KeyId: id })).Rotations?.map((r) => r.KeyMaterialId)).toEqual([made.KeyMaterialId]);
    expect((await eu.getKeyRotationStatus({ KeyId: id })).NextRotationDate).toEqual((await us.getKeyRotationStatus({ KeyId: id })).NextRotationDate);
    await us.disableKeyRotation({ KeyId: id });
    expect((await eu.getKeyRotationStatus({ KeyId: id })).KeyRotationEnabled).toBe(false);
  });

  test('a disabled replica still receives the set\'s rotations (key state is independent, material is shared)', async () => {
    const { us, eu, id } = await primaryWithReplicas(world(), [EU]);
    await eu.disableKey({ KeyId: id });
    await us.rotateKeyOnDemand({ KeyId: id });
    const { CiphertextBlob } = await us.encrypt({ KeyId: id, Plaintext: enc('rotated while disabled') });
    await refuses(eu.decrypt({ CiphertextBlob }), 'DisabledException', `${arnIn(EU, id)} is disabled.`);
    await eu.enableKey({ KeyId: id });
    expect(dec((await eu.decrypt({ CiphertextBlob })).Plaintext)).toBe('rotated while disabled');
  });
});

describe('independent properties', () => {
  test('key state, description, policy, aliases and grants of one key do not touch the others', async () => {
    const { us, eu, id } = await primaryWithReplicas(world(), [EU]);
    await us.disableKey({ KeyId: id });
    expect(dec((await eu.decrypt({ CiphertextBlob: (await eu.encrypt({ KeyId: id, Plaintext: enc('eu') })).CiphertextBlob })).Plaintext)).toBe('eu');
    await eu.createAlias({ AliasName: 'alias/eu-only', TargetKeyId: id });
    await refuses(us.describeKey({ KeyId: 'alias/eu-only' }), 'NotFoundException');
    await eu.createGrant({ KeyId: id, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:role/R`, Operations: ['Decrypt'] });
    expect((await us.listGrants({ KeyId: id })).Grants).toEqual([]);
    expect((await eu.getKeyPolicy({ KeyId: id })).Policy).toBe(defaultKeyPolicy('aws', ACCOUNT));
  });
});

describe('UpdatePrimaryRegion', () => {
  test('the replica becomes the primary and the primary a replica, in every key\'s configuration; rotation moves with it', async () => {
    const { us, eu, ap, id } = await primaryWithReplicas();
    const blob = (await us.encrypt({ KeyId: id, Plaintext: enc('before the move') })).CiphertextBlob;
    expect(await us.updatePrimaryRegion({ KeyId: id, PrimaryRegion: EU })).toEqual({});
    const want = { MultiRegionKeyType: 'REPLICA', PrimaryKey: { Arn: arnIn(EU, id), Region: EU }, ReplicaKeys: [{ Arn: arnIn(AP, id), Region: AP }, { Arn: arnIn(US, id), Region: US }] };
    expect((await describe_(us, id)).MultiRegionConfiguration).toEqual(want);
    expect((await describe_(ap, id)).MultiRegionConfiguration).toEqual(want);
    expect((await describe_(eu, id)).MultiRegionConfiguration).toEqual({ ...want, MultiRegionKeyType: 'PRIMARY' });
    // The old primary is a replica now: it may no longer rotate or replicate; the new one does.
    await refuses(us.rotateKeyOnDemand({ KeyId: id }), 'UnsupportedOperationException', /is a multi-Region replica key/);
    await refuses(us.replicateKey({ KeyId: id, ReplicaRegion: 'us-west-2' }), 'UnsupportedOperationException');
    await eu.rotateKeyOnDemand({ KeyId: id });
    const after = await eu.encrypt({ KeyId: id, Plaintext: enc('after the move') });
    for (const kms of [us, ap]) {
      expect(dec((await kms.decrypt({ CiphertextBlob: after.CiphertextBlob })).Plaintext)).toBe('after the move');
      expect(dec((await kms.decrypt({ CiphertextBlob: blob })).Plaintext)).toBe('before the move');
    }
    const west = (await eu.replicateKey({ KeyId: id, ReplicaRegion: 'us-west-2' })).ReplicaKeyMetadata as KeyMetadata;
    expect(west.MultiRegionConfiguration?.ReplicaKeys?.map((r) => r.Region)).toEqual([AP, US, 'us-west-2']);
    // Independent properties stay with each key.
    expect((await describe_(us, id)).Description).toBe('primary');
  });

  test('Precondition: "There must be an existing replica key in this Region." and Precondition: PrimaryRegion is another Region than the current primary\'s.', async () => {
    const { us, id } = await primaryWithReplicas(world(), [EU]);
    await refuses(us.updatePrimaryRegion({ KeyId: id, PrimaryRegion: AP }), 'NotFoundException', `Key '${arnIn(AP, id)}' does not exist`);
    await refuses(us.updatePrimaryRegion({ KeyId: id, PrimaryRegion: US }), 'UnsupportedOperationException', `${arnIn(US, id)} is already the primary key of its multi-Region set.`);
    const single = (await us.createKey({})).KeyMetadata as KeyMetadata;
    await refuses(us.updatePrimaryRegion({ KeyId: single.KeyId as string, PrimaryRegion: EU }), 'UnsupportedOperationException', `${single.Arn} is not a multi-Region key.`);
  });

  test('both keys must be Enabled: a Disabled replica is DisabledException naming the replica', async () => {
    const { us, eu, id } = await primaryWithReplicas(world(), [EU]);
    await eu.disableKey({ KeyId: id });
    await refuses(us.updatePrimaryRegion({ KeyId: id, PrimaryRegion: EU }), 'DisabledException', `${arnIn(EU, id)} is disabled.`);
    await eu.enableKey({ KeyId: id });
    await us.disableKey({ KeyId: id });
    await refuses(us.updatePrimaryRegion({ KeyId: id, PrimaryRegion: EU }), 'DisabledException', `${arnIn(US, id)} is disabled.`);
  });
});

describe('deletion', () => {
  test('a replica deletes like any key; once gone, the set forgets it, its ciphertexts open in the other Regions, and it can be replicated again', async () => {
    const { us, eu, ap, id, clock } = await primaryWithReplicas();
    const { CiphertextBlob } = await eu.encrypt({ KeyId: id, Plaintext: enc('made by the replica') });
    await eu.createAlias({ AliasName: 'alias/dub', TargetKeyId: id });
    const s = await eu.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
    expect(s).toEqual({ KeyId: arnIn(EU, id), KeyState: 'PendingDeletion', PendingWindowInDays: 7, DeletionDate: new Date(clock.t + 7 * DAY) });
    expect((await describe_(us, id)).MultiRegionConfiguration?.ReplicaKeys?.map((r) => r.Region)).toEqual([AP, EU]);
    clock.advanceDays(7);
    await refuses(eu.describeKey({ KeyId: id }), 'NotFoundException');
    expect((await eu.listAliases()).Aliases).toEqual([]);
    for (const kms of [us, ap]) {
      expect((await describe_(kms, id)).MultiRegionConfiguration?.ReplicaKeys).toEqual([{ Arn: arnIn(AP, id), Region: AP }]);
      expect(dec((await kms.decrypt({ CiphertextBlob })).Plaintext)).toBe('made by the replica');
    }
    await refuses(eu.decrypt({ CiphertextBlob }), 'AccessDeniedException');
    await us.replicateKey({ KeyId: id, ReplicaRegion: EU });
    expect(dec((await eu.decrypt({ CiphertextBlob })).Plaintext)).toBe('made by the replica');
  });

  test('a primary with replicas waits for them: PendingReplicaDeletion, no DeletionDate, PendingDeletionWindowInDays; unusable, not replicable; cancel gives Disabled', async () => {
    const { us, eu, id, primary } = await primaryWithReplicas(world(), [EU]);
    const s = await us.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 10 });
    expect(s).toEqual({ KeyId: primary.Arn, KeyState: 'PendingReplicaDeletion', PendingWindowInDays: 10 });
    const md = await describe_(us, id);
    expect(md.KeyState).toBe('PendingReplicaDeletion');
    expect(md.PendingDeletionWindowInDays).toBe(10);
    expect(md).not.toHaveProperty('DeletionDate');
    await refuses(us.encrypt({ KeyId: id, Plaintext: enc('x') }), 'KMSInvalidStateException', `${primary.Arn} is pending deletion.`);
    await refuses(us.replicateKey({ KeyId: id, ReplicaRegion: AP }), 'KMSInvalidStateException', `${primary.Arn} is pending deletion.`);
    await refuses(us.scheduleKeyDeletion({ KeyId: id }), 'KMSInvalidStateException');
    // Its replicas are unaffected.
    expect((await eu.encrypt({ KeyId: id, Plaintext: enc('x') })).KeyId).toBe(arnIn(EU, id));
    expect(await us.cancelKeyDeletion({ KeyId: id })).toEqual({ KeyId: primary.Arn });
    expect((await describe_(us, id)).KeyState).toBe('Disabled');
  });

  test('"The minimum time to delete a primary key with replicas is 14 days": replicas go on day 7, the primary\'s window starts then', async () => {
    const { us, eu, ap, id, clock } = await primaryWithReplicas();
    const day0 = clock.t;
    await us.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
    await eu.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
    clock.advanceDays(2);
    await ap.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
    clock.advanceDays(6); // day 8: the Ireland replica went on day 7, Sydney's goes on day 9
    expect((await describe_(us, id)).MultiRegionConfiguration?.ReplicaKeys?.map((r) => r.Region)).toEqual([AP]);
    expect((await describe_(us, id)).KeyState).toBe('PendingReplicaDeletion');
    clock.advanceDays(3); // day 11, seen from the primary's side only
    const md = await describe_(us, id);
    expect(md.KeyState).toBe('PendingDeletion');
    // The last replica was deleted on day 9: the 7-day window ends on day 16.
    expect(md.DeletionDate).toEqual(new Date(day0 + 16 * DAY));
    expect(md.MultiRegionConfiguration).toEqual({ MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Arn: arnIn(US, id), Region: US }, ReplicaKeys: [] });
    await refuses(ap.describeKey({ KeyId: id }), 'NotFoundException');
    clock.set(day0 + 16 * DAY);
    await refuses(us.describeKey({ KeyId: id }), 'NotFoundException');
  });

  test('a primary scheduled after its replicas\' windows ended is PendingDeletion at once', async () => {
    const { us, eu, id, clock } = await primaryWithReplicas(world(), [EU]);
    await eu.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
    clock.advanceDays(8);
    const s = await us.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
    expect(s.KeyState).toBe('PendingDeletion');
    expect(s.DeletionDate).toEqual(new Date(clock.t + 7 * DAY));
  });
});

describe('one set, changed concurrently', () => {
  test('two ReplicateKey calls into one Region: exactly one replica, the other AlreadyExistsException', async () => {
    const { us } = world();
    const id = ((await us.createKey({ MultiRegion: true })).KeyMetadata as KeyMetadata).KeyId as string;
    const results = await Promise.allSettled([us.replicateKey({ KeyId: id, ReplicaRegion: EU }), us.replicateKey({ KeyId: id, ReplicaRegion: EU }), us.replicateKey({ KeyId: id, ReplicaRegion: AP })]);
    const failed = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.name);
    expect(failed).toEqual(['AlreadyExistsException']);
    expect((await describe_(us, id)).MultiRegionConfiguration?.ReplicaKeys?.map((r) => r.Region)).toEqual([AP, EU]);
  });

  test('rotations and replications racing: every key of the set ends with every version', async () => {
    const { us, eu, id } = await primaryWithReplicas(world(), [EU]);
    await Promise.all([us.rotateKeyOnDemand({ KeyId: id }), us.replicateKey({ KeyId: id, ReplicaRegion: AP }), us.rotateKeyOnDemand({ KeyId: id }), us.rotateKeyOnDemand({ KeyId: id })]);
    const ids = async (kms: Kms) => (await kms.listKeyRotations({ KeyId: id, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations?.map((r) => r.KeyMaterialId);
    const want = await ids(us);
    expect(want).toHaveLength(4);
    expect(await ids(eu)).toEqual(want);
    expect(await ids(new Kms({ region: AP, keyStore: us.keyStore }))).toEqual(want);
  });
});

describe('the key-store snapshot keeps the set', () => {
  test('export and load: designations, shared material and independent properties come back', async () => {
    const { keyStore, id } = await primaryWithReplicas();
    const snap = (keyStore as InMemoryKeyStore).exportSnapshot();
    const eu = snap.keys.find((k) => k.Region === EU) as Record<string, unknown>;
    expect([eu.PrimaryRegion, eu.ReplicaRegions]).toEqual([US, [AP, EU]]);
    const loaded = InMemoryKeyStore.fromSnapshot(JSON.stringify(snap));
    expect(loaded.exportSnapshot()).toEqual(snap);
    const blob = (await new Kms({ region: US, keyStore: loaded }).encrypt({ KeyId: id, Plaintext: enc('x') })).CiphertextBlob;
    expect(dec((await new Kms({ region: AP, keyStore: loaded }).decrypt({ CiphertextBlob: blob })).Plaintext)).toBe('x');
  });

  test.each([
    ['PrimaryRegion on a single-Region key', (k: Record<string, unknown>) => void ((k.MultiRegion = false), (k.KeyId = '0b3c5f5e-1d2c-4b8a-9a3e-7f6d5c4b3a29'), (k.Arn = arnIn(k.Region as string, k.KeyId as string)))],
    ['a PrimaryRegion of another partition', (k: Record<string, unknown>) => void (k.PrimaryRegion = 'cn-north-1')],
    ['ReplicaRegions not sorted', (k: Record<string, unknown>) => void (k.ReplicaRegions = [EU, AP])],
    ['the key\'s own Region missing from the set', (k: Record<string, unknown>) => void (k.ReplicaRegions = [AP])],
    ['ReplicaRegions without PrimaryRegion', (k: Record<string, unknown>) => void delete k.PrimaryRegion],
  ])('a snapshot with %s is refused (ValidationException)', async (_, corrupt) => {
    const { keyStore } = await primaryWithReplicas();
    const snap = JSON.parse(JSON.stringify((keyStore as InMemoryKeyStore).exportSnapshot()));
    corrupt(snap.keys.find((k: Record<string, unknown>) => k.Region === EU));
    await refuses(Promise.resolve().then(() => InMemoryKeyStore.fromSnapshot(snap)), 'ValidationException', /^Invalid key-store snapshot: keys\[\d\]\.(PrimaryRegion|ReplicaRegions)/);
  });
});
