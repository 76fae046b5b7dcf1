// A few DOM matchers in the style of jest-dom, without adding that package.
type El = Element | null | undefined;

function text(el: El) {
  return (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

expect.extend({
  toBeInTheDocument(el: El) {
    const pass = Boolean(el && el.ownerDocument?.contains(el));
    return { pass, message: () => `expected element ${pass ? 'not ' : ''}to be in the document` };
  },
  toHaveTextContent(el: El, expected: string | RegExp) {
    const actual = text(el);
    const pass = typeof expected === 'string' ? actual.includes(expected) : expected.test(actual);
    return { pass, message: () => `expected text ${JSON.stringify(actual)} ${pass ? 'not ' : ''}to contain ${String(expected)}` };
  },
  toHaveAttribute(el: El, name: string, value?: string) {
    const actual = el?.getAttribute(name) ?? null;
    const pass = value === undefined ? actual !== null : actual === value;
    return {
      pass,
      message: () => `expected attribute ${name}=${JSON.stringify(actual)} ${pass ? 'not ' : ''}to be ${JSON.stringify(value)}`,
    };
  },
});

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toBeInTheDocument(): R;
      toHaveTextContent(expected: string | RegExp): R;
      toHaveAttribute(name: string, value?: string): R;
    }
  }
}

export {};
