import type { DataSource, EntityManager } from 'typeorm';
import { GENESIS_HASH, entryHash } from './audit-chain.js';
import { AUDIT_COLUMNS, entryFromRow, type AuditRow } from './audit-row.js';

export type ChainProblem =
  | 'altered' // the entry's content no longer matches its hash
  | 'relinked' // its prev_hash is not the previous entry's hash: inserted, reordered or rehashed
  | 'missing' // a sequence number is absent: an entry was removed
  | 'misplaced' // a sequence number appears where another was expected: inserted or reordered
  | 'truncated' // the chain head says there were more entries at the end
  | 'appended'; // an entry past the chain head (or in a chain without one): written behind the appender's back

export interface ChainBreak {
  readonly tenantId: string;
  readonly seq: number;
  /** The id of the first bad entry, when it is still there. */
  readonly entryId: string | null;
  readonly problem: ChainProblem;
  readonly detail: string;
}

export interface ChainReport {
  readonly tenantId: string;
  readonly entries: number;
  readonly lastHash: string;
  readonly firstBreak: ChainBreak | null;
}

const CHUNK = 2000;

/** Every chain known to the database (heads and entries, in case one of the two was tampered with). */
export async function auditTenants(dataSource: DataSource): Promise<string[]> {
  const rows = (await dataSource.query(
    `SELECT tenant_id FROM audit_chain_heads UNION SELECT DISTINCT tenant_id FROM audit_events ORDER BY 1`,
  )) as { tenant_id: string }[];
  return rows.map((r) => r.tenant_id);
}

/**
 * Walks one tenant's chain in sequence order, a chunk at a time (memory does not grow with the
 * log), recomputing every hash, and stops at the first entry that does not fit. Entries and head
 * are read in one REPEATABLE READ snapshot: an appender commits both together, so a gateway
 * appending while verify runs is not mistaken for a cut-off tail.
 */
export async function verifyAuditChain(dataSource: DataSource, tenantId: string): Promise<ChainReport> {
  return dataSource.transaction('REPEATABLE READ', async (manager) => {
    await manager.query('SET TRANSACTION READ ONLY');
    return verifyInSnapshot(manager, tenantId);
  });
}

async function verifyInSnapshot(manager: EntityManager, tenantId: string): Promise<ChainReport> {
  const [head] = (await manager.query(`SELECT seq, hash FROM audit_chain_heads WHERE tenant_id = $1`, [
    tenantId,
  ])) as { seq: string; hash: string }[];
  const headSeq = head ? Number(head.seq) : 0;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  let lastId: string | null = null;
  const broken = (seq: number, entryId: string | null, problem: ChainProblem, detail: string) => ({
    tenantId,
    entries: count,
    lastHash: prevHash,
    firstBreak: { tenantId, seq, entryId, problem, detail },
  });
  for (;;) {
    const rows = (await manager.query(
      `SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE tenant_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
      [tenantId, expectedSeq, CHUNK],
    )) as AuditRow[];
    for (const row of rows) {
      const entry = entryFromRow(row);
      if (entry.seq !== expectedSeq && expectedSeq <= headSeq) {
        return broken(
          expectedSeq,
          null,
          'missing',
          `entry ${expectedSeq} is missing (next present is ${entry.seq})`,
        );
      }
      if (entry.seq > headSeq) {
        return broken(
          entry.seq,
          entry.id,
          'appended',
          head
            ? `entry ${entry.seq} lies past the chain head (entry ${headSeq}): written outside the appender, or the head was set back`
            : `entry ${entry.seq} belongs to a chain with no chain head: written outside the appender, or the head row was deleted`,
        );
      }
      if (entry.prevHash !== prevHash) {
        return broken(
          entry.seq,
          entry.id,
          'relinked',
          `entry ${entry.seq} does not follow entry ${entry.seq - 1}: its prev_hash differs from that entry's hash (inserted, reordered or rehashed)`,
        );
      }
      const expected = entryHash(prevHash, entry);
      if (entry.hash !== expected) {
        return broken(
          entry.seq,
          entry.id,
          'altered',
          `entry ${entry.seq} was altered: its content no longer matches its hash`,
        );
      }
      prevHash = entry.hash;
      lastId = entry.id;
      expectedSeq += 1;
      count += 1;
    }
    if (rows.length < CHUNK) break;
  }
  const strays = (await manager.query(
    `SELECT seq FROM audit_events WHERE tenant_id = $1 AND seq < 1 ORDER BY seq LIMIT 1`,
    [tenantId],
  )) as { seq: string }[];
  if (strays[0]) {
    return broken(
      Number(strays[0].seq),
      null,
      'misplaced',
      `entry ${strays[0].seq} lies outside the chain's numbering`,
    );
  }
  if (headSeq > count) {
    return broken(
      count + 1,
      null,
      'truncated',
      `the chain ends at entry ${count} but its head records ${headSeq} entries: entries ${count + 1}..${headSeq} were removed`,
    );
  }
  if (head && head.hash !== prevHash) {
    return broken(
      count,
      lastId,
      'altered',
      `entry ${count}'s hash is not the one the chain head recorded: the entry was rewritten and rehashed, or the head was edited`,
    );
  }
  return { tenantId, entries: count, lastHash: prevHash, firstBreak: null };
}
