import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

/** The whole body of an object. */
export async function readObject(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

/** Every key under a prefix. */
export async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/**
 * Flips the bits of `mask` in one byte of a stored object (at `offset`, from the end when negative),
 * as a disk or a copy would corrupt it, and returns the original body so a test can put it back.
 *
 * @param offset - @default the middle byte
 * @param mask - @default 0xff
 */
export async function flipByte(client: S3Client, bucket: string, key: string, offset?: number, mask = 0xff): Promise<Buffer> {
  const original = await readObject(client, bucket, key);
  const changed = Buffer.from(original);
  const at = offset === undefined ? Math.floor(changed.length / 2) : offset < 0 ? changed.length + offset : offset;
  changed[at]! ^= mask;
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: changed }));
  return original;
}
