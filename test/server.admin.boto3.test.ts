/**
 * Administration through `serve` with boto3 (python3): create_key(Tags=…), tag_resource,
 * list_resource_tags, untag_resource, update_key_description, list_key_policies,
 * get_key_last_usage after re_encrypt (both keys; KmsRequestId = the response's RequestId),
 * describe_custom_key_stores and the custom-key-store errors. botocore parses every response
 * against its own copy of the KMS model, so a shape kms-core gets wrong fails here.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startServer, type KmsServer } from '../src/server/http.js';
import { cleanEnv, hasBoto3, run } from './helpers/clients.js';

const REGION = 'eu-west-1';
const BOTO3 = hasBoto3();
let server: KmsServer;
beforeAll(async () => {
  server = await startServer({ port: 0, region: REGION });
});
afterAll(async () => {
  await server.close();
});

const SCRIPT = `
import boto3, json, os
from botocore.config import Config
from botocore.exceptions import ClientError
c = boto3.client('kms', endpoint_url=os.environ['KMS_URL'], region_name=os.environ['AWS_DEFAULT_REGION'], config=Config(retries={'max_attempts': 1, 'mode': 'standard'}))
def code(f):
    try:
        f()
        return None
    except ClientError as e:
        return e.response['Error']['Code']
a = c.create_key(Description='boto3', Tags=[{'TagKey': 'env', 'TagValue': 'dev'}])['KeyMetadata']['KeyId']
b = c.create_key()['KeyMetadata']['KeyId']
c.tag_resource(KeyId=a, Tags=[{'TagKey': 'team', 'TagValue': 'core'}])
c.untag_resource(KeyId=a, TagKeys=['env'])
c.update_key_description(KeyId=a, Description='renamed')
fresh = c.get_key_last_usage(KeyId=b)
ct = c.encrypt(KeyId=a, Plaintext=b'boto3')['CiphertextBlob']
re = c.re_encrypt(CiphertextBlob=ct, DestinationKeyId=b)
ua, ub = c.get_key_last_usage(KeyId=a), c.get_key_last_usage(KeyId=b)
print(json.dumps({
  'tags': c.list_resource_tags(KeyId=a)['Tags'],
  'description': c.describe_key(KeyId=a)['KeyMetadata']['Description'],
  'policies': c.list_key_policies(KeyId=a)['PolicyNames'],
  'fresh': {'usage': fresh['KeyLastUsage'], 'sameDates': fresh['TrackingStartDate'] == fresh['KeyCreationDate']},
  'usage': [{'op': u['KeyLastUsage']['Operation'], 'rid': u['KeyLastUsage']['KmsRequestId'] == re['ResponseMetadata']['RequestId'], 'ts': type(u['KeyLastUsage']['Timestamp']).__name__} for u in (ua, ub)],
  'stores': c.describe_custom_key_stores()['CustomKeyStores'],
  'errors': [
    code(lambda: c.tag_resource(KeyId=a, Tags=[{'TagKey': 'a', 'TagValue': ''}, {'TagKey': 'a', 'TagValue': 'x'}])),
    code(lambda: c.describe_custom_key_stores(CustomKeyStoreId='cks-1234567890abcdef0')),
    code(lambda: c.connect_custom_key_store(CustomKeyStoreId='cks-1234567890abcdef0')),
    code(lambda: c.create_custom_key_store(CustomKeyStoreName='x', CustomKeyStoreType='EXTERNAL_KEY_STORE', XksProxyConnectivity='PUBLIC_ENDPOINT', XksProxyUriEndpoint='https://proxy.example.com', XksProxyUriPath='/kms/xks/v1', XksProxyAuthenticationCredential={'AccessKeyId': 'ABCDE234567ABCDEXAMPLE', 'RawSecretAccessKey': 'DXjSUawnel2fr6SKC7G25CNxTyWKE5PF9XX6H/u9pSo='})),
    code(lambda: c.create_key(CustomKeyStoreId='cks-1234567890abcdef0')),
  ],
}))
`;

test(BOTO3 ? 'boto3: tags, descriptions, list_key_policies, get_key_last_usage, custom key stores' : 'boto3: NOT RUN — python3 has no boto3 (apt-get install python3-boto3; .ci/run does)', async ({ task }) => {
  if (task.file.projectName !== 'node') return void expect(task.file.projectName).toBe('webcrypto');
  if (!BOTO3) {
    if (process.env.CI) throw new Error('CI is set but python3 cannot import boto3: the boto3 test must run in CI (see .ci/run)');
    console.warn('server.admin.boto3.test.ts: python3 has no boto3; the test did not run');
    return void expect(hasBoto3()).toBe(false);
  }
  const r = await run('python3', ['-c', SCRIPT], cleanEnv({ KMS_URL: server.url, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x', AWS_DEFAULT_REGION: REGION, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' }));
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({
    tags: [{ TagKey: 'team', TagValue: 'core' }],
    description: 'renamed',
    policies: ['default'],
    fresh: { usage: {}, sameDates: true },
    usage: [
      { op: 'ReEncrypt', rid: true, ts: 'datetime' },
      { op: 'ReEncrypt', rid: true, ts: 'datetime' },
    ],
    stores: [],
    errors: ['TagException', 'CustomKeyStoreNotFoundException', 'CustomKeyStoreNotFoundException', 'XksProxyUriUnreachableException', 'CustomKeyStoreNotFoundException'],
  });
});
