import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ENTITIES } from './domain/entities';
import { InitialSchema1763700000000 } from './migrations/1763700000000-initial-schema';
import { DerivedReservesTakerVolume1763750000000 } from './migrations/1763750000000-derived-reserves-taker-volume';
import { ResolutionLifecycle1763800000000 } from './migrations/1763800000000-resolution-lifecycle';
import { GroupsInlineDigests1763900000000 } from './migrations/1763900000000-groups-inline-digests';
import { HouseMarketMaker1764000000000 } from './migrations/1764000000000-house-market-maker';
import { WithdrawalsResponsibleUse1764100000000 } from './migrations/1764100000000-withdrawals-responsible-use';
import { WatchlistAlertsTriggers1764200000000 } from './migrations/1764200000000-watchlist-alerts-triggers';
import { NotificationControls1764300000000 } from './migrations/1764300000000-notification-controls';
import { GrowthLoop1764400000000 } from './migrations/1764400000000-growth-loop';
import { CommandLog1764500000000 } from './migrations/1764500000000-command-log';
import { CommandLateReply1764600000000 } from './migrations/1764600000000-command-late-reply';
import { OpenMarketDeadline1764700000000 } from './migrations/1764700000000-open-market-deadline';
import { SetBasedReferences1764800000000 } from './migrations/1764800000000-set-based-references';

/** Migrations in apply order; append only (STYLE §11). */
export const MIGRATIONS = [InitialSchema1763700000000, DerivedReservesTakerVolume1763750000000, ResolutionLifecycle1763800000000, GroupsInlineDigests1763900000000,
  HouseMarketMaker1764000000000, WithdrawalsResponsibleUse1764100000000, WatchlistAlertsTriggers1764200000000, NotificationControls1764300000000,
  GrowthLoop1764400000000, CommandLog1764500000000, CommandLateReply1764600000000, OpenMarketDeadline1764700000000,
  SetBasedReferences1764800000000,
];

/** Builds the TypeORM DataSource for a database URL (`synchronize` off: the schema comes from migrations). */
export function createDataSource(url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/pravda'): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // TCP keepalive: a connection to a server that vanished without a FIN is found dead in about a
    // minute, not the kernel's default two hours.
    extra: { max: Number(process.env.PG_POOL_MAX ?? 10), keepAlive: true, keepAliveInitialDelayMillis: 10_000 },
  });
}

/** The default DataSource, for the TypeORM CLI. */
export default createDataSource();
