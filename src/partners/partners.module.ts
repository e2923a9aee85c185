import { Module } from '@nestjs/common';
import { PartnerDirectory } from './partner-directory.service.js';
import { PartnersController } from './partners.controller.js';

@Module({ controllers: [PartnersController], providers: [PartnerDirectory] })
export class PartnersModule {}
