import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'tenants' })
export class TenantEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) environment!: 'test' | 'production';
  @Column({ type: 'boolean' }) active!: boolean;
  @Column({ type: 'boolean' }) demo!: boolean;
  @Column({ type: 'jsonb' }) definition!: Record<string, unknown>;
  @Column({ type: 'text', name: 'source_file' }) sourceFile!: string;
  @Column({ type: 'text', name: 'source_sha256' }) sourceSha256!: string;
  @Column({ type: 'timestamptz', name: 'created_at', insert: false, update: false }) createdAt!: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
  @Column({ type: 'timestamptz', name: 'deactivated_at', nullable: true }) deactivatedAt!: Date | null;
}

@Entity({ name: 'partners' })
export class PartnerEntity {
  @PrimaryColumn({ type: 'text', name: 'tenant_id' }) tenantId!: string;
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'text' }) environment!: 'test' | 'production';
  @Column({ type: 'text', name: 'time_zone' }) timeZone!: string;
  @Column({ type: 'boolean' }) active!: boolean;
  @Column({ type: 'jsonb' }) definition!: Record<string, unknown>;
  @Column({ type: 'timestamptz', name: 'created_at', insert: false, update: false }) createdAt!: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
  @Column({ type: 'timestamptz', name: 'deactivated_at', nullable: true }) deactivatedAt!: Date | null;
}

@Entity({ name: 'api_clients' })
export class ApiClientEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text', name: 'tenant_id' }) tenantId!: string;
  @Column({ type: 'text', name: 'partner_id', nullable: true }) partnerId!: string | null;
  @Column({ type: 'text', nullable: true }) description!: string | null;
  @Column({ type: 'boolean' }) active!: boolean;
  @Column({ type: 'text', array: true }) scopes!: string[];
  @Column({ type: 'text', array: true, name: 'secret_hashes' }) secretHashes!: string[];
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
  @Column({ type: 'timestamptz', name: 'deactivated_at', nullable: true }) deactivatedAt!: Date | null;
}

export const TENANCY_ENTITIES = [TenantEntity, PartnerEntity, ApiClientEntity];
