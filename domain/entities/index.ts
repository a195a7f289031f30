export * from './user.entity';
export * from './market.entity';
export * from './account.entity';
export * from './posting.entity';
export * from './order.entity';
export * from './fill.entity';
export * from './position.entity';
export * from './misc.entity';

import { Account } from './account.entity';
import { FillRow } from './fill.entity';
import { Market } from './market.entity';
import { Invoice, MarketEvent, Payment, PricePoint, ProcessedEvent, Settlement } from './misc.entity';
import { Order } from './order.entity';
import { Position } from './position.entity';
import { Posting } from './posting.entity';
import { User } from './user.entity';

/** Every entity, for the DataSource. */
export const ENTITIES = [
  User, Market, Account, Posting, Order, FillRow, Position, PricePoint, Invoice, Payment, ProcessedEvent, MarketEvent, Settlement,
];
