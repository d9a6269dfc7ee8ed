// What every console route is handed: the configured sides of the stack, resolved once.
import type { Route as GenericRoute } from '../util/router.ts';
import type { ConsoleEvents } from './events.ts';
import type { ConsoleOverview, ConsoleServerOptions } from './options.ts';
import type { DecisionSource } from './request-log.ts';
import type { S3Access } from './s3-access.ts';

export interface ConsoleContext {
  s3?: S3Access;
  s3Server?: ConsoleServerOptions['s3Server'];
  decisions?: DecisionSource;
  hasMail: boolean;
  overview(): Promise<ConsoleOverview>;
  /** GET a path of the mounted mail API (over loopback to ourselves). */
  mailFetch(path: string): Promise<Response>;
  events: ConsoleEvents;
}

export type { RouteArgs } from '../util/router.ts';
export type Route = GenericRoute<ConsoleContext>;
