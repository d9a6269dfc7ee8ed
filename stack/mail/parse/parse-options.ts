import type { SimpleParserOptions } from 'mailparser';

/**
 * mailparser options used everywhere: no HTML-to-text or text-to-HTML conversions (slow and
 * not needed), cid links left alone (inlining images would copy every image into the HTML
 * string), SHA-256 checksums for attachments.
 */
export const PARSE_OPTIONS: SimpleParserOptions = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  keepCidLinks: true,
  checksumAlgo: 'sha256',
};
