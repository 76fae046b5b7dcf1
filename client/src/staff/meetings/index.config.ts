export default definePageConfig({ navigationBarTitleText: '共商共办', enablePullDownRefresh: true });
