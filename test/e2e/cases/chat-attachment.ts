// Chat attachments end to end: stored privately under chat/{roomId}/, readable by room members
// only through the presigned link the app hands out, never by an anonymous visitor.

import { Readable } from 'node:stream';
import { describe } from 'vitest';
import { expect, test } from '../../../stack/testing/fixture.ts';
import { anonymousGet, appFor, objectUrl } from '../support/app.ts';
import { samplePdf, samplePng } from '../support/sample-files.ts';

const ROOM = 'room-focus-study-general';

/** Registers these cases in the calling test file, on that file's stack. */
export function chatAttachmentCases(): void {
  describe('chat attachment', () => {
    test('a streamed PDF is stored under chat/{roomId}/ and is private', async ({ stack }) => {
      await using app = appFor(stack.env);
      const pdf = samplePdf('Meeting notes, March');

      const attached = await app.flows.attachFileToChat({
        roomId: ROOM,
        file: { fileName: '3월 회의록.pdf', contentType: 'application/pdf', body: Readable.from([pdf]) },
      });

      expect(attached.key).toMatch(/^chat\/room-focus-study-general\/[0-9a-f-]{36}-3월-회의록\.pdf$/);
      expect(attached).toMatchObject({
        size: pdf.length,
        contentType: 'application/pdf',
        fileName: '3월 회의록.pdf',
      });
      const stored = await stack.s3.inspect.getObject(stack.s3.bucket, attached.key);
      expect(stored?.body.equals(pdf)).toBe(true);
      expect(stored?.contentType).toBe('application/pdf');
      expect(stored?.metadata).toEqual({
        'room-id': ROOM,
        'original-name': encodeURIComponent('3월 회의록.pdf'),
      });

      const visitor = await anonymousGet(objectUrl(stack.s3.url, stack.s3.bucket, attached.key));
      expect(visitor.status).toBe(403);
      expect(visitor.errorCode).toBe('AccessDenied');
      expect(visitor.contentType).toBe('application/xml');

      // The link the app gives room members works for anyone holding it, for its lifetime.
      expect(attached.downloadUrl).toMatch(/X-Amz-Signature=/);
      const member = await anonymousGet(attached.downloadUrl!);
      expect(member.status).toBe(200);
      expect(member.contentType).toBe('application/pdf');
      expect(member.body.equals(pdf)).toBe(true);
      const expires = new URL(attached.downloadUrl!).searchParams.get('X-Amz-Expires');
      expect(expires).toBe(String(7 * 24 * 60 * 60));

      // Attaching a file sends no email.
      expect(stack.mail.messages()).toEqual([]);
    });

    test('a file whose bytes contradict its declared type is refused before anything is stored', async ({
      stack,
    }) => {
      await using app = appFor(stack.env);

      await expect(
        app.flows.attachFileToChat({
          roomId: ROOM,
          file: { fileName: 'screenshot.png', contentType: 'image/png', body: samplePdf('not an image') },
        }),
      ).rejects.toMatchObject({ name: 'FlowError', code: 'UNSUPPORTED_FILE_TYPE', field: 'file.body' });

      const ok = await app.flows.attachFileToChat({
        roomId: ROOM,
        file: { fileName: 'screenshot.png', contentType: 'image/png', body: samplePng() },
      });
      expect((await stack.s3.inspect.listObjects(stack.s3.bucket)).map((o) => o.key)).toEqual([ok.key]);
    });
  });
}
