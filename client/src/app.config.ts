export default defineAppConfig({
  pages: [
    'pages/index/index',
    'pages/login/index',
    'pages/register/index',
    'pages/find-community/index',
    'pages/task-detail/index',
    'pages/pioneer-code/index',
    'pages/scanned/index',
    'pages/mine/index',
    'pages/not-found/index',
    'pages/whistles/index',
    'pages/whistle-new/index',
    'pages/whistle-inbox/index',
    'pages/whistle-detail/index',
    'pages/demand-new/index',
    'pages/my-demands/index',
    'pages/demands/index',
  ],
  // Staff pages: loaded on first use, so a member's download stays small.
  subPackages: [
    {
      root: 'staff',
      pages: [
        'manage/index',
        'publish/index',
        'claimants/index',
        'verify/index',
        'community-qr/index',
        'dashboard/index',
        'index-ranking/index',
        'index-org/index',
      ],
    },
  ],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#c8161d',
    navigationBarTitleText: '先锋领航·码上到',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f5f5f7',
  },
});
