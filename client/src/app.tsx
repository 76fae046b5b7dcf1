import { PropsWithChildren } from 'react';
import Taro, { useLaunch } from '@tarojs/taro';
import { restoreSession } from './services/session';
import { signInSilently } from './services/auth';
import { ROUTES } from './utils/routes';
import { loadSubscribeTemplates } from './services/notifications';
import './app.scss';
import './h5-frame';

// Registered before the first page renders: a link to a page that does not exist (an old
// bookmark, a typo) gets the 404 page instead of a blank screen.
Taro.onPageNotFound(() => {
  Taro.redirectTo({ url: ROUTES.notFound }).catch(() => Taro.reLaunch({ url: ROUTES.notFound }));
});

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    restoreSession();
    // WeChat can sign in without asking; H5 waits for the development sign-in page.
    // Subscribe message template ids are loaded ahead: a tap must ask WeChat without waiting.
    if (process.env.TARO_ENV !== 'h5')
      signInSilently()
        .then(loadSubscribeTemplates)
        .catch(() => undefined);
  });
  return children;
}

export default App;
