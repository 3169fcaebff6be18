/**
 * Asks before unsaved Settings are dropped by going to another page: stay
 * (the default, focused first) or leave without saving. A modal <dialog>,
 * so focus stays inside it and Escape means "stay".
 */
import { useEffect, useRef } from 'react';

export interface LeaveDialogProps {
  onStay: () => void;
  onLeave: () => void;
}

/** `leave-dialog` with `leave-stay` and `leave-discard`. */
export function LeaveDialog({ onStay, onLeave }: LeaveDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="card leave-dialog"
      data-testid="leave-dialog"
      aria-labelledby="leave-title"
      onCancel={(e) => {
        e.preventDefault();
        onStay();
      }}
    >
      <h2 id="leave-title">Leave Settings without saving?</h2>
      <p>Your changes to the config are not saved yet. Leaving drops them.</p>
      <div className="actions">
        <button type="button" className="primary" data-testid="leave-stay" autoFocus onClick={onStay}>
          Stay and keep editing
        </button>
        <button type="button" className="danger" data-testid="leave-discard" onClick={onLeave}>
          Leave without saving
        </button>
      </div>
    </dialog>
  );
}
