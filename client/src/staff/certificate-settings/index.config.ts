export default definePageConfig({ navigationBarTitleText: '证明设置' });
