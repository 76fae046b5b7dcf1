export default defineAppConfig({
  pages: ['pages/index/index'],
  window: { navigationBarTitleText: '先锋领航·码上到' },
});
