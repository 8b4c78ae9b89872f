/**
 * Small JSON documents in the runs container with optimistic concurrency: every update is a
 * read-modify-write conditioned on the blob's ETag, retried on 412, so two writers (a promotion
 * and the lifecycle timer, say) never lose each other's change.
 */
import { RestError, type ContainerClient } from '@azure/storage-blob';

const MAX_CONFLICT_RETRIES = 10;

function isStatus(error: unknown, ...codes: number[]): boolean {
  return error instanceof RestError && codes.includes(error.statusCode ?? 0);
}

export async function readJson<T>(container: ContainerClient, name: string): Promise<{ value: T; etag: string } | undefined> {
  try {
    const blob = container.getBlobClient(name);
    const response = await blob.download();
    const chunks: Buffer[] = [];
    for await (const chunk of response.readableStreamBody ?? []) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    return { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T, etag: response.etag ?? '' };
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw error;
  }
}

export async function writeJson(container: ContainerClient, name: string, value: unknown, condition?: { ifMatch: string } | { ifNoneMatch: '*' }): Promise<void> {
  const body = `${JSON.stringify(value, null, 2)}\n`;
  await container.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), {
    blobHTTPHeaders: { blobContentType: 'application/json' },
    ...(condition ? { conditions: condition } : {}),
  });
}

/**
 * Applies `change` to the document (undefined when absent) and writes the result; `change`
 * returning undefined writes nothing. Returns what was written (or undefined).
 */
export async function updateJson<T>(container: ContainerClient, name: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
  for (let attempt = 0; ; attempt++) {
    const current = await readJson<T>(container, name);
    const next = change(current?.value);
    if (next === undefined) return undefined;
    try {
      await writeJson(container, name, next, current ? { ifMatch: current.etag } : { ifNoneMatch: '*' });
      return next;
    } catch (error) {
      if (isStatus(error, 409, 412) && attempt < MAX_CONFLICT_RETRIES) continue;
      throw error;
    }
  }
}

/** Every JSON document under a prefix; unreadable ones are reported and skipped. A missing container is an empty list. */
export async function listJson<T>(container: ContainerClient, prefix: string, onInvalid: (blob: string, problem: string) => void = () => undefined): Promise<T[]> {
  const out: T[] = [];
  try {
    for await (const blob of container.listBlobsFlat({ prefix })) {
      if (!blob.name.endsWith('.json')) continue;
      try {
        const read = await readJson<T>(container, blob.name);
        if (read) out.push(read.value);
      } catch (error) {
        if (error instanceof SyntaxError) onInvalid(blob.name, error.message);
        else throw error;
      }
    }
  } catch (error) {
    if (isStatus(error, 404)) return out;
    throw error;
  }
  return out;
}
