// The DNS the mail server's authentication checks see: TXT records held in memory, never a
// real query. A name that is not in the zone answers ENOTFOUND (NXDOMAIN); a name that holds
// TXT records answers ENODATA for any other type, as a real resolver would.

/** TXT records by owner name, e.g. `{ '_dmarc.focusmate.com': ['v=DMARC1; p=reject'] }`. */
export type ZoneRecords = Record<string, string[]>;

/** mailauth's resolver contract: TXT answers are arrays of character-strings per record. */
export type ZoneResolver = (name: string, type: string) => Promise<string[][]>;

const normalize = (name: string) => name.trim().toLowerCase().replace(/\.$/, '');

function dnsError(code: 'ENOTFOUND' | 'ENODATA', type: string, name: string): Error {
  return Object.assign(new Error(`query${type} ${code} ${name}`), { code, hostname: name });
}

// A TXT character-string holds at most 255 bytes; long values (DKIM keys) span several.
function chunks(value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i += 255) out.push(value.slice(i, i + 255));
  return out.length > 0 ? out : [''];
}

export class DnsZone {
  readonly #records = new Map<string, string[]>();

  constructor(records: ZoneRecords = {}) {
    for (const [name, values] of Object.entries(records)) this.set(name, values);
  }

  /** Replaces the TXT records of `name`. */
  set(name: string, values: readonly string[]): void {
    this.#records.set(normalize(name), [...values]);
  }

  /** Removes `name` (it then answers NXDOMAIN); returns whether it existed. */
  delete(name: string): boolean {
    return this.#records.delete(normalize(name));
  }

  get(name: string): string[] | undefined {
    const values = this.#records.get(normalize(name));
    return values && [...values];
  }

  /** A copy of every record, for printing or saving. */
  records(): ZoneRecords {
    return Object.fromEntries([...this.#records].map(([name, values]) => [name, [...values]]));
  }

  readonly resolve: ZoneResolver = async (name, type) => {
    const values = this.#records.get(normalize(name));
    if (!values) throw dnsError('ENOTFOUND', type, name);
    if (type.toUpperCase() !== 'TXT' || values.length === 0) throw dnsError('ENODATA', type, name);
    return values.map(chunks);
  };
}
