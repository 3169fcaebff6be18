/**
 * A textarea for a list typed one item per line. It keeps the text as typed
 * (blank lines, a trailing newline) and reports the cleaned list, so pressing
 * Enter at the end is not undone by the next render.
 */
import { useState, type TextareaHTMLAttributes } from 'react';
import { parseLines } from '../lib/config-draft';

export interface LinesInputProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'value' | 'onChange'> {
  value: readonly string[];
  onChange: (lines: string[]) => void;
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A controlled list with an uncontrolled feel. */
export function LinesInput({ value, onChange, ...rest }: LinesInputProps) {
  const [text, setText] = useState(() => value.join('\n'));
  // The list changed from outside (an import, a reload): show it as it is now.
  const shown = same(parseLines(text), value) ? text : value.join('\n');
  return (
    <textarea
      {...rest}
      value={shown}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseLines(e.target.value));
      }}
    />
  );
}
