import {
  Body,
  Get,
  HttpCode,
  Injectable,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseInterceptors,
  type Type,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiUnprocessableEntityResponse,
  type SchemaObject,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentTenant } from '../auth/current-principal.decorator.js';
import { Scopes } from '../auth/scopes.decorator.js';
import type { CanonicalDocumentType } from '../canonical/canonical-validator.js';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { encodePageCursor } from '../common/page-cursor.js';
import { MAX_PAGE_SIZE } from '../messages/message-list-query.js';
import { IdempotencyInterceptor } from '../messages/idempotency.interceptor.js';
import type { Scope } from '../tenancy/tenant-file-schema.js';
import type { TenantScope } from '../tenancy/tenant-scope.js';
import {
  acceptedDocumentSchema,
  canonicalDocumentSchema,
  IDEMPOTENCY_HEADER,
  IF_NONE_MATCH_HEADER,
  cursorPageSchema,
} from './api-schemas.js';
import { requestSchemaOf } from './canonical-envelope.js';
import { DocumentReader } from './document-reader.js';
import { documentResourceSchema, type DocumentResource } from './document-resource.js';
import { DOCUMENT_STATES, parseDocumentListQuery, type DocumentListQuery } from './document-list-query.js';
import { conditional } from './etag.js';
import { SubmitDocument, type AcceptedDocument } from './submit-document.js';

/** What differs between the canonical-document resources: the type, its words and its scopes. */
export interface ResourceSpec {
  readonly documentType: CanonicalDocumentType;
  /** "shipment notice": used in summaries and problem details. */
  readonly noun: string;
  readonly write: Scope;
  readonly read: Scope;
  /** Extra fields derived from the stored document (e.g. an invoice's match status). */
  readonly present?: (resource: DocumentResource) => Readonly<Record<string, unknown>>;
  readonly presentSchema?: Readonly<Record<string, SchemaObject>>;
}

export interface CanonicalResourceEndpoints {
  create(
    scope: TenantScope,
    body: unknown,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<AcceptedDocument>;
  get(
    scope: TenantScope,
    id: string,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<Record<string, unknown> | undefined>;
  list(
    scope: TenantScope,
    query: DocumentListQuery,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null } | undefined>;
}

/**
 * POST (202 + Location of the message), GET by id and the filtered, cursor-paginated list of one
 * canonical document type. Every resource of v1 behaves the same way because it is the same code;
 * the concrete controllers only name their path and spec.
 */
export function CanonicalResourceController(spec: ResourceSpec): Type<CanonicalResourceEndpoints> {
  const documentSchema = canonicalDocumentSchema(spec.documentType);
  const resourceSchema = documentResourceSchema(documentSchema);
  const shownSchema = spec.presentSchema
    ? {
        ...resourceSchema,
        properties: { ...resourceSchema.properties, ...spec.presentSchema },
      }
    : resourceSchema;
  const show = (resource: DocumentResource): Record<string, unknown> => ({
    ...resource,
    ...(spec.present?.(resource) ?? {}),
  });

  @Injectable()
  class CanonicalResource implements CanonicalResourceEndpoints {
    constructor(
      readonly submit: SubmitDocument,
      readonly reader: DocumentReader,
    ) {}

    @Post()
    @HttpCode(202)
    @Scopes(spec.write)
    @UseInterceptors(IdempotencyInterceptor)
    @ApiOperation({
      summary: `Submit a ${spec.noun}`,
      description:
        'The body is the canonical document without its envelope (the server fills it from the token). ' +
        'Answers 202 once stored; `Location` is the message that tracks translation and delivery to Odoo.',
    })
    @ApiBody({ schema: requestSchemaOf(spec.documentType) })
    @ApiHeader(IDEMPOTENCY_HEADER)
    @ApiAcceptedResponse({ description: 'Stored and queued', schema: acceptedDocumentSchema })
    @ApiUnprocessableEntityResponse({
      description: 'problem+json; `errors[]` names each bad field by JSON pointer',
    })
    async create(
      @CurrentTenant() scope: TenantScope,
      @Body() body: unknown,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<AcceptedDocument> {
      const accepted = await this.submit.run(scope, spec.documentType, body, String(request.id));
      reply.header('location', accepted.location);
      return accepted;
    }

    @Get(':id')
    @Scopes(spec.read)
    @ApiOperation({ summary: `One ${spec.noun}, with where it stands in the pipeline and in Odoo` })
    @ApiHeader(IF_NONE_MATCH_HEADER)
    @ApiOkResponse({ description: `The ${spec.noun}`, schema: shownSchema })
    @ApiNotFoundResponse({ description: 'Missing, not yet translated, or not yours (the same answer)' })
    async get(
      @CurrentTenant() scope: TenantScope,
      @Param('id') id: string,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<Record<string, unknown> | undefined> {
      const resource = id.length <= 200 ? await this.reader.get(scope, spec.documentType, id) : undefined;
      if (!resource) throw new ProblemException(404, ProblemCode.NotFound, `No ${spec.noun} ${id}.`);
      return conditional(request, reply, show(resource));
    }

    @Get()
    @Scopes(spec.read)
    @ApiOperation({ summary: `List ${spec.noun}s, newest first (a partner sees its own)` })
    @ApiQuery({ name: 'state', required: false, description: 'pipeline state', enum: DOCUMENT_STATES })
    @ApiQuery({ name: 'from', required: false, description: 'ISO 8601, inclusive' })
    @ApiQuery({ name: 'to', required: false, description: 'ISO 8601, exclusive' })
    @ApiQuery({ name: 'limit', required: false, description: `1 to ${MAX_PAGE_SIZE}, default 50` })
    @ApiQuery({ name: 'cursor', required: false, description: 'the `nextCursor` of the previous page' })
    @ApiHeader(IF_NONE_MATCH_HEADER)
    @ApiOkResponse({
      description: 'One page',
      schema: cursorPageSchema(shownSchema),
    })
    async list(
      @CurrentTenant() scope: TenantScope,
      @Query() query: DocumentListQuery,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null } | undefined> {
      const page = await this.reader.list(scope, spec.documentType, parseDocumentListQuery(query));
      return conditional(request, reply, {
        items: page.items.map(show),
        nextCursor: page.next ? encodePageCursor(page.next) : null,
      });
    }
  }
  return CanonicalResource;
}
