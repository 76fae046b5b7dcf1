export default definePageConfig({ navigationBarTitleText: '我的先锋码' });
