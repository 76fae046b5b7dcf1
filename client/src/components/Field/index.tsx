import { View } from '@tarojs/components';
import type { ReactNode } from 'react';

export interface FieldProps {
  label: ReactNode;
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
export default function Field({ label, error, className, children }: FieldProps) {
  return (
    <View className={className ? `field ${className}` : 'field'}>
      <View className="field-label">{label}</View>
      {children}
      <FieldError message={error} />
    </View>
  );
}
