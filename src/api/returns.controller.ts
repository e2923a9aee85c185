import { Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CanonicalResourceController } from './canonical-resource.controller.js';

/** Return authorizations (RMA). */
@ApiTags('returns')
@Controller('returns')
export class ReturnsController extends CanonicalResourceController({
  documentType: 'ReturnAuthorization',
  noun: 'return',
  write: 'returns:write',
  read: 'returns:read',
}) {}
