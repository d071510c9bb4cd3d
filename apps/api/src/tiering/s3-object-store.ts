import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { assertObjectKey, type ObjectInfo, ObjectNotFound, type ObjectStore } from "@strata/core";

export interface S3ObjectStoreOptions {
  readonly bucket: string;
  /** A custom endpoint for S3-compatible services (MinIO, R2, GCS interop, s3rver). */
  readonly endpoint?: string;
  readonly region: string;
  /** Omitted: the SDK's default chain (environment, instance role, …). */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  /** `bucket` in the path rather than the host name (most self-hosted services need it). */
  readonly forcePathStyle?: boolean;
  /** Prepended to every key, so deployments can share a bucket. */
  readonly prefix?: string;
}

/** Objects in an S3 bucket (or any S3-compatible service). */
export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(o: S3ObjectStoreOptions) {
    this.bucket = o.bucket;
    this.prefix = o.prefix ?? "";
    this.client = new S3Client({
      region: o.region,
      endpoint: o.endpoint,
      credentials: o.credentials,
      forcePathStyle: o.forcePathStyle ?? false,
      // Integrity is ours (SHA-256 in the manifest); the SDK's default CRC trailers are not
      // understood by every S3-compatible service.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: this.key(key), Body: body }),
    );
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }),
      );
      if (!res.Body) throw new ObjectNotFound(key);
      return await res.Body.transformToByteArray();
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFound(key);
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const res = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }),
      );
      return { key, size: res.ContentLength ?? 0, lastModified: res.LastModified ?? new Date(0) };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    // ListObjects (v1) pages by the last key seen (`Marker`): every S3-compatible service
    // supports it, while some (s3rver on OpenSSL 3) fail to mint v2 continuation tokens.
    let marker: string | undefined;
    for (;;) {
      const res = await this.client.send(
        new ListObjectsCommand({
          Bucket: this.bucket,
          Prefix: this.prefix + prefix,
          Marker: marker,
        }),
      );
      const contents = res.Contents ?? [];
      for (const o of contents) {
        if (!o.Key) continue;
        yield {
          key: o.Key.slice(this.prefix.length),
          size: o.Size ?? 0,
          lastModified: o.LastModified ?? new Date(0),
        };
      }
      const last = contents[contents.length - 1]?.Key;
      if (!res.IsTruncated || !last) return;
      marker = res.NextMarker ?? last;
    }
  }

  close(): void {
    this.client.destroy();
  }

  private key(key: string): string {
    assertObjectKey(key);
    return this.prefix + key;
  }
}

function isNotFound(err: unknown): boolean {
  if (err instanceof ObjectNotFound) return true;
  if (!(err instanceof S3ServiceException)) return false;
  return (
    err.name === "NoSuchKey" || err.name === "NotFound" || err.$metadata.httpStatusCode === 404
  );
}
