/**
 * AWS Region names: the form kms-core accepts wherever a region comes from outside (a SigV4
 * credential scope, `new Kms({ region })`, a snapshot).
 *
 * The KMS API model's RegionType (ReplicateKey, UpdatePrimaryRegion) is a string of 1..32
 * characters matching `^([a-z]+-){2,3}\d+$`. Every Region AWS has named fits that and starts
 * with a two-letter area (us-east-1, eu-central-2, ap-southeast-5, cn-north-1, us-gov-west-1,
 * us-isob-east-1, eu-isoe-west-1), so kms-core takes the intersection: two letters, one or two
 * more words, a number, at most 32 characters. The length is checked before the pattern, and the
 * pattern cannot backtrack (each word is delimited by '-', which no word contains).
 *
 * Pure code (no node:*).
 */

/** RegionType's max length in the KMS API model. */
export const REGION_MAX_LENGTH = 32;

const REGION_FORM = /^[a-z]{2}(?:-[a-z]+){1,2}-\d+$/;

/** Whether `s` is a Region name of AWS's form (at most 32 characters). */
export function isRegionName(s: unknown): s is string {
  return typeof s === 'string' && s.length <= REGION_MAX_LENGTH && REGION_FORM.test(s);
}
