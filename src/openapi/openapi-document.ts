import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { stringify } from 'yaml';
import { SCOPE_DESCRIPTIONS } from '../auth/scope-descriptions.js';
import { CROSSDOCK_VERSION } from '../version.js';

/** The published v1 contract, generated from the controllers' decorators. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Crossdock partner API')
    .setDescription(
      'Partner-facing API of Crossdock: shipment notices, tracking events, freight invoices, orders, returns, ' +
        'raw EDI and the customer tracking portal. Errors are RFC 9457 problem+json with a correlation id.',
    )
    .setVersion(CROSSDOCK_VERSION)
    .addOAuth2(
      {
        type: 'oauth2',
        flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: { ...SCOPE_DESCRIPTIONS } } },
      },
      'oauth2',
    )
    .build();
  return SwaggerModule.createDocument(app, config, { deepScanRoutes: true });
}

export function openApiYaml(document: OpenAPIObject): string {
  return stringify(document, { sortMapEntries: false, lineWidth: 0, aliasDuplicateObjects: false });
}
