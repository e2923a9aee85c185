/** The group of the token endpoint: limited per IP and per client id, before anyone is known. */
export const TOKEN_GROUP = 'token';
export const DEFAULT_GROUP = 'default';

/** First path segment after the version → group, so tenant files speak of `tracking`, not URLs. */
const SEGMENT_GROUPS: readonly (readonly [string, string])[] = [
  ['tracking', 'tracking'],
  ['shipment', 'shipments'],
  ['edi', 'edi'],
  ['interchange', 'edi'],
  ['invoice', 'invoices'],
  ['freight', 'invoices'],
  ['order', 'orders'],
  ['return', 'returns'],
  ['fulfil', 'fulfillment'],
  ['message', 'messages'],
  ['audit', 'audit'],
  ['portal', 'portal'],
];

// Route templates are the few the application declares: each one's group is worked out once.
const groupsByRoute = new Map<string, string | null>();

/** A route template's group; `null` for routes never limited (probes, metrics). */
export function groupOfRoute(route: string | undefined): string | null {
  if (!route) return DEFAULT_GROUP;
  let group = groupsByRoute.get(route);
  if (group === undefined) {
    group = groupOfTemplate(route);
    groupsByRoute.set(route, group);
  }
  return group;
}

function groupOfTemplate(route: string): string | null {
  if (route.startsWith('/health/') || route === '/metrics') return null;
  if (route === '/oauth/token') return TOKEN_GROUP;
  const segments = route.split('/').filter((s) => s !== '' && !/^v\d+$/.test(s));
  const first = segments[0] ?? '';
  return SEGMENT_GROUPS.find(([prefix]) => first.startsWith(prefix))?.[1] ?? DEFAULT_GROUP;
}
