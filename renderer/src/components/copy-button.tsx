/**
 * Copies a text (a public key, a shell command) to the clipboard and says so
 * for two seconds. Where the clipboard is refused, the text is selected
 * instead, for Ctrl+C.
 */
import { useEffect, useState } from 'react';

export interface CopyButtonProps {
  text: string;
  /** What is copied, for the button's accessible name: "public key", "command". */
  what: string;
  testId?: string;
  /** An element holding the text, to select when the clipboard is refused. */
  selectTarget?: () => HTMLElement | null;
}

export function CopyButton({ text, what, testId, selectTarget }: CopyButtonProps) {
  const [said, setSaid] = useState<string>();
  useEffect(() => {
    if (!said) return undefined;
    const t = setTimeout(() => setSaid(undefined), 2000);
    return () => clearTimeout(t);
  }, [said]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setSaid('Copied');
    } catch {
      const el = selectTarget?.();
      if (el) window.getSelection()?.selectAllChildren(el);
      setSaid(el ? 'Selected: press Ctrl+C' : 'Copy refused');
    }
  };

  return (
    <button type="button" className="copy-button" data-testid={testId} aria-label={`Copy the ${what}`} onClick={() => void copy()}>
      <span aria-live="polite">{said ?? 'Copy'}</span>
    </button>
  );
}

/** A shell command or key line in a box, with its copy button. */
export function CopyableText({ text, what, testId, className = 'command' }: { text: string; what: string; testId?: string; className?: string }) {
  let box: HTMLElement | null = null;
  return (
    <div className="copyable">
      <code
        className={className}
        ref={(el) => {
          box = el;
        }}
      >
        {text}
      </code>
      <CopyButton text={text} what={what} {...(testId ? { testId } : {})} selectTarget={() => box} />
    </div>
  );
}
