/** Turning a declarative MessageMatch into a predicate over message snapshots. */
import { inlineButtons } from './markup';
import type { MessageMatch, MessagePredicate, SimMessage } from './sim-types';

/** Predicate for a MessageMatch (every given field must hold) or pass a function through. */
export function toPredicate(match: MessageMatch | MessagePredicate): MessagePredicate {
  if (typeof match === 'function') return match;
  const re = match.textMatches !== undefined ? new RegExp(match.textMatches) : undefined;
  return (m: SimMessage) => {
    const body = m.text ?? m.caption ?? '';
    if (match.text !== undefined && m.text !== match.text) return false;
    if (match.textIncludes !== undefined && !(m.text ?? '').includes(match.textIncludes)) return false;
    if (match.captionIncludes !== undefined && !(m.caption ?? '').includes(match.captionIncludes)) return false;
    if (re && !re.test(body)) return false;
    if (match.messageId !== undefined && m.messageId !== match.messageId) return false;
    const buttons = inlineButtons(m.replyMarkup);
    if (match.hasKeyboard !== undefined && (buttons.length > 0) !== match.hasKeyboard) return false;
    if (match.buttonText !== undefined && !buttons.some((b) => b.text === match.buttonText)) return false;
    if (match.hasPhoto !== undefined && (m.photo !== undefined) !== match.hasPhoto) return false;
    if (match.hasDocument !== undefined && (m.document !== undefined) !== match.hasDocument) return false;
    if (match.hasInvoice !== undefined && (m.invoice !== undefined) !== match.hasInvoice) return false;
    if (match.edited !== undefined && (m.edits.length > 0) !== match.edited) return false;
    return true;
  };
}

/** Human-readable description for timeout errors. */
export function describeMatch(match: MessageMatch | MessagePredicate): string {
  return typeof match === 'function' ? 'the predicate' : JSON.stringify(match);
}
