/**
 * An SSCC as X12 MAN*GM carries it: MAN02 with qualifier GM is "SSCC-18 and Application
 * Identifier", the 18 digits after the GS1 application identifier 00 (20 digits, as on the label's
 * barcode). The canonical ShipmentNotice keeps the SSCC-18 alone, as DESADV GIN+BJ gives it.
 */

const WITH_AI = /^00\d{18}$/;
const SSCC_18 = /^\d{18}$/;

/** Inbound: the SSCC-18 of a value with its AI (`00` + 18 digits); any other value as received. */
export function ssccFromGs1(value: string): string {
  return WITH_AI.test(value) ? value.slice(2) : value;
}

/** Outbound: an SSCC-18 with its AI in front; any other value as it is. */
export function ssccToGs1(value: string): string {
  return SSCC_18.test(value) ? `00${value}` : value;
}
