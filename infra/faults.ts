/**
 * Fault points for crash tests (issue: kill the settlement worker at random points). Switched on
 * only by `PRAVDA_FAULTS="name1,name2"` and `PRAVDA_FAULT_RATE` (0..1); the process then dies with
 * SIGKILL at a named point with that probability, exactly like `kill -9` from outside.
 */
const names = new Set((process.env.PRAVDA_FAULTS ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const rate = Number(process.env.PRAVDA_FAULT_RATE ?? '0');

export function faultPoint(name: string): void {
  if (names.size > 0 && names.has(name) && Math.random() < rate) process.kill(process.pid, 'SIGKILL');
}
