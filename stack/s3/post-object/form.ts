// The form fields that precede the file, read within S3's 20 KB budget. The file part is
// identified by its name alone (`file`, in any case); fields after it are never read.
import type { MultipartReader, PartHeader } from './multipart.ts';
import { MAX_PRE_FILE_BYTES, preDataTooLarge } from './post-errors.ts';

export interface FormField {
  /** The name as sent; S3 reports uncovered fields this way. */
  name: string;
  value: string;
}

export interface FormHead {
  fields: FormField[];
  /** The file part's headers; null when the form ended without one. */
  file: PartHeader | null;
}

const overBudget = (): never => {
  throw preDataTooLarge();
};

export async function readFormHead(reader: MultipartReader): Promise<FormHead> {
  const fields: FormField[] = [];
  for (;;) {
    const part = await reader.nextPart(MAX_PRE_FILE_BYTES, overBudget);
    if (part === null) return { fields, file: null };
    if (part.name !== undefined && part.name.toLowerCase() === 'file') return { fields, file: part };
    const pieces: Buffer[] = [];
    for (;;) {
      const piece = await reader.readContent(MAX_PRE_FILE_BYTES, overBudget);
      if (piece === null) break;
      pieces.push(piece);
    }
    // A part that is not `form-data` with a name still counts against the budget, as on S3.
    if (part.name !== undefined)
      fields.push({ name: part.name, value: Buffer.concat(pieces).toString('utf8') });
  }
}

/** Field values by lower-cased name; repeated fields are joined with commas, as S3 documents. */
export function fieldMap(fields: FormField[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const { name, value } of fields) {
    const lower = name.toLowerCase();
    const prev = map.get(lower);
    map.set(lower, prev === undefined ? value : `${prev},${value}`);
  }
  return map;
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: S3's literal form variable, not a template.
const FILENAME_VARIABLE = '${filename}';

/**
 * `${filename}` in any field becomes the file's name without its path. With no `filename`
 * parameter at all S3 leaves the variable as it is; an empty one expands to ''.
 */
export function expandFilename(fields: FormField[], filename: string | undefined): FormField[] {
  if (filename === undefined) return fields;
  const base = filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);
  return fields.map((f) => ({ name: f.name, value: f.value.replaceAll(FILENAME_VARIABLE, base) }));
}
