// The mail server's fault rules and how the SMTP listeners apply them at each stage. Exact
// replies go out through the connection (enhanced code and text as the rule says, multi-line
// when asked); silence and drops act on the connection itself; held connections are cut off
// when the server stops, so stop() stays prompt.
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { FaultSet, type ListedRule } from '../../faults/fault-set.ts';
import {
  parseSmtpRule,
  replyLines,
  type SmtpFaultEvent,
  type SmtpFaultRule,
  smtpRuleMatches,
} from './smtp-rules.ts';
import { failHandshake, untrustedContext } from './tls-failure.ts';

/** The handle's `faults`: rules are validated on add (FaultError INVALID_RULE). */
export interface SmtpFaults {
  /** Adds a rule; returns its id (the rule's own `id`, or `smtp-<n>`). */
  add(rule: SmtpFaultRule): string;
  /** Every rule with its counters (matched, applied) and status (active, expired, exhausted). */
  list(): ListedRule<SmtpFaultRule>[];
  /** Removes one rule; false if there was none with that id. */
  remove(id: string): boolean;
  clear(): void;
}

/** What a fault needs of an SMTP connection (CapturedConnection implements it). */
export interface FaultableConnection {
  /** Destroys the connection's socket. */
  drop(): void;
  once(event: 'close', listener: () => void): unknown;
}

/** How one call site answers: `reply` writes the rule's lines, `proceed` continues as normal. */
export interface GateSite {
  proceed(): void;
  reply(code: number, lines: string[]): void;
  /** Only where a handshake is next (STARTTLS); the raw socket to fail it on. */
  handshake?(): Socket;
  /** Defers a reply, silence or drop until the command's input is complete (DATA: the message). */
  settle?(act: () => void): void;
}

export class SmtpFaultController implements SmtpFaults {
  readonly #set: FaultSet<SmtpFaultRule, SmtpFaultEvent>;
  readonly #held = new Set<FaultableConnection>();
  /** Delayed commands and how to let them go on. */
  readonly #delayed = new Map<NodeJS.Timeout, () => void>();
  #untrusted?: Promise<SecureContext>;

  constructor(now: () => number) {
    this.#set = new FaultSet({ prefix: 'smtp', now, parse: parseSmtpRule, matches: smtpRuleMatches });
  }

  add(rule: SmtpFaultRule): string {
    const id = this.#set.add(rule);
    // Made ahead of the first handshake that needs it (creating a CA takes a moment).
    if (rule.action.type === 'tls-failure' && rule.action.mode === 'untrusted-cert') void this.#context();
    return id;
  }

  list(): ListedRule<SmtpFaultRule>[] {
    return this.#set.list();
  }

  remove(id: string): boolean {
    return this.#set.remove(id);
  }

  clear(): void {
    this.#set.clear();
  }

  #context(): Promise<SecureContext> {
    this.#untrusted ??= untrustedContext();
    return this.#untrusted;
  }

  /** Runs the rules for one stage at one call site. */
  gate(conn: FaultableConnection, event: SmtpFaultEvent, site: GateSite): void {
    const rule = this.#set.decide(
      event,
      (r) => r.action.type !== 'tls-failure' || site.handshake !== undefined,
    );
    if (!rule) {
      site.proceed();
      return;
    }
    const { action } = rule;
    const settle = site.settle ?? ((act: () => void) => act());
    switch (action.type) {
      case 'error':
        settle(() => site.reply(action.code, replyLines(action)));
        return;
      case 'delay': {
        const timer = setTimeout(() => {
          this.#delayed.delete(timer);
          site.proceed();
        }, action.ms);
        this.#delayed.set(timer, site.proceed);
        return;
      }
      case 'no-response':
        this.#held.add(conn);
        conn.once('close', () => this.#held.delete(conn));
        settle(() => {});
        return;
      case 'drop':
        settle(() => conn.drop());
        return;
      case 'tls-failure': {
        const socket = site.handshake?.();
        if (socket) failHandshake(socket, action.mode ?? 'alert', () => this.#context());
        return;
      }
    }
  }

  /** The implicit-TLS listener's handshake: true when a rule failed it (the socket is taken). */
  failImplicitHandshake(socket: Socket): boolean {
    const rule = this.#set.decide(
      { stage: 'connect', listener: 'implicit-tls' },
      (r) => r.action.type === 'tls-failure',
    );
    if (rule?.action.type !== 'tls-failure') return false;
    failHandshake(socket, rule.action.mode ?? 'alert', () => this.#context());
    return true;
  }

  /** Called by stop(): held connections are dropped, delayed commands go on at once. */
  release(): void {
    for (const conn of this.#held) conn.drop();
    this.#held.clear();
    for (const [timer, proceed] of this.#delayed) {
      clearTimeout(timer);
      proceed();
    }
    this.#delayed.clear();
  }
}
