import { Column, ColumnOptions, PrimaryGeneratedColumn } from 'typeorm';
import { kop, Kop } from '../money';

/**
 * pg returns bigint as string; ours are always safe integers (kop, ids), so map them to numbers
 * once here and fail loudly if one ever is not (Vendure's single `@Money()` helper, STYLE §2).
 */
const bigintAsNumber = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null): number | null => {
    if (v === null || v === undefined) return null;
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new Error(`bigint out of safe range: ${v}`);
    return n;
  },
};

/** A money column: bigint kopecks in the database, branded `Kop` in code. */
export function MoneyColumn(options: Omit<ColumnOptions, 'type' | 'transformer'> = {}): PropertyDecorator {
  return Column({
    ...options,
    type: 'bigint',
    transformer: {
      to: (v: Kop | null | undefined) => v,
      from: (v: string | null) => (v === null || v === undefined ? null : kop(Number(v))),
    },
  });
}

/** A bigint id/reference column read as a JS number. */
export function BigIntColumn(options: Omit<ColumnOptions, 'type' | 'transformer'> = {}): PropertyDecorator {
  return Column({ ...options, type: 'bigint', transformer: bigintAsNumber });
}

/** A bigserial primary key read as a JS number. */
export function BigIdColumn(): PropertyDecorator {
  return PrimaryGeneratedColumn({ type: 'bigint', transformer: bigintAsNumber } as never);
}
