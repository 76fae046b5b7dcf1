export default definePageConfig({ navigationBarTitleText: '先锋领航·码上到', enablePullDownRefresh: true });
