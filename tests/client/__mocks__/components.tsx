import { createElement, forwardRef, type ReactNode } from 'react';

/** Taro-only props that a DOM element would warn about. */
const DROP = new Set([
  'scrollX',
  'scrollY',
  'enableFlex',
  'mode',
  'focus',
  'maxlength',
  'userSelect',
  'selectable',
  'showMenuByLongpress',
  'onConfirm',
  'start',
  'end',
  'range',
]);

type Props = Record<string, unknown> & { children?: ReactNode };

function clean(props: Props) {
  const out: Record<string, unknown> = {};
  Object.entries(props).forEach(([k, v]) => {
    if (!DROP.has(k)) out[k] = v;
  });
  return out;
}

function tag(name: string) {
  const C = forwardRef<unknown, Props>((props, ref) => createElement(name, { ...clean(props), ref }));
  C.displayName = name;
  return C;
}

export const View = tag('div');
export const Text = tag('span');
export const Button = tag('button');
export const ScrollView = tag('div');
export const Image = tag('img');
export const Picker = tag('div');

/** Taro hands `{ detail: { value } }` to onInput; map the DOM change event onto that. */
function field(name: 'input' | 'textarea') {
  const C = forwardRef<unknown, Props>(({ onInput, type, ...rest }, ref) =>
    createElement(name, {
      ...clean(rest),
      type: name === 'input' ? (type === 'number' ? 'text' : type) : undefined,
      ref,
      onChange: (e: { target: { value: string } }) =>
        (onInput as ((ev: { detail: { value: string } }) => void) | undefined)?.({ detail: { value: e.target.value } }),
    }),
  );
  C.displayName = name;
  return C;
}

export const Input = field('input');
export const Textarea = field('textarea');
