import { Controller, Get, Header, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/http/public.decorator.js';
import type { PublicJwk } from './signing-keys.js';
import { SigningKeyRing } from './signing-key-ring.js';

@ApiTags('authentication')
@Public()
@Controller({ path: '.well-known/jwks.json', version: VERSION_NEUTRAL })
export class JwksController {
  constructor(private readonly keys: SigningKeyRing) {}

  @Get()
  @Header('cache-control', 'public, max-age=60')
  @ApiOperation({
    summary: 'Public keys that verify Crossdock access tokens (RFC 7517)',
    description:
      'Every key that still verifies: the active one and, after a rotation, the previous one until its last token expired.',
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['keys'],
      properties: {
        keys: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              kty: { type: 'string' },
              crv: { type: 'string' },
              x: { type: 'string' },
              y: { type: 'string' },
              kid: { type: 'string' },
              alg: { type: 'string' },
              use: { type: 'string' },
            },
          },
        },
      },
    },
  })
  jwks(): Promise<{ keys: PublicJwk[] }> {
    return this.keys.jwks();
  }
}
