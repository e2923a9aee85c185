/** Public tracking pages of common carriers by SCAC; others have no URL rather than a guessed one. */
const TRACKING_URL_TEMPLATES: Readonly<Record<string, string>> = {
  UPSN: 'https://www.ups.com/track?tracknum={number}',
  FDEG: 'https://www.fedex.com/fedextrack/?trknbr={number}',
  FDE: 'https://www.fedex.com/fedextrack/?trknbr={number}',
  FXFE: 'https://www.fedex.com/fedextrack/?trknbr={number}',
  USPS: 'https://tools.usps.com/go/TrackConfirmAction?tLabels={number}',
  DHLC: 'https://www.dhl.com/en/express/tracking.html?AWB={number}',
  ODFL: 'https://www.odfl.com/Trace/standardResult.faces?pro={number}',
};

export function trackingUrlFor(scac: string | undefined, number: string | undefined): string | null {
  const template = scac ? TRACKING_URL_TEMPLATES[scac] : undefined;
  return template && number ? template.replace('{number}', encodeURIComponent(number)) : null;
}
