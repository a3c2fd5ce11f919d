/**
 * What S3 imposes on each storage class a lifecycle rule can move objects to: the age before which
 * a transition is refused, and the minimum storage duration billed.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
 */
export const STORAGE_CLASSES: Readonly<Record<string, { readonly minimumAgeDays: number; readonly minimumStorageDays: number; readonly glacier: boolean }>> = {
  STANDARD_IA: { minimumAgeDays: 30, minimumStorageDays: 30, glacier: false },
  ONEZONE_IA: { minimumAgeDays: 30, minimumStorageDays: 30, glacier: false },
  INTELLIGENT_TIERING: { minimumAgeDays: 0, minimumStorageDays: 0, glacier: false },
  GLACIER_IR: { minimumAgeDays: 0, minimumStorageDays: 90, glacier: true },
  GLACIER: { minimumAgeDays: 0, minimumStorageDays: 90, glacier: true },
  DEEP_ARCHIVE: { minimumAgeDays: 0, minimumStorageDays: 180, glacier: true },
};

/** CloudFormation spells two classes differently. */
export function normalizeStorageClass(value: string): string {
  const upper = value.toUpperCase();
  if (upper === "GLACIERINSTANTRETRIEVAL" || upper === "GLACIER_INSTANT_RETRIEVAL") return "GLACIER_IR";
  return upper;
}
