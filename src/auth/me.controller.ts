import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from './current-principal.decorator.js';
import type { Principal } from './principal.js';
import { Scopes } from './scopes.decorator.js';

export interface CallerView {
  readonly tenantId: string;
  readonly partnerId: string | null;
  readonly partnerKind: string | null;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly issuer: string;
}

@ApiTags('authentication')
@Controller('me')
export class MeController {
  @Get()
  @Scopes()
  @ApiOperation({ summary: 'Who the access token says the caller is: tenant, partner, client and scopes' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        tenantId: { type: 'string' },
        partnerId: { type: 'string', nullable: true },
        partnerKind: { type: 'string', nullable: true },
        clientId: { type: 'string' },
        scopes: { type: 'array', items: { type: 'string' } },
        issuer: { type: 'string' },
      },
    },
  })
  me(@CurrentPrincipal() principal: Principal): CallerView {
    return {
      tenantId: principal.tenantId,
      partnerId: principal.partnerId ?? null,
      partnerKind: principal.partnerKind ?? null,
      clientId: principal.clientId,
      scopes: principal.scopes,
      issuer: principal.issuer,
    };
  }
}
