import { DataSource } from 'typeorm';
import { ALL_MIGRATIONS } from '../../migrations/all-migrations.js';
import { TENANCY_ENTITIES } from '../tenancy/tenant-registry.entities.js';

export const ALL_ENTITIES = [...TENANCY_ENTITIES];

export function createDataSource(url: string, options: { readonly poolSize?: number } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ALL_ENTITIES,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: options.poolSize ?? 10, application_name: 'crossdock' },
  });
}
