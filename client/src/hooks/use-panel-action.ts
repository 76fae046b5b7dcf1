import { useState } from 'react';
import Taro from '@tarojs/taro';
import { errorMessage } from '@/services/http';

/** What an action shows when it worked. */
export interface ActionToast {
  title: string;
  icon: 'success' | 'none';
}

/**
 * One action at a time on a post's panel (候补, 抽签): busy while it runs, its own toast or the
 * error's, and the page reloads the post afterwards whatever happened.
 */
export function usePanelAction(onChanged: () => void) {
  const [busy, setBusy] = useState(false);
  const run = async (what: () => Promise<ActionToast>): Promise<void> => {
    if (busy) return;
    setBusy(true);
    try {
      Taro.showToast(await what());
    } catch (err) {
      Taro.showToast({ title: errorMessage(err), icon: 'none' });
    } finally {
      setBusy(false);
      onChanged();
    }
  };
  return { busy, run };
}
