export default definePageConfig({ navigationBarTitleText: '先锋指数+人工评分' });
