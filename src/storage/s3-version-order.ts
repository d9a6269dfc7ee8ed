// ListObjectVersions answers one list in which a key's versions and delete markers are
// interleaved newest first; the SDK hands them back as two lists (Versions, DeleteMarkers), so
// where a marker sat between two versions is lost. This keeps the page's wire order: it reads
// the raw XML before the SDK parses it (the SDK then parses the same bytes).
import type { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { XMLParser } from 'fast-xml-parser';

/** `marker|key|versionId` — one entry of a page, as the order lookup names it. */
export function orderId(deleteMarker: boolean, key: string, versionId: string): string {
  return `${deleteMarker ? 'm' : 'v'}|${key}|${versionId}`;
}

const parser = new XMLParser({
  preserveOrder: true,
  // Keys are text: no number parsing, no trimming (a key may end with a space).
  parseTagValue: false,
  trimValues: false,
  ignoreAttributes: true,
});

type OrderedNode = Record<string, OrderedNode[] | string>;

function text(children: OrderedNode[], tag: string): string | undefined {
  const node = children.find((c) => tag in c);
  const inner = node?.[tag];
  if (!Array.isArray(inner)) return undefined;
  return inner.map((c) => (typeof c['#text'] === 'string' ? c['#text'] : '')).join('');
}

/** The entries of a ListVersionsResult body in document order. */
export function wireOrder(xml: string): string[] {
  const out: string[] = [];
  const doc = parser.parse(xml) as OrderedNode[];
  const root = doc.find((n) => 'ListVersionsResult' in n)?.ListVersionsResult;
  if (!Array.isArray(root)) return out;
  for (const node of root) {
    const tag = 'Version' in node ? 'Version' : 'DeleteMarker' in node ? 'DeleteMarker' : undefined;
    const children = tag && node[tag];
    if (!Array.isArray(children)) continue;
    const key = text(children, 'Key');
    const versionId = text(children, 'VersionId');
    if (key !== undefined && versionId !== undefined)
      out.push(orderId(tag === 'DeleteMarker', key, versionId));
  }
  return out;
}

interface RawResponse {
  statusCode?: number;
  body?: unknown;
}

/**
 * Makes `command` record its response's wire order; the returned function reads it after
 * send (undefined when the body could not be read, e.g. an error answer).
 */
export function recordWireOrder(command: ListObjectVersionsCommand): () => string[] | undefined {
  let order: string[] | undefined;
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
        try {
          order = wireOrder(bytes.toString('utf8'));
        } catch {
          order = undefined;
        }
      }
      return result;
    },
    // Innermost in the deserialize step: it sees the HTTP response before the SDK parses it.
    { step: 'deserialize', priority: 'low', name: 'focusmateListVersionsWireOrder' },
  );
  return () => order;
}
