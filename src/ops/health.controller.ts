import { Controller, Get, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { Public } from '../common/http/public.decorator.js';

@ApiTags('operations')
@Public()
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly typeorm: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers and every migration is applied' })
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.typeorm.pingCheck('database').withTimeout(1500),
      async () => {
        const check = this.indicators.check('migrations');
        try {
          const pending = await this.dataSource.showMigrations();
          return pending ? check.down({ message: 'migrations are pending' }) : check.up();
        } catch {
          return check.down({ message: 'migration state unreadable' });
        }
      },
    ]);
  }
}
