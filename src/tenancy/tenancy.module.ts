import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TenantRegistry } from './tenant-registry.js';

@Global()
@Module({})
export class TenancyModule {
  static forRegistry(registry: TenantRegistry): DynamicModule {
    return {
      module: TenancyModule,
      providers: [{ provide: TenantRegistry, useValue: registry }],
      exports: [TenantRegistry],
    };
  }
}
