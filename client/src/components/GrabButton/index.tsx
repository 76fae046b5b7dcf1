import { View, Text } from '@tarojs/components';
import { grabState, type GrabInput } from '@/utils/grab';
import { useNow } from '@/hooks/use-now';
import './index.scss';

export interface GrabButtonProps extends Omit<GrabInput, 'now'> {
  onGrab: () => void;
  size?: 'normal' | 'large';
}

export default function GrabButton(props: GrabButtonProps) {
  const notYetOpen = Date.now() < Date.parse(props.claimOpensAt);
  // Only a pending window needs a ticking clock; the rest change when props do.
  const now = useNow(1000, notYetOpen);
  const state = grabState({ ...props, now: notYetOpen ? now : Date.now() });
  return (
    <View
      className={`grab-btn grab-btn--${state.kind} grab-btn--${props.size ?? 'normal'}`}
      data-state={state.kind}
      role="button"
      aria-disabled={state.disabled}
      onClick={(e) => {
        e.stopPropagation?.();
        if (!state.disabled) props.onGrab();
      }}
    >
      <Text className="grab-btn__label">{state.label}</Text>
      {state.countdown ? <Text className="grab-btn__countdown">{state.countdown}</Text> : null}
    </View>
  );
}
