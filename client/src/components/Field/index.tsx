import { View, Text } from '@tarojs/components';
import type { ReactNode } from 'react';

export interface FieldProps {
  label: ReactNode;
  /** Marks the label with a red asterisk. */
  required?: boolean;
  /** The anchor the form scrolls to when this field is the first with an error. */
  id?: string;
  /** The field's message from validation, shown under it. */
  error?: string;
  className?: string;
  children?: ReactNode;
}

/** A validation message, where a form shows one. */
export function FieldError({ message }: { message?: string }) {
  return message ? <View className="field-error">{message}</View> : null;
}

/** The one layout of a form field here: label, control, and its error under it. */
export function RequiredMark() {
  return (
    <Text className="field-required" aria-label="必填">
      *
    </Text>
  );
}

export default function Field({ label, required, id, error, className, children }: FieldProps) {
  return (
    <View id={id} className={`${className ? `field ${className}` : 'field'}${error ? ' has-error' : ''}`}>
      <View className="field-label">
        {required ? <RequiredMark /> : null}
        {label}
      </View>
      {children}
      <FieldError message={error} />
    </View>
  );
}
