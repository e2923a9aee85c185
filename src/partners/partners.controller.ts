import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, tenantScopeOf } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { Scopes } from '../auth/scopes.decorator.js';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { PartnerDirectory, type PartnerView } from './partner-directory.service.js';

@ApiTags('partners')
@Controller('partners')
export class PartnersController {
  constructor(private readonly directory: PartnerDirectory) {}

  @Get(':partnerId')
  @Scopes()
  @ApiOperation({
    summary: "A partner of the caller's tenant: a partner sees itself, a client with `admin` every partner",
    description: "Another tenant's partner answers 404 exactly like a missing one.",
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        kind: { type: 'string' },
        environment: { type: 'string' },
        timeZone: { type: 'string' },
        active: { type: 'boolean' },
        scopes: { type: 'array', items: { type: 'string' } },
      },
    },
  })
  @ApiNotFoundResponse({ description: 'No such partner visible to the caller (problem+json).' })
  async partner(
    @CurrentPrincipal() principal: Principal,
    @Param('partnerId') partnerId: string,
  ): Promise<PartnerView> {
    const found = await this.directory.find(
      tenantScopeOf(principal),
      partnerId,
      principal.scopes.includes('admin'),
    );
    if (!found)
      throw new ProblemException(404, ProblemCode.NotFound, `No partner "${partnerId.slice(0, 64)}".`);
    return found;
  }
}
