/** The rows of an `UPDATE … RETURNING`: through TypeORM, PostgreSQL answers `[rows, count]` for those. */
export function updatedRows<T = unknown>(result: unknown): T[] {
  if (Array.isArray(result) && Array.isArray(result[0])) return result[0] as T[];
  return Array.isArray(result) ? (result as T[]) : [];
}
