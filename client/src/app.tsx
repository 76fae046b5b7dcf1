import { PropsWithChildren } from 'react';
import { useLaunch } from '@tarojs/taro';
import { restoreSession } from './services/session';
import { signInSilently } from './services/auth';
import './app.scss';

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    restoreSession();
    // WeChat can sign in without asking; H5 waits for the development sign-in page.
    if (process.env.TARO_ENV !== 'h5') signInSilently().catch(() => undefined);
  });
  return children;
}

export default App;
