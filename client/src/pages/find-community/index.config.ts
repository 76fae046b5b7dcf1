export default definePageConfig({ navigationBarTitleText: '查找社区' });
