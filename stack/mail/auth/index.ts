export { authRoutes } from './auth-route.ts';
export { DnsZone, type ZoneRecords, type ZoneResolver } from './dns-zone.ts';
export { createMessageAuth, type MessageAuth } from './message-auth.ts';
export {
  type AuthResult,
  type AuthVerdicts,
  type CheckOptions,
  checkMessage,
  type DkimVerdict,
  type DmarcVerdict,
  type SpfResult,
  type SpfVerdict,
} from './verdicts.ts';
