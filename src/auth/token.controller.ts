import { Controller, Headers, HttpCode, Post, Req, Res, UseFilters, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/http/public.decorator.js';
import { ClientCredentialsService, type TokenResponse } from './client-credentials.service.js';
import { OAuthTokenErrorFilter } from './oauth-token-error.filter.js';
import { parseTokenRequest } from './token-request.js';

const tokenErrorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      enum: ['invalid_request', 'invalid_client', 'unsupported_grant_type', 'invalid_scope'],
    },
    error_description: { type: 'string' },
  },
};

@ApiTags('authentication')
@Public()
@UseFilters(OAuthTokenErrorFilter)
@Controller({ path: 'oauth/token', version: VERSION_NEUTRAL })
export class TokenController {
  constructor(private readonly clientCredentials: ClientCredentialsService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'OAuth2 client credentials grant (RFC 6749 §4.4)',
    description:
      'Authenticate with HTTP Basic (client_secret_basic) or client_id and client_secret in the body ' +
      "(client_secret_post). `scope` (space-delimited) narrows the token to a subset of the client's scopes; " +
      'without it the token carries all of them. Errors follow RFC 6749 §5.2.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['grant_type'],
      properties: {
        grant_type: { type: 'string', enum: ['client_credentials'] },
        scope: { type: 'string', example: 'tracking:write shipments:read' },
        client_id: { type: 'string', description: 'client_secret_post only' },
        client_secret: { type: 'string', description: 'client_secret_post only' },
      },
    },
  })
  @ApiOkResponse({
    description: 'An access token (JWT, ES256). `Cache-Control: no-store`.',
    schema: {
      type: 'object',
      required: ['access_token', 'token_type', 'expires_in', 'scope'],
      properties: {
        access_token: { type: 'string' },
        token_type: { type: 'string', enum: ['Bearer'] },
        expires_in: { type: 'integer', example: 900 },
        scope: { type: 'string' },
      },
    },
  })
  @ApiResponse({
    status: 400,
    description: 'invalid_request, unsupported_grant_type or invalid_scope',
    schema: tokenErrorSchema,
  })
  @ApiResponse({
    status: 401,
    description: 'invalid_client, with `WWW-Authenticate: Basic`',
    schema: tokenErrorSchema,
  })
  async issue(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('content-type') contentType: string | undefined,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<TokenResponse> {
    request.audit = { ...request.audit, action: 'token.issue' };
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const tokenRequest = parseTokenRequest(contentType, authorization, request.body);
    return this.clientCredentials.grant(tokenRequest, request.ip, request.audit);
  }
}
