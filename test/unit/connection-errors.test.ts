/** Issue 13: what counts as an outage (kept for later) rather than a bad command (answered with an error). */
import { QueryFailedError } from 'typeorm';
import { isConnectionError } from '../../domain/services/command-log';

describe('isConnectionError', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a reset socket', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['pg cut mid-query', new Error('Connection terminated unexpectedly')],
    ['admin shutdown (pg_ctl stop)', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['the server starting up', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['connection failure class 08', Object.assign(new Error('connection failure'), { code: '08006' })],
    ['wrapped by TypeORM', new QueryFailedError('SELECT 1', [], Object.assign(new Error('the database system is shutting down'), { code: '57P03' }))],
  ])('%s is a connection error', (_name, err) => {
    expect(isConnectionError(err)).toBe(true);
  });

  it.each([
    ['invalid input (a malformed command)', Object.assign(new Error('invalid input syntax for type bigint: "NaN"'), { code: '22P02' })],
    ['a unique violation', Object.assign(new Error('duplicate key value'), { code: '23505' })],
    ['a deadlock', Object.assign(new Error('deadlock detected'), { code: '40P01' })],
    ['a plain bug', new TypeError('x is undefined')],
    ['not an error', undefined],
  ])('%s is not', (_name, err) => {
    expect(isConnectionError(err)).toBe(false);
  });
});
