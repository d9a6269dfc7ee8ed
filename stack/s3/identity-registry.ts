// Who may sign requests, changeable while the server runs (users added, keys rotated or
// deactivated). Policies belong to the user name, as IAM attaches them to a user rather than to
// one of its access keys, so a second key of the same user carries the same rights.
import type { NamedPolicy } from './authz/policy-types.ts';
import type { Identity } from './identity.ts';

/** An identity to seed, with the identity policies attached to its user. */
export interface IdentitySeed extends Identity {
  /** Attached to the user `name`; omitted keeps what the user already has. @default [] */
  policies?: readonly NamedPolicy[];
}

export class IdentityRegistry {
  readonly #keys = new Map<string, Identity>();
  readonly #policies = new Map<string, readonly NamedPolicy[]>();

  constructor(seed: readonly IdentitySeed[] = []) {
    for (const { policies, ...identity } of seed) this.put(identity, policies);
  }

  /** Adds or replaces the key `identity.accessKeyId`; `policies`, when given, replace the user's. */
  put(identity: Identity, policies?: readonly NamedPolicy[]): void {
    if (!identity.accessKeyId) throw new TypeError('putIdentity: accessKeyId is required');
    if (!identity.secretAccessKey) throw new TypeError('putIdentity: secretAccessKey is required');
    this.#keys.set(identity.accessKeyId, { ...identity });
    if (policies !== undefined) this.#policies.set(identity.name, [...policies]);
  }

  /** Forgets the key; the user's policies stay for its other keys. Returns whether it existed. */
  remove(accessKeyId: string): boolean {
    return this.#keys.delete(accessKeyId);
  }

  /** Inactive keys are refused with InvalidAccessKeyId, as AWS refuses a deactivated key. */
  setActive(accessKeyId: string, active: boolean): void {
    const id = this.#keys.get(accessKeyId);
    if (!id) throw new Error(`setIdentityActive: no identity has access key ${accessKeyId}`);
    this.#keys.set(accessKeyId, { ...id, active });
  }

  /** The active identity signing with this key, for authentication. */
  lookup(accessKeyId: string): Identity | undefined {
    const id = this.#keys.get(accessKeyId);
    return id && id.active !== false ? id : undefined;
  }

  /** Identity policies of the identity's user. */
  policiesOf(identity: Identity): readonly NamedPolicy[] {
    return this.#policies.get(identity.name) ?? [];
  }

  /** Every key, active or not (copies). */
  list(): Identity[] {
    return [...this.#keys.values()].map((i) => ({ ...i }));
  }
}
