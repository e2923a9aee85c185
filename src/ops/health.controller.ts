import { Controller, Get, ServiceUnavailableException, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { AuditLog } from '../audit/audit-log.js';
import { Public } from '../common/http/public.decorator.js';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';

@ApiTags('operations')
@Public()
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly typeorm: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly auditLog: AuditLog,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: the database answers, every migration is applied and the audit log can be written',
  })
  @HealthCheck()
  async ready() {
    try {
      return await this.readiness();
    } catch (error) {
      // Terminus's 503 carries every check's result; the problem filter would keep only its title.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const checks = (error.getResponse() as { details?: Record<string, { status: string }> }).details ?? {};
      const down = Object.keys(checks).filter((name) => checks[name]?.status !== 'up');
      throw new ProblemException(503, ProblemCode.ServiceUnavailable, `Not ready: ${down.join(', ')} down.`, {
        checks,
      });
    }
  }

  private readiness() {
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
      // Without it the node refuses every request with 503: a load balancer should look elsewhere.
      () => {
        const check = this.indicators.check('auditLog');
        if (!this.auditLog.available) return check.down({ message: 'audit log cannot be written' });
        // One tenant's chain that cannot be appended refuses that tenant only: the node stays ready.
        const blocked = this.auditLog.blockedChains;
        return blocked.length === 0 ? check.up() : check.up({ blockedChains: blocked });
      },
    ]);
  }
}
