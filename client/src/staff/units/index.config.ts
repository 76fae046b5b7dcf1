export default definePageConfig({ navigationBarTitleText: '组织报到', enablePullDownRefresh: true });
