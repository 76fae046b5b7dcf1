export default definePageConfig({ navigationBarTitleText: '业主信息库' });
