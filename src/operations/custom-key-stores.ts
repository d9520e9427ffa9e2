/**
 * Custom key stores (CloudHSM key stores and external key stores): kms-core's accounts have
 * none, and can have none — there is no CloudHSM cluster to back one and kms-core never calls
 * out to an external key store proxy. The six operations answer as AWS answers such an account
 * (API reference, each page; errors from the model):
 *
 *   DescribeCustomKeyStores               → { CustomKeyStores: [], Truncated: false }; a
 *                                            CustomKeyStoreId or CustomKeyStoreName names nothing
 *                                            (CustomKeyStoreNotFoundException); no page ever
 *                                            returned a marker (InvalidMarkerException)
 *   Connect/Disconnect/Update/DeleteCustomKeyStore → CustomKeyStoreNotFoundException
 *   CreateCustomKeyStore                  → what AWS says when the backing store is not there:
 *       AWS_CLOUDHSM (the default type)   CloudHsmClusterNotFoundException (no cluster has the ID)
 *       EXTERNAL_KEY_STORE, VPC_ENDPOINT_SERVICE connectivity
 *                                         XksProxyVpcEndpointServiceNotFoundException
 *       EXTERNAL_KEY_STORE, PUBLIC_ENDPOINT
 *                                         XksProxyUriUnreachableException (the proxy is not reached)
 *
 * Every one needs its IAM permission (kms:<Operation>, IAM policy only), checked first. The
 * messages are the model's descriptions of the exceptions (AWS's own texts are not recorded).
 * CreateKey({ CustomKeyStoreId }) answers CustomKeyStoreNotFoundException too (keys.ts). No
 * message holds KeyStorePassword or XksProxyAuthenticationCredential.
 */
import {
  CloudHsmClusterNotFoundException,
  CustomKeyStoreNotFoundException,
  InvalidMarkerException,
  XksProxyUriUnreachableException,
  XksProxyVpcEndpointServiceNotFoundException,
} from '../errors.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { authorizeIam } from './authorize.js';
import type { OpContext } from './context.js';
import { CUSTOM_KEY_STORE_NOT_FOUND } from './messages.js';

const CLUSTER_NOT_FOUND = 'The request was rejected because KMS cannot find the CloudHSM cluster with the specified cluster ID. Retry the request with a different cluster ID.';
const PROXY_UNREACHABLE = 'KMS was unable to reach the specified XksProxyUriPath. The path must be reachable before you create the external key store or update its settings.';
const VPC_SERVICE_NOT_FOUND = 'The request was rejected because KMS could not find the specified VPC endpoint service.';
const INVALID_MARKER = 'The marker that specifies where pagination should next begin is not valid.';

/** DescribeCustomKeyStores: the account's custom key stores in this Region — none. */
export async function describeCustomKeyStores(ctx: OpContext, input: Validated<'DescribeCustomKeyStores'>): Promise<T.DescribeCustomKeyStoresResponse> {
  authorizeIam(ctx, 'DescribeCustomKeyStores', '*');
  /* Precondition: a CustomKeyStoreId or CustomKeyStoreName names a custom key store of the account. */
  if (input.CustomKeyStoreId !== undefined || input.CustomKeyStoreName !== undefined) throw new CustomKeyStoreNotFoundException(CUSTOM_KEY_STORE_NOT_FOUND);
  /* Precondition: a Marker is one a previous page returned. */
  if (input.Marker !== undefined) throw new InvalidMarkerException(INVALID_MARKER);
  return { CustomKeyStores: [], Truncated: false };
}

/** CreateCustomKeyStore: the CloudHSM cluster or the external key store proxy it names is not there. */
export async function createCustomKeyStore(ctx: OpContext, input: Validated<'CreateCustomKeyStore'>): Promise<T.CreateCustomKeyStoreResponse> {
  authorizeIam(ctx, 'CreateCustomKeyStore', '*');
  /* Precondition: the CloudHSM cluster or external key store proxy exists and answers. */
  if ((input.CustomKeyStoreType ?? 'AWS_CLOUDHSM') === 'AWS_CLOUDHSM') throw new CloudHsmClusterNotFoundException(CLUSTER_NOT_FOUND);
  if (input.XksProxyConnectivity === 'VPC_ENDPOINT_SERVICE') throw new XksProxyVpcEndpointServiceNotFoundException(VPC_SERVICE_NOT_FOUND);
  throw new XksProxyUriUnreachableException(PROXY_UNREACHABLE);
}

/** The operations on one custom key store: it does not exist. */
function notFound(ctx: OpContext, action: string): never {
  authorizeIam(ctx, action, '*');
  /* Precondition: the CustomKeyStoreId names a custom key store of the account. */
  throw new CustomKeyStoreNotFoundException(CUSTOM_KEY_STORE_NOT_FOUND);
}

export async function connectCustomKeyStore(ctx: OpContext, _input: Validated<'ConnectCustomKeyStore'>): Promise<T.ConnectCustomKeyStoreResponse> {
  return notFound(ctx, 'ConnectCustomKeyStore');
}

export async function disconnectCustomKeyStore(ctx: OpContext, _input: Validated<'DisconnectCustomKeyStore'>): Promise<T.DisconnectCustomKeyStoreResponse> {
  return notFound(ctx, 'DisconnectCustomKeyStore');
}

export async function updateCustomKeyStore(ctx: OpContext, _input: Validated<'UpdateCustomKeyStore'>): Promise<T.UpdateCustomKeyStoreResponse> {
  return notFound(ctx, 'UpdateCustomKeyStore');
}

export async function deleteCustomKeyStore(ctx: OpContext, _input: Validated<'DeleteCustomKeyStore'>): Promise<T.DeleteCustomKeyStoreResponse> {
  return notFound(ctx, 'DeleteCustomKeyStore');
}
