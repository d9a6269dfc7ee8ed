// ListObjectVersions answers one list in which a key's versions and delete markers are
// interleaved newest first; the SDK hands them back as two lists (Versions, DeleteMarkers), so
// where a marker sat between two versions is lost. This keeps the page's wire order: it reads
// the raw XML before the SDK parses it (the SDK then parses the same bytes).
import type { ListObjectVersionsCommand } from '@aws-sdk/client-s3';

export type EntryKind = 'Version' | 'DeleteMarker';

/**
 * The kinds of a ListVersionsResult's entries in document order. Only the element names are
 * read: the SDK's two lists are each in document order, so the kinds are all it takes to zip
 * them back, and no key text is compared (keys can hold characters two XML parsers decode
 * differently). `<` inside text is always escaped and S3 writes no CDATA, so the tags found
 * are the entries.
 */
export function wireKinds(xml: string): EntryKind[] {
  return Array.from(xml.matchAll(/<(Version|DeleteMarker)>/g), (m) => m[1] as EntryKind);
}

/** The SDK's two lists merged back into wire order; undefined when `kinds` does not fit them. */
export function zipWireOrder<T>(
  versions: T[],
  markers: T[],
  kinds: EntryKind[] | undefined,
): T[] | undefined {
  if (!kinds) return undefined;
  const versionCount = kinds.filter((k) => k === 'Version').length;
  if (versionCount !== versions.length || kinds.length - versionCount !== markers.length) return undefined;
  let v = 0;
  let m = 0;
  return kinds.map((k) => (k === 'Version' ? versions[v++]! : markers[m++]!));
}

interface RawResponse {
  statusCode?: number;
  body?: unknown;
}

/**
 * Makes `command` record its response's wire order; the returned function reads it after
 * send (undefined when the body could not be read, e.g. an error answer).
 */
export function recordWireOrder(command: ListObjectVersionsCommand): () => EntryKind[] | undefined {
  let order: EntryKind[] | undefined;
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as RawResponse;
      const body = response.body as AsyncIterable<Uint8Array> | undefined;
      if (response.statusCode === 200 && body && typeof body[Symbol.asyncIterator] === 'function') {
        const chunks: Buffer[] = [];
        for await (const chunk of body) chunks.push(Buffer.from(chunk));
        const bytes = Buffer.concat(chunks);
        // The SDK's deserializer reads a Uint8Array body as it would have read the stream.
        response.body = bytes;
        order = wireKinds(bytes.toString('utf8'));
      }
      return result;
    },
    // Innermost in the deserialize step: it sees the HTTP response before the SDK parses it.
    { step: 'deserialize', priority: 'low', name: 'focusmateListVersionsWireOrder' },
  );
  return () => order;
}
