export default definePageConfig({ navigationBarTitleText: '吹哨待办', enablePullDownRefresh: true });
