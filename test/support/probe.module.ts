import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { SchemaBodyPipe } from '../../src/common/http/schema-body.pipe.js';
import { Public } from '../../src/common/http/public.decorator.js';

const probeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'lines'],
  properties: {
    name: { type: 'string', minLength: 1 },
    lines: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sku', 'quantity'],
        properties: { sku: { type: 'string' }, quantity: { type: 'integer', minimum: 1 } },
      },
    },
  },
} as const;

/** Routes that exist only in tests, to drive the global error handling from outside. */
@Public()
@Controller('probe')
class ProbeController {
  @Post()
  accept(@Body(new SchemaBodyPipe(probeSchema)) body: { name: string }): { received: string } {
    return { received: body.name };
  }

  @Get('crash')
  crash(): never {
    throw new Error('SELECT secret FROM internals at /srv/app/src/x.ts:12');
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
