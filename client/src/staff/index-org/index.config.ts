export default definePageConfig({ navigationBarTitleText: '先锋指数+得分说明' });
