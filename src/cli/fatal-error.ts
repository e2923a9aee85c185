import { ConfigError } from '../config/app-config.js';
import { TenantFileError } from '../tenancy/tenant-file-error.js';

/** The one line (or short list) an operator sees when Crossdock cannot start: never a stack trace. */
export function describeFatalError(error: unknown): string {
  if (error instanceof ConfigError) return `configuration error: ${error.message}`;
  if (error instanceof TenantFileError) return error.message;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') return `cannot listen: ${error.message}; set PORT to a free port`;
    if (code === 'ECONNREFUSED') return `cannot reach the database: ${error.message}; check DATABASE_URL`;
    if (code === '28P01' || code === '3D000')
      return `cannot use the database: ${error.message}; check DATABASE_URL`;
    return error.message;
  }
  return String(error);
}

export function exitWithFatalError(error: unknown): never {
  process.stderr.write(`crossdock: ${describeFatalError(error)}\n`);
  if (process.env.CROSSDOCK_DEBUG && error instanceof Error && error.stack)
    process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}
