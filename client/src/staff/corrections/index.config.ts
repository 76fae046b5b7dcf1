export default definePageConfig({ navigationBarTitleText: '更正与补录审核' });
