export default definePageConfig({ navigationBarTitleText: '先锋指数+指标管理' });
