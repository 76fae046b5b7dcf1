export default definePageConfig({ navigationBarTitleText: '先锋指数+排名', enablePullDownRefresh: true });
