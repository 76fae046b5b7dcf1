export default definePageConfig({ navigationBarTitleText: '记录修改历史' });
