export default defineAppConfig({
  pages: [
    'pages/index/index',
    'pages/login/index',
    'pages/register/index',
    'pages/task-detail/index',
    'pages/pioneer-code/index',
    'pages/mine/index',
    'pages/publish/index',
    'pages/manage/index',
    'pages/claimants/index',
    'pages/verify/index',
    'pages/community-qr/index',
    'pages/dashboard/index',
  ],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#c8161d',
    navigationBarTitleText: '先锋领航·码上到',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f5f5f7',
  },
});
