/**
 * UpdateKeyDescription, ListKeyPolicies and the six custom-key-store operations through the Kms
 * API (API reference, each page): an account without custom key stores, as AWS answers it.
 * Identifier forms and key states of the keyed ones are test/operations.table.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { Kms } from '../src/index.js';
import { ROLE_APP, deniedMessage } from './helpers/auth.js';
import { newKey, refuses } from './helpers/keys.js';

const NO_STORE = 'The request was rejected because KMS cannot find a custom key store with the specified key store name or ID.';

describe('UpdateKeyDescription', () => {
  test('replaces the description (empty and 8192 characters allowed), which DescribeKey shows; 8193 is a ValidationException', async () => {
    const kms = new Kms();
    const key = await newKey(kms, { Description: 'old' });
    expect(await kms.updateKeyDescription({ KeyId: key.Arn, Description: 'new' })).toEqual({});
    expect((await kms.describeKey({ KeyId: key.KeyId })).KeyMetadata?.Description).toBe('new');
    await kms.updateKeyDescription({ KeyId: key.KeyId, Description: '' });
    expect((await kms.describeKey({ KeyId: key.KeyId })).KeyMetadata?.Description).toBe('');
    await kms.updateKeyDescription({ KeyId: key.KeyId, Description: 'd'.repeat(8192) });
    await refuses(kms.updateKeyDescription({ KeyId: key.KeyId, Description: 'd'.repeat(8193) }), 'ValidationException', /at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192/);
    await refuses(kms.updateKeyDescription({ KeyId: key.KeyId } as never), 'ValidationException', /description/);
  });

  test('needs kms:UpdateKeyDescription on the key (key policy)', async () => {
    const kms = new Kms({ principal: ROLE_APP, identityPolicy: (r) => r.action !== 'kms:UpdateKeyDescription' });
    const key = await newKey(kms);
    await refuses(kms.updateKeyDescription({ KeyId: key.KeyId, Description: 'x' }), 'AccessDeniedException', deniedMessage(ROLE_APP, 'UpdateKeyDescription', key.Arn as string, 'no-identity-policy'));
  });
});

describe('ListKeyPolicies', () => {
  test('["default"], not truncated, whatever the Limit; a Marker no page returned is InvalidMarkerException; Limit 0 is a ValidationException', async () => {
    const kms = new Kms();
    const key = await newKey(kms);
    expect(await kms.listKeyPolicies({ KeyId: key.KeyId })).toEqual({ PolicyNames: ['default'], Truncated: false });
    expect(await kms.listKeyPolicies({ KeyId: key.Arn, Limit: 1 })).toEqual({ PolicyNames: ['default'], Truncated: false });
    await refuses(kms.listKeyPolicies({ KeyId: key.KeyId, Marker: 'next' }), 'InvalidMarkerException');
    await refuses(kms.listKeyPolicies({ KeyId: key.KeyId, Limit: 0 }), 'ValidationException');
    await refuses(kms.listKeyPolicies({ KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' }), 'NotFoundException');
  });
});

describe('custom key stores: an account that has none', () => {
  test('DescribeCustomKeyStores lists none; Precondition: a CustomKeyStoreId or CustomKeyStoreName names a custom key store of the account — CustomKeyStoreNotFoundException; a Marker is InvalidMarkerException', async () => {
    const kms = new Kms();
    expect(await kms.describeCustomKeyStores()).toEqual({ CustomKeyStores: [], Truncated: false });
    expect(await kms.describeCustomKeyStores({ Limit: 1 })).toEqual({ CustomKeyStores: [], Truncated: false });
    await refuses(kms.describeCustomKeyStores({ CustomKeyStoreId: 'cks-1234567890abcdef0' }), 'CustomKeyStoreNotFoundException', NO_STORE);
    await refuses(kms.describeCustomKeyStores({ CustomKeyStoreName: 'ExampleKeyStore' }), 'CustomKeyStoreNotFoundException', NO_STORE);
    await refuses(kms.describeCustomKeyStores({ Marker: 'x' }), 'InvalidMarkerException');
  });

  test('Precondition: the CustomKeyStoreId names a custom key store of the account — Connect, Disconnect, Update, Delete', async () => {
    const kms = new Kms();
    const CustomKeyStoreId = 'cks-1234567890abcdef0';
    await refuses(kms.connectCustomKeyStore({ CustomKeyStoreId }), 'CustomKeyStoreNotFoundException', NO_STORE);
    await refuses(kms.disconnectCustomKeyStore({ CustomKeyStoreId }), 'CustomKeyStoreNotFoundException', NO_STORE);
    await refuses(kms.updateCustomKeyStore({ CustomKeyStoreId, NewCustomKeyStoreName: 'n' }), 'CustomKeyStoreNotFoundException', NO_STORE);
    await refuses(kms.deleteCustomKeyStore({ CustomKeyStoreId }), 'CustomKeyStoreNotFoundException', NO_STORE);
    await refuses(kms.connectCustomKeyStore({} as never), 'ValidationException', /customKeyStoreId/);
  });

  test('Precondition: the CloudHSM cluster or external key store proxy exists and answers — CreateCustomKeyStore, by type and connectivity; no secret in the message', async () => {
    const kms = new Kms();
    const cloudHsm = { CustomKeyStoreName: 'hsm', CloudHsmClusterId: 'cluster-234abcdefgh', KeyStorePassword: 'kmsPswd-secret', TrustAnchorCertificate: '-----BEGIN CERTIFICATE-----' };
    const e1 = await refuses(kms.createCustomKeyStore(cloudHsm), 'CloudHsmClusterNotFoundException', /cannot find the CloudHSM cluster with the specified cluster ID/);
    await refuses(kms.createCustomKeyStore({ ...cloudHsm, CustomKeyStoreType: 'AWS_CLOUDHSM' }), 'CloudHsmClusterNotFoundException');
    const xks = {
      CustomKeyStoreName: 'xks',
      CustomKeyStoreType: 'EXTERNAL_KEY_STORE' as const,
      XksProxyUriEndpoint: 'https://myproxy.xks.example.com',
      XksProxyUriPath: '/kms/xks/v1',
      XksProxyAuthenticationCredential: { AccessKeyId: 'ABCDE234567ABCDEXAMPLE', RawSecretAccessKey: 'DXjSUawnel2fr6SKC7G25CNxTyWKE5PF9XX6H/u9pSo=' },
    };
    const e2 = await refuses(kms.createCustomKeyStore({ ...xks, XksProxyConnectivity: 'PUBLIC_ENDPOINT' }), 'XksProxyUriUnreachableException', /unable to reach the specified XksProxyUriPath/);
    const e3 = await refuses(
      kms.createCustomKeyStore({ ...xks, XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE', XksProxyVpcEndpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-example' }),
      'XksProxyVpcEndpointServiceNotFoundException',
      /could not find the specified VPC endpoint service/,
    );
    for (const e of [e1, e2, e3]) expect(JSON.stringify({ m: e.message, e })).not.toMatch(/kmsPswd-secret|DXjSUawnel2fr6SKC7G25CNxTyWKE5PF9XX6H/);
  });

  test('each needs its IAM permission, asked before the store is looked for', async () => {
    const asked: string[] = [];
    const kms = new Kms({ principal: ROLE_APP, identityPolicy: (r) => (asked.push(r.action), false) });
    await refuses(kms.describeCustomKeyStores(), 'AccessDeniedException', deniedMessage(ROLE_APP, 'DescribeCustomKeyStores', '*', 'no-identity-policy'));
    await refuses(kms.deleteCustomKeyStore({ CustomKeyStoreId: 'cks-1234567890abcdef0' }), 'AccessDeniedException', deniedMessage(ROLE_APP, 'DeleteCustomKeyStore', '*', 'no-identity-policy'));
    await refuses(kms.createCustomKeyStore({ CustomKeyStoreName: 'hsm' }), 'AccessDeniedException');
    expect(asked).toEqual(['kms:DescribeCustomKeyStores', 'kms:DeleteCustomKeyStore', 'kms:CreateCustomKeyStore']);
  });
});
