import Taro from '@tarojs/taro';

/**
 * Unsent form input kept on the device, so a reload or a lost page does not lose what was typed.
 * Kept per form and key (e.g. the community registered with), dropped once the form is sent.
 */
const PREFIX = 'pc.draft.';

export function loadDraft<T>(key: string): Partial<T> | null {
  try {
    const value = Taro.getStorageSync(PREFIX + key);
    return value && typeof value === 'object' ? (value as Partial<T>) : null;
  } catch {
    return null;
  }
}

export function saveDraft<T>(key: string, value: Partial<T>) {
  try {
    Taro.setStorageSync(PREFIX + key, value);
  } catch {
    /* storage full or unavailable: the form still works, only without a draft */
  }
}

export function clearDraft(key: string) {
  try {
    Taro.removeStorageSync(PREFIX + key);
  } catch {
    /* nothing to clear */
  }
}
