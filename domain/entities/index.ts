export * from './user.entity';
export * from './market.entity';
export * from './account.entity';
export * from './posting.entity';
export * from './order.entity';
export * from './fill.entity';
export * from './position.entity';
export * from './price-point.entity';
export * from './invoice.entity';
export * from './payment.entity';
export * from './processed-event.entity';
export * from './market-event.entity';
export * from './settlement.entity';

import { Account } from './account.entity';
import { FillRow } from './fill.entity';
import { Invoice } from './invoice.entity';
import { Market } from './market.entity';
import { MarketEvent } from './market-event.entity';
import { Order } from './order.entity';
import { Payment } from './payment.entity';
import { Position } from './position.entity';
import { Posting } from './posting.entity';
import { PricePoint } from './price-point.entity';
import { ProcessedEvent } from './processed-event.entity';
import { Settlement } from './settlement.entity';
import { User } from './user.entity';

/** Every entity, for the DataSource. */
export const ENTITIES = [
  User, Market, Account, Posting, Order, FillRow, Position, PricePoint, Invoice, Payment, ProcessedEvent, MarketEvent, Settlement,
];
