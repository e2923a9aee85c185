import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { translateBuffer } from '../../../src/edi/translate.js';
import {
  goldenOptions,
  listX12Fixtures,
  X12_FIXTURES,
  x12Fixture,
  x12FixtureText,
} from './x12-fixture-support.js';

/** The precise code each negative fixture must be acknowledged with (EDI-RULES.md). */
const EXPECTED: Record<string, RegExp> = {
  'isa-iea-control-mismatch': /TA1\*000000100\*261127\*0930\*R\*001~/,
  'iea-group-count': /TA1\*000000100\*261127\*0930\*R\*021~/,
  'iea-missing': /TA1\*000000100\*261127\*0930\*R\*023~/,
  'isa-invalid-date': /TA1\*000000100\*261340\*0930\*R\*014~/,
  'isa-invalid-time': /TA1\*000000100\*261127\*2561\*R\*015~/,
  'isa-invalid-version': /TA1\*000000100\*261127\*0930\*R\*017~/,
  'isa-invalid-usage': /TA1\*000000100\*261127\*0930\*R\*020~/,
  'isa-invalid-sender-qualifier': /TA1\*000000100\*261127\*0930\*R\*005~/,
  'isa-invalid-control-number': /TA1\*00000010A\*261127\*0930\*R\*018~/,
  // ISA16 equal to the terminator or the element separator (EDI-RULES.md): the interchange cannot
  // be read, so a TA1 024 and no 997; the TA1's own ISA uses the default delimiters.
  'isa-delimiters-clash': /^ISA\*(?:[^~]*\*){15}>~TA1\*000000100\*261127\*0930\*R\*024~IEA\*0\*000000001~$/,
  'isa-component-is-element-separator':
    /^ISA\*(?:[^~]*\*){15}>~TA1\*000000100\*261127\*0930\*R\*024~IEA\*0\*000000001~$/,
  'isa-empty-sender-id': /TA1\*000000100\*261127\*0930\*R\*006~/,
  'isa-invalid-receiver-qualifier': /TA1\*000000100\*261127\*0930\*R\*007~/,
  'isa-empty-receiver-id': /TA1\*000000100\*261127\*0930\*R\*008~/,
  'isa-invalid-standards-id': /TA1\*000000100\*261127\*0930\*R\*016~/,
  // The same sender's ISA13 twice in one file: the first is answered, the repeat rejected (025).
  'isa-control-duplicate':
    /AK9\*A\*1\*1\*1~.*IEA\*1\*000000001~ISA\*.*TA1\*000000100\*261127\*0930\*R\*025~IEA\*0\*000000002~$/,
  // A rejected group rejects all its sets (AK9 R, AK904 0, the reason in AK905): the partner must
  // resend them all. A set with no error of its own has no AK2 loop: an AK5/IK5 R would need a
  // reason code, and 718/618 have none for "rejected with its group" (x12-ack-writer.ts).
  'gs-ge-control-mismatch': /~AK1\*SH\*100~AK9\*R\*1\*1\*0\*4~SE\*4\*/,
  // GS07 and GS08 together name the version: a bad agency is "version not supported".
  'gs-invalid-agency': /AK1\*SH\*100~AK9\*R\*1\*1\*0\*2~/,
  // GS08 is the version in its first six characters: "4010" names none. The group is rejected
  // (AK905 2) and the ack follows the interchange's ISA12: a 997 (ISA12 00401), GS08 004010, not a
  // 999 echoing 4010.
  'gs-version-four-digits':
    /U\*00401\*.*GS\*FA\*RECEIVERID\*SENDERID\*\d{8}\*\d{4}\*1\*X\*004010~ST\*997\*0001~AK1\*SH\*1~AK9\*R\*1\*1\*0\*2~/,
  // The same in a 00501 interchange: a 999, GS08 and ST03 naming its guide (005010X231A1), AK103
  // echoing the GS08 as sent.
  '5010-gs-version-four-digits-999':
    /\^\*00501\*.*\*X\*005010X231A1~ST\*999\*0001\*005010X231A1~AK1\*SH\*1\*5010~AK9\*R\*1\*1\*0\*2~/,
  // The ack interchange echoes the partner's ISA12 (00401, ISA11 U), while each group's ack follows
  // its own GS08: a 999 for the 005010 group, a 997 for the 004010 one.
  'isa-4010-group-5010':
    /^ISA\*(?:[^~]*\*){10}U\*00401\*[^~]*~GS\*FA\*[^~]*\*X\*005010X231A1~ST\*999\*0001\*005010X231A1~AK1\*SH\*11\*005010~.*IK5\*R\*5~AK9\*P\*2\*2\*1~.*GS\*FA\*[^~]*\*X\*004010~ST\*997\*0002~AK1\*QM\*12~AK2\*214\*0003~AK5\*A~AK9\*A\*1\*1\*1~/,
  'gs-invalid-control-number': /AK1\*SH\*1A0~AK9\*R\*1\*1\*0\*6~/,
  // 716 has no code for a bad GS04: the group is rejected without an AK905 (x12-envelope-checks.ts).
  'gs-invalid-date': /AK1\*SH\*100~AK9\*R\*1\*1\*0~/,
  // A repeated GS06: 19 from 004050 on; 4010 has no uniqueness code (19 is security there), so 6.
  'gs-control-duplicate':
    /AK1\*SH\*100~AK2\*856\*0100~AK5\*A~AK9\*A\*1\*1\*1~.*AK1\*SH\*100~AK9\*R\*1\*1\*0\*6~/,
  '5010-gs-control-duplicate-999':
    /AK1\*SH\*100\*005010~AK2\*856\*0100~IK5\*A~AK9\*A\*1\*1\*1~.*AK1\*SH\*100\*005010~AK9\*R\*1\*1\*0\*19~/,
  // An 856 in a QM (214) group: AK5 6, invalid transaction set identifier for its group.
  'gs-functional-id-set-mismatch': /AK1\*QM\*100~AK2\*856\*0100~AK5\*R\*6~AK9\*R\*1\*1\*0~/,
  'st-invalid-set-id': /AK2\*85X\*0100~AK5\*R\*6/,
  'st-invalid-control-number': /AK2\*856\*01A0~AK5\*R\*7~/,
  'st-set-not-supported': /AK1\*PO\*100~AK2\*850\*0100~AK5\*R\*1~AK9\*R\*1\*1\*0~/,
  'ge-set-count': /AK1\*SH\*100~AK9\*R\*3\*1\*0\*5~/,
  'ge-missing': /AK1\*SH\*100~AK9\*R\*1\*1\*0\*3~/,
  'gs-functional-id-unsupported': /AK1\*XX\*100~AK9\*R\*1\*1\*0\*1~/,
  'st-se-control-mismatch': /AK2\*856\*0100~AK5\*R\*3~AK9\*R\*1\*1\*0~/,
  'se-segment-count': /AK2\*856\*0100~AK5\*R\*4~/,
  'se-missing': /AK2\*856\*0100~AK5\*R\*2~/,
  // A repeated ST02: 23 (not unique in the group) from 004050 on; in 4010, 7 (EDI-RULES.md).
  'st-control-duplicate': /AK2\*856\*0100~AK5\*A~AK2\*856\*0100~AK5\*R\*7~AK9\*P\*2\*2\*1~/,
  '5010-st-control-duplicate-999': /AK2\*856\*0100~IK5\*A~AK2\*856\*0100~IK5\*R\*23~AK9\*P\*2\*2\*1~/,
  // A segment between GS and ST (AK304 2, unexpected): the group is rejected, 716 has no AK905 for it.
  // No set to carry an AK3 and no AK905 for it: the segment is ignored, the group accepted with
  // errors noted.
  'segment-outside-set': /AK2\*856\*0100~AK5\*A~AK9\*E\*1\*1\*1~/,
  'bsn-missing': /AK3\*BSN\*2\*\*3~AK5\*R\*5~/,
  // AK404/IK404 copy the element in error.
  'bsn-invalid-code': /AK3\*BSN\*2\*\*8~AK4\*1\*353\*7\*99~AK5\*R\*5~/,
  'bsn-invalid-date': /AK3\*BSN\*2\*\*8~AK4\*3\*373\*8\*20261332~AK5\*R\*5~/,
  '5010-bsn-invalid-date-time-999':
    /ST\*999\*0001\*005010X231A1~AK1\*SH\*100\*005010~AK2\*856\*0100~IK3\*BSN\*2\*\*8~CTX\*BSN02>SHP-REPL-1~IK4\*3\*373\*8\*20261301~IK4\*4\*337\*9\*2399~IK5\*R\*5~AK9\*R\*1\*1\*0~/,
  // The map finds the missing parent; the schema walk still names the loop (HL) and HL02's number (734).
  'hl-parent-missing': /AK3\*HL\*8\*HL\*8~AK4\*2\*734\*7\*9~AK5\*R\*5~/,
  // Syntax notes: DTM C0403 (a time code without a time), N1 P0304 (a qualifier without its id).
  'conditional-element-missing': /AK3\*DTM\*3\*\*8~AK4\*3\*337\*2~AK3\*N1\*6\*N1\*8~AK4\*4\*67\*2~AK5\*R\*5~/,
  // The same errors in 5010: each IK4 followed by the CTX naming what triggered the requirement
  // (CTX04 the loop id, CTX05 the element, CTX06 its reference number: DTM04 623, N103 66).
  // IK303/AK303 name the loop of the segment in error (none for the heading's DTM, N1 for N1), and
  // IK402/AK402 the element's reference number (DTM03 337, N104 67).
  '5010-situational-trigger-999':
    /IK3\*DTM\*3\*\*8~CTX\*BSN02>SHP-CTX-1~IK4\*3\*337\*2~CTX\*SITUATIONAL TRIGGER\*DTM\*3\*\*4\*623~IK3\*N1\*6\*N1\*8~CTX\*BSN02>SHP-CTX-1~IK4\*4\*67\*2~CTX\*SITUATIONAL TRIGGER\*N1\*6\*N1\*3\*66~IK5\*R\*5~/,
  // N4 E0207: a state and a country subdivision together; IK4 code 10 with the excluded N407
  // copied, triggered by N402 (156).
  '5010-exclusion-violated-999':
    /IK3\*N4\*6\*N1\*8~CTX\*BSN02>SHP-CTX-2~IK4\*7\*1715\*10\*IL~CTX\*SITUATIONAL TRIGGER\*N4\*6\*N1\*2\*156~IK5\*R\*5~/,
  // 856 notes inside the HL loop: TD3 C0405, TD4 C0203, PO4 P0607, PKG C0403, MAN P0405.
  '856-syntax-notes':
    /AK3\*TD3\*5\*HL\*8~AK4\*5\*81\*2~AK3\*TD4\*6\*HL\*8~AK4\*3\*209\*2~AK3\*PO4\*11\*HL\*8~AK4\*7\*355\*2~AK3\*PKG\*12\*HL\*8~AK4\*3\*559\*2~AK3\*MAN\*13\*HL\*8~AK4\*5\*87\*2~AK5\*R\*5~/,
  // In a 999 each trigger names the 856's HL loop (CTX04) and the trigger's reference number.
  '5010-856-syntax-notes-999':
    /IK3\*TD3\*5\*HL\*8~CTX\*BSN02>SHP-NOTES-1~IK4\*5\*81\*2~CTX\*SITUATIONAL TRIGGER\*TD3\*5\*HL\*4\*187~IK3\*TD4\*6\*HL\*8~CTX\*BSN02>SHP-NOTES-1~IK4\*3\*209\*2~CTX\*SITUATIONAL TRIGGER\*TD4\*6\*HL\*2\*208~IK3\*PO4\*11\*HL\*8~CTX\*BSN02>SHP-NOTES-1~IK4\*7\*355\*2~CTX\*SITUATIONAL TRIGGER\*PO4\*11\*HL\*6\*384~IK3\*PKG\*12\*HL\*8~CTX\*BSN02>SHP-NOTES-1~IK4\*3\*559\*2~CTX\*SITUATIONAL TRIGGER\*PKG\*12\*HL\*4\*754~IK3\*MAN\*13\*HL\*8~CTX\*BSN02>SHP-NOTES-1~IK4\*5\*87\*2~CTX\*SITUATIONAL TRIGGER\*MAN\*13\*HL\*4\*88~IK5\*R\*5~/,
  // 214: B10 E0105 (B1005 copied) and P0506, L11 P0102, MS3 C0503, MS1 E0104 and P0405, AT8 P010203.
  '214-syntax-notes':
    /AK3\*B10\*2\*\*8~AK4\*5\*128\*10\*BM~AK4\*6\*127\*2~AK3\*L11\*3\*\*8~AK4\*2\*128\*2~AK3\*MS3\*5\*\*8~AK4\*3\*19\*2~AK3\*MS1\*8\*0205\*8~AK4\*4\*1654\*10\*0861000~AK4\*5\*1655\*2~AK3\*AT8\*9\*0200\*8~AK4\*3\*81\*2~AK5\*R\*5~/,
  // The 214's numbered loops: MS1 in 0205 (AT7), AT8 in 0200 (LX); the heading has none.
  '5010-214-syntax-notes-999':
    /IK3\*B10\*2\*\*8~CTX\*B1001>PRO-N-1~IK4\*5\*128\*10\*BM~CTX\*SITUATIONAL TRIGGER\*B10\*2\*\*1\*127~IK4\*6\*127\*2~CTX\*SITUATIONAL TRIGGER\*B10\*2\*\*5\*128~IK3\*L11\*3\*\*8~CTX\*B1001>PRO-N-1~IK4\*2\*128\*2~CTX\*SITUATIONAL TRIGGER\*L11\*3\*\*1\*127~IK3\*MS3\*5\*\*8~CTX\*B1001>PRO-N-1~IK4\*3\*19\*2~CTX\*SITUATIONAL TRIGGER\*MS3\*5\*\*5\*156~IK3\*MS1\*8\*0205\*8~CTX\*B1001>PRO-N-1~IK4\*4\*1654\*10\*0861000~CTX\*SITUATIONAL TRIGGER\*MS1\*8\*0205\*1\*19~IK4\*5\*1655\*2~CTX\*SITUATIONAL TRIGGER\*MS1\*8\*0205\*4\*1654~IK3\*AT8\*9\*0200\*8~CTX\*B1001>PRO-N-1~IK4\*3\*81\*2~CTX\*SITUATIONAL TRIGGER\*AT8\*9\*0200\*1\*187~IK5\*R\*5~/,
  // 210: N7 P0304, L5 P0304, L0 P0203, L1 P0203, L3 C1201.
  '210-syntax-notes':
    /AK3\*N7\*4\*0200\*8~AK4\*4\*187\*2~AK3\*L5\*6\*0400\*8~AK4\*4\*23\*2~AK3\*L0\*7\*0400\*8~AK4\*3\*221\*2~AK3\*L1\*8\*0400\*8~AK4\*3\*122\*2~AK3\*L3\*9\*\*8~AK4\*1\*81\*2~AK5\*R\*5~/,
  // The 210's loops: N7 0200, LX 0400; L3 sits in the summary, outside any loop.
  '5010-210-syntax-notes-999':
    /IK3\*N7\*4\*0200\*8~CTX\*B302>INV-N-1~IK4\*4\*187\*2~CTX\*SITUATIONAL TRIGGER\*N7\*4\*0200\*3\*81~IK3\*L5\*6\*0400\*8~CTX\*B302>INV-N-1~IK4\*4\*23\*2~CTX\*SITUATIONAL TRIGGER\*L5\*6\*0400\*3\*22~IK3\*L0\*7\*0400\*8~CTX\*B302>INV-N-1~IK4\*3\*221\*2~CTX\*SITUATIONAL TRIGGER\*L0\*7\*0400\*2\*220~IK3\*L1\*8\*0400\*8~CTX\*B302>INV-N-1~IK4\*3\*122\*2~CTX\*SITUATIONAL TRIGGER\*L1\*8\*0400\*2\*60~IK3\*L3\*9\*\*8~CTX\*B302>INV-N-1~IK4\*1\*81\*2~CTX\*SITUATIONAL TRIGGER\*L3\*9\*\*12\*188~IK5\*R\*5~/,
  // A parent comes before its children: an HL whose HL02 names a later HL (here the order and its
  // item point at each other), itself, or (the root) itself is cut off from the root with its
  // subtree. One error on the HL02 that breaks the chain, the id copied; the set is rejected.
  'hl-parent-cycle': /AK3\*HL\*6\*HL\*8~AK4\*2\*734\*7\*3~AK5\*R\*5~AK9/,
  'hl-self-parent': /AK3\*HL\*8\*HL\*8~AK4\*2\*734\*7\*3~AK5\*R\*5~AK9/,
  'hl-root-self-parent': /AK3\*HL\*3\*HL\*8~AK4\*2\*734\*7\*1~AK5\*R\*5~AK9/,
  '5010-hl-parent-later-999': /IK3\*HL\*8\*HL\*8~CTX\*BSN02>SHP-HL-LATER~IK4\*2\*734\*7\*4~IK5\*R\*5~AK9/,
  // B304 MX (mixed) is a valid X12 code the canonical paymentMethod has no value for: the map
  // reports it on B304 (146) rather than leaving it to the canonical schema, which has no place in
  // the set to point at. 997: 7 (invalid code value); 999: I6 (code value not used in implementation).
  '210-payment-method-not-mapped': /AK3\*B3\*2\*\*8~AK4\*4\*146\*7\*MX~AK5\*R\*5~AK9/,
  '5010-210-payment-method-not-mapped-999':
    /IK3\*B3\*2\*\*8~CTX\*B302>INV-2026-001~IK4\*4\*146\*I6\*MX~IK5\*R\*5~AK9/,
  // A code valid only in a context: an item (HL03 I) directly under the shipment. A 997 has no
  // implementation codes: 7 (invalid code value), with the code copied.
  'hl-item-under-shipment': /AK3\*HL\*5\*HL\*8~AK4\*3\*735\*7\*I~AK5\*R\*5~/,
  // 999: I6 (code value not used in implementation), triggered by the parent's HL03 (735).
  '5010-hl-item-under-shipment-999':
    /IK3\*HL\*5\*HL\*8~CTX\*BSN02>SHP-HL-1~IK4\*3\*735\*I6\*I~CTX\*SITUATIONAL TRIGGER\*HL\*3\*HL\*3\*735~IK5\*R\*5~/,
  // The copy of an over-long N102 holding the ack's delimiters (~ > ^; the inbound, newline-ended,
  // used : and |): cut at 99 characters, each delimiter a space.
  '5010-bad-data-copy-999':
    /IK3\*N1\*4\*N1\*8~CTX\*BSN02>SHP-COPY-1~IK4\*2\*93\*5\*ACME {3}SONS {3}WHOLESALE {3}DISTRIBUTION X{60}~IK5\*R\*5~/,
  // X12 has no release character: a component separator in a simple element (B1001, N102) would
  // cut the value; AK4 6 (invalid character) with the whole element copied, the separator a space.
  'separator-in-simple-element':
    /AK3\*B10\*2\*\*8~AK4\*1\*127\*6\*PRO 445566~AK3\*N1\*4\*0100\*8~AK4\*2\*93\*6\*ACME CORP~AK5\*R\*5~/,
  // 5010: the component separator is IK4 6, the repetition separator in N102 (which does not
  // repeat) IK4 12 "too many repetitions".
  '5010-separator-in-simple-element-999':
    /IK3\*B10\*2\*\*8~CTX\*B1001>PRO~IK4\*1\*127\*6\*PRO 445566~IK3\*N1\*4\*0100\*8~CTX\*B1001>PRO~IK4\*2\*93\*12\*ACME CORP~IK5\*R\*5~/,
  // The canonical model needs what X12 lets a partner omit (L312, the weight unit; N102, the name,
  // when N103/N104 identify the party): the set is rejected, and the ack names the element the
  // map fills that field from. 997: 1 (mandatory element missing); 999: I9 (implementation-
  // dependent element missing).
  '210-l3-weight-unit-missing': /AK2\*210\*0100~AK3\*L3\*8\*\*8~AK4\*12\*188\*1~AK5\*R\*5~/,
  '5010-210-l3-weight-unit-missing-999':
    /AK2\*210\*0100~IK3\*L3\*8\*\*8~CTX\*B302>INV-L3-1~IK4\*12\*188\*I9~IK5\*R\*5~/,
  'n1-name-missing': /AK2\*856\*0100~AK3\*N1\*5\*N1\*8~AK4\*2\*93\*1~AK5\*R\*5~/,
  // A valid 214 whose LX has no AT7 yields no TrackingEvent (NO_DOCUMENT): the ack names the AT7
  // each LX lacks, where it belongs (after the LX, loop 0205), so that AK502/IK502 5 "one or more
  // segments in error" names them. 997: AK304 3 (required segment missing); 999: IK304 I6
  // (implementation-dependent segment missing: the standard makes the AT7 loop optional).
  '214-no-status-no-document': /AK2\*214\*0001~AK3\*AT7\*4\*0205\*3~AK5\*R\*5~AK9\*R\*1\*1\*0~/,
  '5010-214-no-status-no-document-999':
    /AK2\*214\*0001~IK3\*AT7\*4\*0205\*I6~(CTX\*[^~]*~)?IK5\*R\*5~AK9\*R\*1\*1\*0~/,
  // A 214 splits into one document per AT7: an error in the header's N4 is the same N4 for each
  // of them, so it is one AK3/AK4, not one per event nor a "missing N4" for the second.
  '214-split-header-error': /AK2\*214\*0001~AK3\*N4\*4\*0100\*8~AK4\*4\*26\*6\*usa~AK5\*R\*5~/,
  // BSN has 7 elements: the first extra one (BSN08) is AK4/IK4 3, too many data elements.
  'bsn-too-many-elements': /AK3\*BSN\*2\*\*8~AK4\*8\*\*3\*CC~AK5\*R\*5~/,
  // The charge description one element early, in L111 (charge method of payment, ID 1/1): too long.
  '5010-210-l1-description-in-l111-999':
    /IK3\*L1\*7\*0400\*8~CTX\*B302:INV-5010-9~IK4\*11\*16\*5\*CREDIT FOR LATE DELIVERY~IK5\*R\*5~/,
  '5010-bsn-too-many-elements-999': /IK3\*BSN\*2\*\*8~CTX\*BSN02>SHP-MANY-1~IK4\*8\*\*3\*CC~IK5\*R\*5~/,
  // A segment out of place that no set defines is AK304 1 (unrecognized segment ID); one of
  // another set (B3 of the 210 in an 856) is 6 (not in defined transaction set). Both ignored.
  'segment-unrecognized': /AK2\*856\*0100~AK3\*ZZZ\*5\*\*1~AK5\*E\*5~AK9\*E/,
  'segment-not-in-set': /AK2\*856\*0100~AK3\*B3\*5\*\*6~AK5\*E\*5~AK9\*E/,
};

/** Fixtures whose problem the ack reports as AK9 E (accepted, errors noted): warnings, not errors. */
const ACCEPTED_WITH_ERRORS: ReadonlySet<string> = new Set([
  'segment-outside-set',
  'segment-unrecognized',
  'segment-not-in-set',
]);

test('every negative fixture has an expected code', () => {
  assert.deepEqual(
    listX12Fixtures('negative')
      .map((f) => f.slice(0, -4))
      .sort(),
    Object.keys(EXPECTED).sort(),
  );
});

for (const file of listX12Fixtures('negative')) {
  const name = file.slice(0, -4);
  test(`negative ${name}: exact ack and ${ACCEPTED_WITH_ERRORS.has(name) ? 'a warning' : 'an error'} diagnostic`, async () => {
    const r = await translateBuffer(x12Fixture(`negative/${file}`), goldenOptions());
    const ack = r.acks.join('');
    if (process.env['UPDATE_GOLDEN'] === '1')
      writeFileSync(join(X12_FIXTURES, 'negative', `${name}.ack.edi`), ack);
    assert.equal(ack, x12FixtureText(`negative/${name}.ack.edi`));
    assert.match(ack, EXPECTED[name]!);
    assert.equal(r.ok, ACCEPTED_WITH_ERRORS.has(name));
    if (ACCEPTED_WITH_ERRORS.has(name)) assert.ok(r.diagnostics.some((d) => d.severity === 'warning'));
    // The acknowledgement goes back to the sender: the envelope is reversed (an empty id is UNKNOWN).
    const sender = name === 'isa-empty-receiver-id' ? 'UNKNOWN   ' : 'RECEIVERID';
    const receiver = name === 'isa-empty-sender-id' ? 'UNKNOWN ' : 'SENDERID';
    assert.match(
      ack,
      new RegExp(`^ISA\\*00\\* {10}\\*00\\* {10}\\*ZZ\\*${sender} {5}\\*ZZ\\*${receiver} {7}\\*`),
    );
  });
}

test('a rejected group counts no set accepted in the translation summary either, like its AK904', async () => {
  const r = await translateBuffer(x12Fixture('negative/ge-set-count.edi'), goldenOptions());
  assert.deepEqual(
    r.interchanges.flatMap((i) => i.groups.map((g) => [g.status, g.transactionSets, g.accepted])),
    [['R', 1, 0]],
  );
});

test('an interchange whose ISA is broken is not processed: TA1 only, no 997, no documents', async () => {
  const r = await translateBuffer(x12Fixture('negative/isa-invalid-version.edi'), goldenOptions());
  assert.equal(r.documents.length, 0);
  assert.doesNotMatch(r.acks.join(''), /ST\*997/);
});

test('envelope diagnostics name the code, rule, segment and element', async () => {
  const first = async (file: string, rule: string): Promise<unknown> => {
    const r = await translateBuffer(x12Fixture(`negative/${file}.edi`), goldenOptions());
    const d = r.diagnostics.find((x) => x.rule === rule);
    assert.ok(d, `${file}: ${rule}`);
    const { severity, level, code, segmentId, elementPosition } = d;
    return { severity, level, code, segmentId, elementPosition };
  };
  assert.deepEqual(await first('isa-delimiters-clash', 'ISA_DELIMITERS_CLASH'), {
    severity: 'error',
    level: 'interchange',
    code: '024',
    segmentId: 'ISA',
    elementPosition: 16,
  });
  assert.deepEqual(await first('isa-control-duplicate', 'ISA_CONTROL_DUPLICATE'), {
    severity: 'error',
    level: 'interchange',
    code: '025',
    segmentId: 'ISA',
    elementPosition: 13,
  });
  assert.deepEqual(await first('gs-control-duplicate', 'GS_CONTROL_DUPLICATE'), {
    severity: 'error',
    level: 'group',
    code: '6',
    segmentId: 'GS',
    elementPosition: 6,
  });
  assert.deepEqual(await first('gs-invalid-date', 'GS_DATE'), {
    severity: 'error',
    level: 'element',
    code: '8',
    segmentId: 'GS',
    elementPosition: 4,
  });
  assert.deepEqual(await first('gs-functional-id-set-mismatch', 'ST_SET_ID_NOT_IN_GROUP'), {
    severity: 'error',
    level: 'transaction',
    code: '6',
    segmentId: 'ST',
    elementPosition: 1,
  });
});
