/**
 * Words and buttons of a withdrawal request: the owner's view, the admins' view with its action
 * buttons. A card number is always shown masked; the full number reaches only the admin who
 * marks the request paid (they make the payout by hand).
 */
import type { WithdrawalRow, WithdrawalStatus } from '../../domain/read/withdrawals';
import { maskCard, type Destination } from '../../domain/services/withdrawal-rules';
import { formatDateTime } from '../../infra/format';
import { t, th, type Language } from '../../infra/i18n';
import { cb } from '../../messages/callback-data';
import { button, type Keyboard } from '../ui';

export const STATUS_KEY: Record<WithdrawalStatus, string> = {
  pending: 'withdraw.status_pending',
  approved: 'withdraw.status_approved',
  paid: 'withdraw.status_paid',
  rejected: 'withdraw.status_rejected',
  cancelled: 'withdraw.status_cancelled',
};

/** The destination in words: SBP phone and bank, or the masked card (`full` only for the paying admin). */
export function destinationText(lang: Language, d: Destination, full = false): string {
  return d.kind === 'sbp'
    ? th(lang, 'withdraw.dest_sbp', { phone: d.phone, bank: d.bank })
    : th(lang, 'withdraw.dest_card', { card: full ? d.number : maskCard(d.number) });
}

/** One line of a request in a list: number, amount, state, date. */
export function withdrawalLine(lang: Language, w: WithdrawalRow): string {
  return th(lang, 'withdraw.line', {
    id: w.id, amount: w.amountKop, status: th(lang, STATUS_KEY[w.status]), date: formatDateTime(w.createdAt, lang),
  });
}

/** A request in full: amount, fee, what arrives, where, state (and reason or reference). */
export function withdrawalText(lang: Language, w: WithdrawalRow, opts: { admin?: boolean; fullDestination?: boolean } = {}): string {
  const lines = [
    th(lang, 'withdraw.request_title', { id: w.id, status: th(lang, STATUS_KEY[w.status]) }),
    th(lang, 'withdraw.preview_amount', { amount: w.amountKop }),
    th(lang, 'withdraw.preview_fee', { fee: w.feeKop }),
    th(lang, 'withdraw.preview_net', { net: w.amountKop - w.feeKop }),
    destinationText(lang, w.destination, opts.fullDestination),
    th(lang, 'withdraw.created_at', { date: formatDateTime(w.createdAt, lang) }),
  ];
  if (opts.admin) {
    lines.push(th(lang, 'withdraw.admin_user', { userId: w.userId, telegramId: w.telegramId }));
    if (w.status === 'pending') lines.push(th(lang, 'withdraw.admin_approvals', { have: w.approvals.length, need: w.approvalsNeeded }));
  }
  if (w.rejectReason) lines.push(th(lang, 'withdraw.reject_reason', { reason: w.rejectReason }));
  if (w.payoutRef) lines.push(th(lang, 'withdraw.payout_ref', { ref: w.payoutRef }));
  return lines.join('\n');
}

/** The admins' buttons for a request in its current state. */
export function adminButtons(lang: Language, w: WithdrawalRow): Keyboard {
  const rows: Keyboard = [];
  if (w.status === 'pending') {
    rows.push([button(t(lang, 'withdraw.approve'), cb.withdrawApprove.encode({ id: w.id })), button(t(lang, 'withdraw.reject'), cb.withdrawReject.encode({ id: w.id }))]);
  } else if (w.status === 'approved') {
    rows.push([button(t(lang, 'withdraw.mark_paid'), cb.withdrawPaid.encode({ id: w.id })), button(t(lang, 'withdraw.reject'), cb.withdrawReject.encode({ id: w.id }))]);
  }
  rows.push([button(t(lang, 'withdraw.list_button'), cb.withdrawList.encode({}))]);
  return rows;
}
