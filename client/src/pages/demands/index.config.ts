export default definePageConfig({ navigationBarTitleText: '居民点单' });
