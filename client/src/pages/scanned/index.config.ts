export default definePageConfig({ navigationBarTitleText: '先锋码' });
