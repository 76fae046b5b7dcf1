export default definePageConfig({ navigationBarTitleText: '候补队列' });
