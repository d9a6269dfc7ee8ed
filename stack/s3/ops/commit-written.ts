// The last step of every single-blob write (PutObject, CopyObject): commit the record under
// the key lock, honouring If-Match / If-None-Match against what is there at that moment, and
// throw the freshly written blob away when the commit is refused.
import { checkWriteConditions, type WriteConditions } from '../conditions.ts';
import type { RequestContext } from '../request-context.ts';
import type { BlobRef, ObjectRecord } from '../storage/types.ts';

export async function commitWritten(
  ctx: RequestContext,
  bucket: string,
  key: string,
  conditions: WriteConditions,
  blob: BlobRef,
  build: () => ObjectRecord,
): Promise<ObjectRecord> {
  try {
    return await ctx.store.commitObject(bucket, key, (existing) => {
      checkWriteConditions(conditions, existing, key);
      return build();
    });
  } catch (err) {
    await ctx.store.discardBlob(blob);
    throw err;
  }
}
