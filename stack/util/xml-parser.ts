// fast-xml-parser, loaded when the first request body is parsed. Through its ESM entry the
// package is ~30 modules and ~50 ms of start-up; its published single-file CommonJS build
// (same version) loads in ~11 ms, and only when a bucket configuration, a DeleteObjects or a
// multipart completion actually arrives. require() keeps the parse functions synchronous.
import { createRequire } from 'node:module';
import type { X2jOptions, XMLParser } from 'fast-xml-parser';

type Fxp = typeof import('fast-xml-parser');

const require = createRequire(import.meta.url);
let fxp: Fxp | undefined;

function load(): Fxp {
  fxp ??= require('fast-xml-parser') as Fxp;
  return fxp;
}

export interface LazyXmlParser {
  /** XMLParser#parse with the options given at creation (`validate` as XMLParser takes it). */
  parse(xml: string, validate?: boolean): unknown;
}

/** An XMLParser with `options`, created on its first parse. */
export function lazyXmlParser(options: X2jOptions): LazyXmlParser {
  let parser: XMLParser | undefined;
  return {
    parse(xml, validate) {
      parser ??= new (load().XMLParser)(options);
      return validate === undefined ? parser.parse(xml) : parser.parse(xml, validate);
    },
  };
}

/** XMLValidator.validate(xml) === true: well-formed markup. */
export function isWellFormedXml(xml: string): boolean {
  return load().XMLValidator.validate(xml) === true;
}
