/** Telegram's MainButton and BackButton, when the client has them (a plain browser has neither). */
let mainHandler: (() => void) | null = null;
let backHandler: (() => void) | null = null;

/** Shows the MainButton with `text` calling `onClick`, or hides it (text null). Returns a cleanup. */
export function mainButton(text: string | null, onClick: () => void): () => void {
  const b = window.Telegram?.WebApp?.MainButton;
  if (!b) return () => undefined;
  if (mainHandler) b.offClick(mainHandler);
  mainHandler = null;
  if (text === null) {
    b.hide();
    return () => undefined;
  }
  mainHandler = onClick;
  b.setText(text);
  b.onClick(onClick);
  b.show();
  return () => {
    b.offClick(onClick);
    b.hide();
  };
}

/** Shows the BackButton calling `onClick`, or hides it (null). */
export function backButton(onClick: (() => void) | null): void {
  const b = window.Telegram?.WebApp?.BackButton;
  if (!b) return;
  if (backHandler) b.offClick(backHandler);
  backHandler = onClick;
  if (onClick) {
    b.onClick(onClick);
    b.show();
  } else b.hide();
}
