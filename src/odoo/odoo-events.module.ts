import { Module, type DynamicModule } from '@nestjs/common';
import { OdooEventsController } from './odoo-events.controller.js';
import { OutgoingShipmentSync } from './outgoing-shipment-sync.js';

@Module({})
export class OdooEventsModule {
  static forSync(sync: OutgoingShipmentSync): DynamicModule {
    return {
      module: OdooEventsModule,
      controllers: [OdooEventsController],
      providers: [{ provide: OutgoingShipmentSync, useValue: sync }],
    };
  }
}
